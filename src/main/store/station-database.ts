// The base of the station store: the open database, the clock, station metadata and the audit
// trail, which every repository of the store shares.
import { randomBytes } from 'node:crypto';
import type { SqliteDatabase } from './database';

export class StationDatabase {
  protected readonly db: SqliteDatabase;
  protected readonly now: () => number;
  /** The synchronous level the database was opened with, which commitCrashSafe restores. */
  private readonly openedSynchronous: number;

  constructor(db: SqliteDatabase, now: () => number) {
    this.db = db;
    this.now = now;
    this.openedSynchronous = Number(db.pragma('synchronous', { simple: true }));
  }

  /**
   * Runs `write` in one transaction committed with synchronous=NORMAL, for records that must
   * survive a crash of the process but not a power cut. In WAL mode such a commit reaches the
   * log without an fsync, so a power cut or an OS crash may lose it. The log keeps commits in
   * order (each frame's checksum covers every frame before it), so a lost commit takes only the
   * commits after it along, and the next commit at synchronous=FULL syncs the log up to itself,
   * this commit included. Inside an open transaction, `write` joins it at that transaction's level.
   * SQLite's rules: https://www.sqlite.org/pragma.html#pragma_synchronous
   */
  commitCrashSafe<T>(write: () => T): T {
    if (this.db.inTransaction) {
      return this.db.transaction(write)();
    }
    // SQLite rejects a change of synchronous inside a transaction, so the level is set around
    // it. SQLite also applies this pragma when it prepares the statement, not when the statement
    // runs, so db.pragma prepares it anew each time instead of keeping a prepared statement.
    this.db.pragma('synchronous = NORMAL');
    try {
      return this.db.transaction(write)();
    } finally {
      this.db.pragma(`synchronous = ${this.openedSynchronous}`);
    }
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
}
