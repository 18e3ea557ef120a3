// The outbox: what sync still owes the server. Entries are held until their unit passes, then
// queued, and leave the queue only as done, parked (for an operator) or retired (replaced).
import type { CredentialType } from '../../shared/domain';
import { StationError } from '../../shared/reasons';
import { toOutboxEntry, type OutboxCounts, type OutboxEntry, type OutboxRow, type OutboxState, type OutboxStep } from './records';
import { StationDatabase } from './station-database';

export class OutboxRepository extends StationDatabase {
  /** Queues the held uploads of a unit that passed, for sync to send. */
  releaseUploads(unitId: number): void {
    this.db
      .prepare("UPDATE outbox SET state = 'queued', updated_at = ? WHERE unit_id = ? AND state = 'held'")
      .run(this.now(), unitId);
  }

  queuedOutbox(): OutboxEntry[] {
    const rows = this.db.prepare("SELECT * FROM outbox WHERE state = 'queued' ORDER BY id").all() as OutboxRow[];
    return rows.map(toOutboxEntry);
  }

  listOutbox(): OutboxEntry[] {
    const rows = this.db.prepare('SELECT * FROM outbox ORDER BY id').all() as OutboxRow[];
    return rows.map(toOutboxEntry);
  }

  /** Entries not done yet (held, queued, parked), oldest first, with their unit and credential kind. */
  pendingOutbox(limit: number): Array<OutboxEntry & { unitName: string; hardwareId: string; credentialType: CredentialType }> {
    const rows = this.db
      .prepare(
        `SELECT o.*, u.name AS unit_name, u.hardware_id, c.type AS credential_type
         FROM outbox o JOIN units u ON u.id = o.unit_id JOIN credentials c ON c.id = o.credential_id
         WHERE o.state IN ('held', 'queued', 'parked') ORDER BY o.id LIMIT ?`,
      )
      .all(limit) as Array<OutboxRow & { unit_name: string; hardware_id: string; credential_type: CredentialType }>;
    return rows.map((row) => ({ ...toOutboxEntry(row), unitName: row.unit_name, hardwareId: row.hardware_id, credentialType: row.credential_type }));
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

  protected outboxUnitId(entryId: number): number | null {
    const row = this.db.prepare('SELECT unit_id FROM outbox WHERE id = ?').get(entryId) as { unit_id: number } | undefined;
    return row?.unit_id ?? null;
  }
}
