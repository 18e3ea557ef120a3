// The station store: repositories over the SQLite database. SQL stays in this folder.
//   units        find a unit by hardware id or name, register one
//   credentials  commit a new credential with its outbox entry, read the active one
//   jobs         start, journal each step, finish with a result
//   outbox       list what sync still owes the server, mark done, park, count
//   audit        append what happened, without secrets
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { CredentialType, DeviceFields, JobResult } from '../../shared/domain';
import { StationError, type ReasonCode } from '../../shared/reasons';
import { openDatabase, type OpenDatabaseOptions, type SqliteDatabase } from './database';
import { createSecretBox, loadOrCreateKeyFile, type SecretBox } from './secret-box';

export type X509Mode = 'self-signed' | 'ca-key' | 'device-csr';

/**
 * What the station keeps of a credential. An X.509 credential keeps its certificate and chain
 * but never the device private key, which exists only in memory while it is written.
 */
export type CredentialSecret =
  | { type: 'token'; token: string }
  | { type: 'mqtt-basic'; clientId: string; userName: string; password: string }
  | {
      type: 'x509';
      mode: X509Mode;
      certificatePem: string;
      chainPem: string;
      serialHex: string;
      notAfter: string;
      /** ThingsBoard's credentialsId for the certificate, predicted by the station. */
      credentialsId: string;
    };

export interface Unit {
  id: number;
  hardwareId: string;
  name: string;
  model: string;
  firmwareVersion: string;
}

export interface StoredCredential {
  id: number;
  unitId: number;
  type: CredentialType;
  secret: CredentialSecret;
  /** SHA-256 per device field that the device must report after the write. */
  digests: DeviceFields;
}

export type OutboxState = 'held' | 'queued' | 'done' | 'parked' | 'retired';

/** The steps of an upload, in order; each is safe to repeat. */
export const OUTBOX_STEPS = ['create-device', 'write-attributes', 'verify-credentials'] as const;
export type OutboxStep = (typeof OUTBOX_STEPS)[number];

export interface OutboxEntry {
  id: number;
  unitId: number;
  credentialId: number;
  operation: 'register-device';
  state: OutboxState;
  /** The next step to run. */
  step: OutboxStep;
  attempts: number;
  lastError: string | null;
  serverDeviceId: string | null;
  /** No retry before this time (milliseconds since the epoch); 0 when due now. */
  nextAttemptAt: number;
  resolution: 'overwrite' | null;
}

export interface OutboxCounts {
  /** Uploads waiting for their unit to pass. */
  held: number;
  queued: number;
  done: number;
  parked: number;
  retired: number;
}

export interface StoreOptions extends OpenDatabaseOptions {
  /** The 32-byte data key; by default it is read from (or created at) `<database>.key`. */
  dataKey?: Buffer;
  /** False to refuse a missing database instead of creating it (commands that only read or sync). */
  create?: boolean;
  now?: () => number;
}

interface UnitRow {
  id: number;
  hardware_id: string;
  name: string;
  model: string;
  firmware_version: string;
}

interface CredentialRow {
  id: number;
  unit_id: number;
  type: CredentialType;
  secret: Buffer;
  digests_json: string;
}

interface OutboxRow {
  id: number;
  unit_id: number;
  credential_id: number;
  operation: 'register-device';
  state: OutboxState;
  step: OutboxStep;
  attempts: number;
  last_error: string | null;
  server_device_id: string | null;
  next_attempt_at: number;
  resolution: 'overwrite' | null;
}

/** station_meta key prefix marking a unit an operator sent back for re-provisioning. */
const REPROVISION_META_PREFIX = 'reprovision.unit.';

export class Store {
  readonly path: string;
  private readonly db: SqliteDatabase;
  private readonly box: SecretBox;
  private readonly now: () => number;

  constructor(path: string, options: StoreOptions = {}) {
    const databaseExisted = existsSync(path);
    if (!databaseExisted && options.create === false) {
      throw new StationError('invalid-argument', `database ${path} does not exist; check --db`);
    }
    const key = options.dataKey ?? loadOrCreateKeyFile(`${path}.key`, databaseExisted);
    this.path = path;
    this.box = createSecretBox(key);
    this.now = options.now ?? Date.now;
    this.db = openDatabase(path, options);
  }

  close(): void {
    this.db.close();
  }

  /** The open database, for the other repositories that share this file (such as the issuer store). */
  get database(): SqliteDatabase {
    return this.db;
  }

  /** Returns this station's id, created once per database. */
  stationId(): string {
    const row = this.db.prepare('SELECT value FROM station_meta WHERE key = ?').get('station_id') as
      | { value: string }
      | undefined;
    if (row !== undefined) {
      return row.value;
    }
    const id = `station-${randomBytes(4).toString('hex')}`;
    this.db.prepare('INSERT INTO station_meta (key, value) VALUES (?, ?)').run('station_id', id);
    return id;
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

  /** Queues the held uploads of a unit that passed, for sync to send. */
  releaseUploads(unitId: number): void {
    this.db
      .prepare("UPDATE outbox SET state = 'queued', updated_at = ? WHERE unit_id = ? AND state = 'held'")
      .run(this.now(), unitId);
  }

  /** Replaces the expected digests, for fields such as the server address that may change. */
  updateCredentialDigests(credentialId: number, digests: DeviceFields): void {
    this.db.prepare('UPDATE credentials SET digests_json = ? WHERE id = ?').run(JSON.stringify(digests), credentialId);
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

  queuedOutbox(): OutboxEntry[] {
    const rows = this.db.prepare("SELECT * FROM outbox WHERE state = 'queued' ORDER BY id").all() as OutboxRow[];
    return rows.map(toOutboxEntry);
  }

  listOutbox(): OutboxEntry[] {
    const rows = this.db.prepare('SELECT * FROM outbox ORDER BY id').all() as OutboxRow[];
    return rows.map(toOutboxEntry);
  }

  outboxForUnit(unitId: number): OutboxEntry[] {
    const rows = this.db.prepare('SELECT * FROM outbox WHERE unit_id = ? ORDER BY id').all(unitId) as OutboxRow[];
    return rows.map(toOutboxEntry);
  }

  markOutboxDone(entryId: number, serverDeviceId: string): void {
    this.db.transaction(() => {
      this.db
        .prepare("UPDATE outbox SET state = 'done', server_device_id = ?, last_error = NULL, resolution = NULL, updated_at = ? WHERE id = ?")
        .run(serverDeviceId, this.now(), entryId);
      this.recordAudit('outbox-done', this.outboxUnitId(entryId), { entryId, serverDeviceId });
    })();
  }

  /** Counts a failed attempt; the entry stays queued, not to be retried before `nextAttemptAt`. */
  recordOutboxAttempt(entryId: number, error: string, nextAttemptAt = 0): void {
    this.db
      .prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?')
      .run(error, nextAttemptAt, this.now(), entryId);
  }

  /** Records that a step was confirmed by the server and names the next one. */
  advanceOutbox(entryId: number, nextStep: OutboxStep, serverDeviceId: string): void {
    this.db
      .prepare('UPDATE outbox SET step = ?, server_device_id = ?, next_attempt_at = 0, updated_at = ? WHERE id = ?')
      .run(nextStep, serverDeviceId, this.now(), entryId);
  }

  getOutboxEntry(entryId: number): OutboxEntry {
    const row = this.db.prepare('SELECT * FROM outbox WHERE id = ?').get(entryId) as OutboxRow | undefined;
    if (row === undefined) {
      throw new StationError('invalid-argument', `outbox entry ${entryId} does not exist; see \`station outbox\``);
    }
    return toOutboxEntry(row);
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

  getMeta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM station_meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string | undefined): void {
    if (value === undefined) {
      this.db.prepare('DELETE FROM station_meta WHERE key = ?').run(key);
      return;
    }
    this.db.prepare('INSERT INTO station_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** Parks an entry the server refused, with its reason, for an operator to resolve. */
  parkOutbox(entryId: number, reason: string): void {
    this.db.transaction(() => {
      this.db
        .prepare("UPDATE outbox SET state = 'parked', attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ?")
        .run(reason, this.now(), entryId);
      this.recordAudit('outbox-parked', this.outboxUnitId(entryId), { entryId, reason });
    })();
  }

  outboxCounts(): OutboxCounts {
    const rows = this.db.prepare('SELECT state, COUNT(*) AS count FROM outbox GROUP BY state').all() as Array<{
      state: OutboxState;
      count: number;
    }>;
    const counts: OutboxCounts = { held: 0, queued: 0, done: 0, parked: 0, retired: 0 };
    for (const row of rows) {
      counts[row.state] = row.count;
    }
    return counts;
  }

  recordAudit(action: string, unitId: number | null, detail: Record<string, unknown>): void {
    this.db
      .prepare('INSERT INTO audit (at, action, unit_id, detail_json) VALUES (?, ?, ?, ?)')
      .run(this.now(), action, unitId, JSON.stringify(detail));
  }

  auditTrail(): Array<{ action: string; unitId: number | null; detail: Record<string, unknown> }> {
    const rows = this.db.prepare('SELECT action, unit_id, detail_json FROM audit ORDER BY id').all() as Array<{
      action: string;
      unit_id: number | null;
      detail_json: string;
    }>;
    return rows.map((row) => ({
      action: row.action,
      unitId: row.unit_id,
      detail: JSON.parse(row.detail_json) as Record<string, unknown>,
    }));
  }

  private outboxUnitId(entryId: number): number | null {
    const row = this.db.prepare('SELECT unit_id FROM outbox WHERE id = ?').get(entryId) as { unit_id: number } | undefined;
    return row?.unit_id ?? null;
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

function toUnit(row: UnitRow): Unit {
  return {
    id: row.id,
    hardwareId: row.hardware_id,
    name: row.name,
    model: row.model,
    firmwareVersion: row.firmware_version,
  };
}

function toOutboxEntry(row: OutboxRow): OutboxEntry {
  return {
    id: row.id,
    unitId: row.unit_id,
    credentialId: row.credential_id,
    operation: row.operation,
    state: row.state,
    step: row.step,
    attempts: row.attempts,
    lastError: row.last_error,
    serverDeviceId: row.server_device_id,
    nextAttemptAt: row.next_attempt_at,
    resolution: row.resolution,
  };
}

function publicPart(secret: CredentialSecret): Record<string, string> {
  switch (secret.type) {
    case 'token':
      return {};
    case 'mqtt-basic':
      return { clientId: secret.clientId, userName: secret.userName };
    case 'x509':
      return { mode: secret.mode, serialHex: secret.serialHex, notAfter: secret.notAfter, credentialsId: secret.credentialsId };
  }
}
