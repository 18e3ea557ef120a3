// The issuer store: the station's certificate issuers and its issuance log, in the station
// database. SQL stays in this folder.
//   issuers        save a created or imported issuer with its key sealed, load the active one
//   issuance log   look up a serial, append an issued certificate, verify the hash chain
import type { IssuanceMode, IssuedCertificate } from '../credentials/x509/issue';
import {
  checkIssuanceLog,
  GENESIS_HASH,
  issuanceEntryHash,
  type IssuanceLogCheck,
  type IssuanceLogEntry,
  type IssuanceLogFields,
} from '../credentials/x509/issuance-log';
import { issuerFromStored } from '../credentials/x509/import-issuer';
import type { Issuer } from '../credentials/x509/issuer';
import type { KeyProtector, KeyProtectorKind } from '../credentials/x509/key-protector';
import { StationError } from '../../shared/reasons';
import { getLogger } from '../log';
import { openDatabase, type OpenDatabaseOptions, type SqliteDatabase } from './database';

const log = getLogger('store');

export interface StoredIssuerInfo {
  id: number;
  source: 'created' | 'imported';
  subject: string;
  notAfter: Date;
  chainPem: string;
  protectorKind: KeyProtectorKind;
  createdAt: Date;
}

export interface IssuerStoreOptions {
  now?: () => number;
}

interface IssuerRow {
  id: number;
  source: 'created' | 'imported';
  subject: string;
  not_after: number;
  chain_pem: string;
  sealed_key: Buffer;
  protector_kind: KeyProtectorKind;
  created_at: number;
}

interface LogRow {
  seq: number;
  issued_at: number;
  serial_hex: string;
  subject: string;
  not_before: number;
  not_after: number;
  mode: IssuanceMode;
  issuer_id: number | null;
  certificate_sha256: string;
  prev_hash: string;
  entry_hash: string;
}

export class IssuerStore {
  private readonly db: SqliteDatabase;
  private ownsDatabase = false;
  private readonly now: () => number;

  /**
   * Works on a database handle that is already open and migrated, such as the Store's. The
   * caller keeps ownership: close() leaves the handle open.
   */
  constructor(db: SqliteDatabase, options: IssuerStoreOptions = {}) {
    this.db = db;
    this.now = options.now ?? Date.now;
  }

  /**
   * Opens its own connection to the station database, beside the Store's. WAL mode and the 5 s
   * busy timeout that openDatabase sets let both connections write the same file.
   */
  static open(path: string, options: IssuerStoreOptions & OpenDatabaseOptions = {}): IssuerStore {
    const store = new IssuerStore(openDatabase(path, options), options);
    store.ownsDatabase = true;
    return store;
  }

  close(): void {
    if (this.ownsDatabase) {
      this.db.close();
    }
  }

  /**
   * Seals the issuer's CA key with `protector` and makes it the active issuer, retiring the one
   * before it in the same transaction.
   */
  async saveIssuer(issuer: Issuer, protector: KeyProtector, source: 'created' | 'imported'): Promise<StoredIssuerInfo> {
    const keyDer = issuer.exportPrivateKeyDer();
    let sealedKey: Buffer;
    try {
      sealedKey = await protector.seal(keyDer);
    } finally {
      keyDer.fill(0);
    }

    const at = this.now();
    const id = this.db.transaction(() => {
      this.db.prepare("UPDATE issuers SET state = 'retired', retired_at = ? WHERE state = 'active'").run(at);
      const result = this.db
        .prepare(
          `INSERT INTO issuers (source, subject, not_after, chain_pem, sealed_key, protector_kind, kdf_json, state, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?)`,
        )
        .run(
          source,
          issuer.certificate.subject,
          issuer.notAfter.getTime(),
          issuer.chainPem,
          sealedKey,
          protector.kind,
          protector.kdf === null ? null : JSON.stringify(protector.kdf),
          at,
        );
      return Number(result.lastInsertRowid);
    }).immediate();

    log.info({ issuerId: id, source, subject: issuer.certificate.subject, protector: protector.kind }, 'issuer saved');
    return this.getIssuerInfo(id);
  }

  /** Describes the active issuer without opening its key, or returns undefined when there is none. */
  activeIssuerInfo(): StoredIssuerInfo | undefined {
    const row = this.db.prepare("SELECT * FROM issuers WHERE state = 'active'").get() as IssuerRow | undefined;
    return row === undefined ? undefined : toIssuerInfo(row);
  }

  /**
   * Opens the active issuer's key with `protector` and returns the issuer with its row id. Raises
   * issuer-missing when there is none, and issuer-passphrase-wrong from a passphrase protector.
   */
  async loadActiveIssuer(protector: KeyProtector): Promise<{ id: number; issuer: Issuer }> {
    const row = this.db.prepare("SELECT * FROM issuers WHERE state = 'active'").get() as IssuerRow | undefined;
    if (row === undefined) {
      throw new StationError('issuer-missing', 'this station has no active issuer');
    }
    if (row.protector_kind !== protector.kind) {
      throw new StationError('invalid-argument', `the issuer key is protected by ${row.protector_kind}, not ${protector.kind}`);
    }

    const keyDer = await protector.open(row.sealed_key);
    try {
      return { id: row.id, issuer: await issuerFromStored(row.chain_pem, keyDer) };
    } finally {
      keyDer.fill(0);
    }
  }

  /** Tells whether the issuance log already contains a serial number (lowercase hex). */
  isSerialUsed(serialHex: string): boolean {
    return this.db.prepare('SELECT 1 FROM issuance_log WHERE serial_hex = ?').get(serialHex) !== undefined;
  }

  /**
   * Appends an issued certificate to the log. Pass `issuerId` for the two CA modes. A serial
   * that another connection logged since the issuing check raises store-failed through SQLite's
   * UNIQUE constraint; issue again in that case.
   */
  recordIssuance(issued: IssuedCertificate, issuerId: number | null): IssuanceLogEntry {
    const fields: IssuanceLogFields = {
      issuedAt: this.now(),
      serialHex: issued.serialHex,
      subject: issued.subject,
      notBefore: issued.notBefore.getTime(),
      notAfter: issued.notAfter.getTime(),
      mode: issued.mode,
      issuerId: issued.mode === 'self-signed' ? null : issuerId,
      certificateSha256: issued.certificateSha256,
    };

    try {
      return this.db.transaction(() => {
        const last = this.db.prepare('SELECT entry_hash FROM issuance_log ORDER BY seq DESC LIMIT 1').get() as
          | { entry_hash: string }
          | undefined;
        const prevHash = last?.entry_hash ?? GENESIS_HASH;
        const entryHash = issuanceEntryHash(fields, prevHash);
        const result = this.db
          .prepare(
            `INSERT INTO issuance_log (issued_at, serial_hex, subject, not_before, not_after, mode, issuer_id,
                                       certificate_sha256, prev_hash, entry_hash)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            fields.issuedAt,
            fields.serialHex,
            fields.subject,
            fields.notBefore,
            fields.notAfter,
            fields.mode,
            fields.issuerId,
            fields.certificateSha256,
            prevHash,
            entryHash,
          );
        return { ...fields, seq: Number(result.lastInsertRowid), prevHash, entryHash };
      }).immediate();
    } catch (error) {
      throw new StationError('store-failed', `cannot log certificate serial ${issued.serialHex}: ${(error as Error).message}`, { cause: error });
    }
  }

  issuanceLog(): IssuanceLogEntry[] {
    const rows = this.db.prepare('SELECT * FROM issuance_log ORDER BY seq').all() as LogRow[];
    return rows.map(toLogEntry);
  }

  /** Checks the issuance log's hash chain and returns ok, or the first broken seq with its problem. */
  verifyIssuanceLog(): IssuanceLogCheck {
    const counter = this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'issuance_log'").get() as
      | { seq: number }
      | undefined;
    const check = checkIssuanceLog(this.issuanceLog(), counter?.seq ?? 0);
    if (!check.ok) {
      log.warn({ seq: check.seq, problem: check.problem }, 'issuance log check failed');
    }
    return check;
  }

  private getIssuerInfo(id: number): StoredIssuerInfo {
    const row = this.db.prepare('SELECT * FROM issuers WHERE id = ?').get(id) as IssuerRow;
    return toIssuerInfo(row);
  }
}

function toIssuerInfo(row: IssuerRow): StoredIssuerInfo {
  return {
    id: row.id,
    source: row.source,
    subject: row.subject,
    notAfter: new Date(row.not_after),
    chainPem: row.chain_pem,
    protectorKind: row.protector_kind,
    createdAt: new Date(row.created_at),
  };
}

function toLogEntry(row: LogRow): IssuanceLogEntry {
  return {
    seq: row.seq,
    issuedAt: row.issued_at,
    serialHex: row.serial_hex,
    subject: row.subject,
    notBefore: row.not_before,
    notAfter: row.not_after,
    mode: row.mode,
    issuerId: row.issuer_id,
    certificateSha256: row.certificate_sha256,
    prevHash: row.prev_hash,
    entryHash: row.entry_hash,
  };
}
