// Numbered schema migrations. A released migration is never edited: add a new one instead.
// PRAGMA user_version holds the number of the last migration applied.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'units, credentials, jobs, outbox, audit',
    sql: `
      CREATE TABLE station_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      CREATE TABLE units (
        id INTEGER PRIMARY KEY,
        hardware_id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL UNIQUE,
        model TEXT NOT NULL,
        firmware_version TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );

      -- secret holds the AES-256-GCM sealed JSON of the secret parts; public_json the rest.
      -- digests_json maps each device field to the SHA-256 the device must report for it.
      CREATE TABLE credentials (
        id INTEGER PRIMARY KEY,
        unit_id INTEGER NOT NULL REFERENCES units(id),
        type TEXT NOT NULL,
        secret BLOB NOT NULL,
        public_json TEXT NOT NULL,
        digests_json TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('active', 'retired')),
        created_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX credentials_one_active_per_unit ON credentials(unit_id) WHERE state = 'active';

      CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        port TEXT NOT NULL,
        unit_id INTEGER REFERENCES units(id),
        credential_type TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        result TEXT CHECK (result IN ('passed', 'failed')),
        reason_code TEXT,
        reason_detail TEXT
      );

      -- The journal: each step is recorded before it runs and again when it ends.
      CREATE TABLE job_steps (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES jobs(id),
        step TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('started', 'done', 'failed')),
        detail TEXT,
        at INTEGER NOT NULL
      );
      CREATE INDEX job_steps_by_job ON job_steps(job_id);

      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        unit_id INTEGER NOT NULL REFERENCES units(id),
        credential_id INTEGER NOT NULL REFERENCES credentials(id),
        operation TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'done', 'parked')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        server_device_id TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        UNIQUE (credential_id, operation)
      );
      CREATE INDEX outbox_by_state ON outbox(state, id);

      CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        action TEXT NOT NULL,
        unit_id INTEGER,
        detail_json TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'issuers, issuance log',
    sql: `
      -- The station's certificate issuers. sealed_key holds the CA private key (PKCS#8) as the
      -- KeyProtector named by protector_kind sealed it; kdf_json holds its scrypt parameters, or
      -- NULL for safe-storage. At most one issuer is active; replaced ones stay, retired.
      CREATE TABLE issuers (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL CHECK (source IN ('created', 'imported')),
        subject TEXT NOT NULL,
        not_after INTEGER NOT NULL,
        chain_pem TEXT NOT NULL,
        sealed_key BLOB NOT NULL,
        protector_kind TEXT NOT NULL CHECK (protector_kind IN ('passphrase', 'safe-storage')),
        kdf_json TEXT,
        state TEXT NOT NULL CHECK (state IN ('active', 'retired')),
        created_at INTEGER NOT NULL,
        retired_at INTEGER
      );
      CREATE UNIQUE INDEX issuers_one_active ON issuers(state) WHERE state = 'active';

      -- Every certificate the station issued, as a hash chain: entry_hash is SHA-256 over the
      -- entry's fields and prev_hash, the previous entry's entry_hash. No private key is stored.
      -- AUTOINCREMENT keeps seq from being reused, so a removed last entry leaves a gap.
      CREATE TABLE issuance_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        issued_at INTEGER NOT NULL,
        serial_hex TEXT NOT NULL UNIQUE,
        subject TEXT NOT NULL,
        not_before INTEGER NOT NULL,
        not_after INTEGER NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('self-signed', 'ca-signed', 'device-csr')),
        issuer_id INTEGER REFERENCES issuers(id),
        certificate_sha256 TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        entry_hash TEXT NOT NULL
      );
      CREATE TRIGGER issuance_log_no_update BEFORE UPDATE ON issuance_log
        BEGIN SELECT RAISE(ABORT, 'the issuance log is append-only'); END;
      CREATE TRIGGER issuance_log_no_delete BEFORE DELETE ON issuance_log
        BEGIN SELECT RAISE(ABORT, 'the issuance log is append-only'); END;
    `,
  },
  {
    version: 3,
    name: 'held and retired outbox entries',
    sql: `
      -- An upload is held from the credential's commit until its unit passes, so a failed unit
      -- never reaches the server. A credential that the device verifiably never held can be
      -- replaced, and its upload is then retired with its reason instead of deleted or sent.
      CREATE TABLE outbox_next (
        id INTEGER PRIMARY KEY,
        unit_id INTEGER NOT NULL REFERENCES units(id),
        credential_id INTEGER NOT NULL REFERENCES credentials(id),
        operation TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('held', 'queued', 'done', 'parked', 'retired')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        server_device_id TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        UNIQUE (credential_id, operation)
      );
      INSERT INTO outbox_next SELECT * FROM outbox;
      DROP TABLE outbox;
      ALTER TABLE outbox_next RENAME TO outbox;
      CREATE INDEX outbox_by_state ON outbox(state, id);
    `,
  },
  {
    version: 4,
    name: 'outbox steps, retry times and resolutions',
    sql: `
      -- Each upload runs as ordered steps; step names the next one to run. next_attempt_at holds
      -- back a retry (milliseconds since the epoch). resolution is an operator's answer to a
      -- parked conflict: 'overwrite' lets the next run replace the server's credentials.
      ALTER TABLE outbox ADD COLUMN step TEXT NOT NULL DEFAULT 'create-device';
      ALTER TABLE outbox ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE outbox ADD COLUMN resolution TEXT;
    `,
  },
  {
    version: 5,
    name: 'QA runs',
    sql: `
      -- One row per QA run of a unit. checks_json holds each check's verdict, reason code and
      -- detail (never a secret). result is pending while a check waits for the server;
      -- server_written tells whether the result reached the device's server attributes.
      CREATE TABLE qa_runs (
        id INTEGER PRIMARY KEY,
        unit_name TEXT,
        hardware_id TEXT NOT NULL,
        credential_type TEXT,
        port TEXT NOT NULL,
        operator TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        ended_at INTEGER NOT NULL,
        result TEXT NOT NULL CHECK (result IN ('passed', 'failed', 'pending')),
        checks_json TEXT NOT NULL,
        server_device_id TEXT,
        server_written INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX qa_runs_pending ON qa_runs(result) WHERE result = 'pending';
    `,
  },
];
