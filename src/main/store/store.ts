// The station store: repositories over the SQLite database. SQL stays in this folder.
//   units        find a unit by hardware id or name, register one
//   credentials  commit a new credential with its outbox entry, read the active one, retire one
//   jobs         start, journal each step, finish with a result
//   outbox       (OutboxRepository) list what sync still owes the server, mark done, park, count
//   audit        (StationDatabase) append what happened, without secrets
import { existsSync } from 'node:fs';
import type { CredentialType, DeviceFields, JobResult } from '../../shared/domain';
import { StationError, type ReasonCode } from '../../shared/reasons';
import { openDatabase, type OpenDatabaseOptions } from './database';
import { OutboxRepository } from './outbox-repository';
import {
  publicPart,
  toUnit,
  type CredentialRow,
  type CredentialSecret,
  type StoredCredential,
  type Unit,
  type UnitRow,
} from './records';
import { createSecretBox, loadOrCreateKeyFile, type SecretBox } from './secret-box';

export {
  OUTBOX_STEPS,
  type CredentialSecret,
  type OutboxCounts,
  type OutboxEntry,
  type OutboxState,
  type OutboxStep,
  type StoredCredential,
  type Unit,
  type X509Mode,
} from './records';

export interface StoreOptions extends OpenDatabaseOptions {
  /** The 32-byte data key; by default it is read from (or created at) `<database>.key`. */
  dataKey?: Buffer;
  /** False to refuse a missing database instead of creating it (commands that only read or sync). */
  create?: boolean;
  now?: () => number;
}

/** station_meta key prefix marking a unit an operator sent back for re-provisioning. */
const REPROVISION_META_PREFIX = 'reprovision.unit.';

export class Store extends OutboxRepository {
  readonly path: string;
  private readonly box: SecretBox;

  constructor(path: string, options: StoreOptions = {}) {
    const databaseExisted = existsSync(path);
    if (!databaseExisted && options.create === false) {
      throw new StationError('invalid-argument', `database ${path} does not exist; check --db`);
    }
    // The key is loaded or made before the database file is created, so a key file that cannot
    // be written fails the command before a database exists that no key could read.
    const key = options.dataKey ?? loadOrCreateKeyFile(`${path}.key`, databaseExisted);
    super(openDatabase(path, options), options.now ?? Date.now);
    this.path = path;
    this.box = createSecretBox(key);
  }

  findUnitByHardwareId(hardwareId: string): Unit | undefined {
    const row = this.db.prepare('SELECT * FROM units WHERE hardware_id = ?').get(hardwareId) as UnitRow | undefined;
    return row === undefined ? undefined : toUnit(row);
  }

  findUnitByName(name: string): Unit | undefined {
    const row = this.db.prepare('SELECT * FROM units WHERE name = ?').get(name) as UnitRow | undefined;
    return row === undefined ? undefined : toUnit(row);
  }

  getUnit(id: number): Unit {
    const row = this.db.prepare('SELECT * FROM units WHERE id = ?').get(id) as UnitRow | undefined;
    if (row === undefined) {
      throw new Error(`unit ${id} does not exist`);
    }
    return toUnit(row);
  }

  createUnit(unit: Omit<Unit, 'id'>): Unit {
    const at = this.now();
    const result = this.db
      .prepare(
        `INSERT INTO units (hardware_id, name, model, firmware_version, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(unit.hardwareId, unit.name, unit.model, unit.firmwareVersion, at, at);
    return { id: Number(result.lastInsertRowid), ...unit };
  }

  /** Records the model and firmware a unit reported this time (firmware changes on update). */
  updateUnitDevice(unitId: number, model: string, firmwareVersion: string): void {
    this.db
      .prepare('UPDATE units SET model = ?, firmware_version = ?, updated_at = ? WHERE id = ?')
      .run(model, firmwareVersion, this.now(), unitId);
  }

  activeCredential(unitId: number): StoredCredential | undefined {
    const row = this.db
      .prepare("SELECT id, unit_id, type, secret, digests_json FROM credentials WHERE unit_id = ? AND state = 'active'")
      .get(unitId) as CredentialRow | undefined;
    return row === undefined ? undefined : this.toCredential(row);
  }

  getCredential(id: number): StoredCredential {
    const row = this.db
      .prepare('SELECT id, unit_id, type, secret, digests_json FROM credentials WHERE id = ?')
      .get(id) as CredentialRow | undefined;
    if (row === undefined) {
      throw new Error(`credential ${id} does not exist`);
    }
    return this.toCredential(row);
  }

  /**
   * Commits a new credential for a unit with its server upload, in one transaction. This runs
   * before the first byte of the credential goes to the device, so a crash at any later point
   * leaves a credential the station has recorded. The upload is held until the unit passes
   * (releaseUploads), so a unit that failed is not registered on the server.
   */
  commitCredential(unitId: number, secret: CredentialSecret, digests: DeviceFields): StoredCredential {
    const unit = this.getUnit(unitId);
    const at = this.now();

    const id = this.db.transaction(() => {
      const result = this.db
        .prepare(
          `INSERT INTO credentials (unit_id, type, secret, public_json, digests_json, state, created_at)
           VALUES (?, ?, ?, ?, ?, 'active', ?)`,
        )
        .run(
          unitId,
          secret.type,
          this.box.seal(JSON.stringify(secret), unit.hardwareId),
          JSON.stringify(publicPart(secret)),
          JSON.stringify(digests),
          at,
        );
      const credentialId = Number(result.lastInsertRowid);
      // A unit an operator sent back for re-provisioning replaces whatever the server holds.
      const reprovisionKey = `${REPROVISION_META_PREFIX}${unitId}`;
      const resolution = this.getMeta(reprovisionKey) === undefined ? null : 'overwrite';
      this.setMeta(reprovisionKey, undefined);
      this.db
        .prepare(
          `INSERT INTO outbox (unit_id, credential_id, operation, state, resolution, created_at, updated_at)
           VALUES (?, ?, 'register-device', 'held', ?, ?, ?)`,
        )
        .run(unitId, credentialId, resolution, at, at);
      this.recordAudit('credential-committed', unitId, { credentialId, type: secret.type });
      return credentialId;
    })();

    return { id, unitId, type: secret.type, secret, digests };
  }

  /**
   * Retires a credential that the device verifiably does not hold, so that a new one can take
   * its place. Its upload, if still queued, is retired with the reason and never sent.
   */
  retireCredential(credentialId: number, reason: string): void {
    const credential = this.db.prepare('SELECT unit_id FROM credentials WHERE id = ?').get(credentialId) as
      | { unit_id: number }
      | undefined;
    this.db.transaction(() => {
      this.db.prepare("UPDATE credentials SET state = 'retired' WHERE id = ?").run(credentialId);
      this.db
        .prepare("UPDATE outbox SET state = 'retired', last_error = ?, updated_at = ? WHERE credential_id = ? AND state IN ('held', 'queued')")
        .run(reason, this.now(), credentialId);
      this.recordAudit('credential-retired', credential?.unit_id ?? null, { credentialId, reason });
    })();
  }

  /** Returns the unit's retired credentials, newest first. */
  retiredCredentials(unitId: number): StoredCredential[] {
    const rows = this.db
      .prepare("SELECT id, unit_id, type, secret, digests_json FROM credentials WHERE unit_id = ? AND state = 'retired' ORDER BY id DESC")
      .all(unitId) as CredentialRow[];
    return rows.map((row) => this.toCredential(row));
  }

  /** Replaces the expected digests, for fields such as the server address that may change. */
  updateCredentialDigests(credentialId: number, digests: DeviceFields): void {
    this.db.prepare('UPDATE credentials SET digests_json = ? WHERE id = ?').run(JSON.stringify(digests), credentialId);
  }

  /**
   * Applies an operator's answer to a parked entry. 'overwrite' queues it again to replace the
   * server's credentials with the station's. 'reprovision' retires the credential, so the next
   * provisioning of the unit issues a new one, whose upload then replaces the server's.
   */
  resolveParked(entryId: number, resolution: 'overwrite' | 'reprovision'): void {
    const entry = this.getOutboxEntry(entryId);
    if (entry.state !== 'parked') {
      throw new StationError('invalid-argument', `outbox entry ${entryId} is ${entry.state}, not parked; only parked entries take a resolution`);
    }
    this.db.transaction(() => {
      if (resolution === 'overwrite') {
        this.db
          .prepare("UPDATE outbox SET state = 'queued', step = 'create-device', resolution = 'overwrite', next_attempt_at = 0, updated_at = ? WHERE id = ?")
          .run(this.now(), entryId);
      } else {
        this.db.prepare("UPDATE credentials SET state = 'retired' WHERE id = ?").run(entry.credentialId);
        this.db
          .prepare("UPDATE outbox SET state = 'retired', updated_at = ? WHERE id = ?")
          .run(this.now(), entryId);
        this.setMeta(`${REPROVISION_META_PREFIX}${entry.unitId}`, new Date(this.now()).toISOString());
      }
      this.recordAudit('outbox-resolved', entry.unitId, { entryId, resolution });
    })();
  }

  /** Queues a parked entry again as it is, after the cause was fixed on the server (a raised device limit). */
  requeueParked(entryId: number): void {
    const entry = this.getOutboxEntry(entryId);
    if (entry.state !== 'parked') {
      throw new StationError('invalid-argument', `outbox entry ${entryId} is ${entry.state}, not parked; only parked entries can be retried`);
    }
    this.db.transaction(() => {
      this.db.prepare("UPDATE outbox SET state = 'queued', next_attempt_at = 0, updated_at = ? WHERE id = ?").run(this.now(), entryId);
      this.recordAudit('outbox-resolved', entry.unitId, { entryId, resolution: 'retry' });
    })();
  }

  /** Saves a setting that is a secret, such as a server password, sealed under the data key; undefined deletes it. */
  setSecretSetting(key: string, value: string | undefined): void {
    this.setMeta(key, value === undefined ? undefined : this.box.seal(value, key).toString('base64'));
  }

  getSecretSetting(key: string): string | undefined {
    const sealed = this.getMeta(key);
    return sealed === undefined ? undefined : this.box.open(Buffer.from(sealed, 'base64'), key);
  }

  startJob(job: { kind: 'provision'; port: string; credentialType: CredentialType }): number {
    const result = this.db
      .prepare('INSERT INTO jobs (kind, port, credential_type, started_at) VALUES (?, ?, ?, ?)')
      .run(job.kind, job.port, job.credentialType, this.now());
    return Number(result.lastInsertRowid);
  }

  setJobUnit(jobId: number, unitId: number): void {
    this.db.prepare('UPDATE jobs SET unit_id = ? WHERE id = ?').run(unitId, jobId);
  }

  journalStep(jobId: number, step: string, state: 'started' | 'done' | 'failed', detail?: string): void {
    this.db
      .prepare('INSERT INTO job_steps (job_id, step, state, detail, at) VALUES (?, ?, ?, ?, ?)')
      .run(jobId, step, state, detail ?? null, this.now());
  }

  finishJob(jobId: number, result: JobResult, reason?: { code: ReasonCode; detail?: string }): void {
    this.db
      .prepare('UPDATE jobs SET ended_at = ?, result = ?, reason_code = ?, reason_detail = ? WHERE id = ?')
      .run(this.now(), result, reason?.code ?? null, reason?.detail ?? null, jobId);
  }

  jobSteps(jobId: number): Array<{ step: string; state: string; detail: string | null }> {
    return this.db
      .prepare('SELECT step, state, detail FROM job_steps WHERE job_id = ? ORDER BY id')
      .all(jobId) as Array<{ step: string; state: string; detail: string | null }>;
  }

  private toCredential(row: CredentialRow): StoredCredential {
    const unit = this.getUnit(row.unit_id);
    const secret = JSON.parse(this.box.open(row.secret, unit.hardwareId)) as CredentialSecret;
    return {
      id: row.id,
      unitId: row.unit_id,
      type: row.type,
      secret,
      digests: JSON.parse(row.digests_json) as DeviceFields,
    };
  }
}
