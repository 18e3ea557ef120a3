// QA runs kept by the station: each run's checks, its result, and whether the result reached
// the server. Pending runs wait for the server; the QA report lists every run.
import type { CredentialType } from '../../shared/domain';
import type { QaCheckResult, QaResult } from '../../shared/qa';
import type { SqliteDatabase } from './database';

export interface QaRun {
  id: number;
  unitName: string | null;
  hardwareId: string;
  credentialType: CredentialType | null;
  port: string;
  operator: string;
  startedAt: number;
  endedAt: number;
  result: QaResult;
  checks: QaCheckResult[];
  serverDeviceId: string | null;
  serverWritten: boolean;
}

interface QaRunRow {
  id: number;
  unit_name: string | null;
  hardware_id: string;
  credential_type: CredentialType | null;
  port: string;
  operator: string;
  started_at: number;
  ended_at: number;
  result: QaResult;
  checks_json: string;
  server_device_id: string | null;
  server_written: number;
}

export class QaRepository {
  constructor(private readonly db: SqliteDatabase) {}

  record(run: Omit<QaRun, 'id'>): number {
    const result = this.db
      .prepare(
        `INSERT INTO qa_runs (unit_name, hardware_id, credential_type, port, operator, started_at, ended_at, result, checks_json, server_device_id, server_written)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(run.unitName, run.hardwareId, run.credentialType, run.port, run.operator, run.startedAt, run.endedAt, run.result, JSON.stringify(run.checks), run.serverDeviceId, run.serverWritten ? 1 : 0);
    return Number(result.lastInsertRowid);
  }

  update(id: number, change: { result: QaResult; checks: QaCheckResult[]; serverDeviceId: string | null; serverWritten: boolean }): void {
    this.db
      .prepare('UPDATE qa_runs SET result = ?, checks_json = ?, server_device_id = ?, server_written = ? WHERE id = ?')
      .run(change.result, JSON.stringify(change.checks), change.serverDeviceId, change.serverWritten ? 1 : 0, id);
  }

  /** Runs with a deferred check, or whose result has not reached the server yet. */
  unfinished(): QaRun[] {
    const rows = this.db.prepare("SELECT * FROM qa_runs WHERE result = 'pending' OR server_written = 0 ORDER BY id").all() as QaRunRow[];
    return rows.map(toQaRun);
  }

  /** Passed and failed QA runs that started at or after `since`, and when the first one started. */
  countSince(since: number): { passed: number; failed: number; firstStartedAt: number | null } {
    const row = this.db
      .prepare("SELECT SUM(result = 'passed') AS passed, SUM(result = 'failed') AS failed, MIN(started_at) AS first_started FROM qa_runs WHERE started_at >= ?")
      .get(since) as { passed: number | null; failed: number | null; first_started: number | null };
    return { passed: row.passed ?? 0, failed: row.failed ?? 0, firstStartedAt: row.first_started };
  }

  list(limit: number): QaRun[] {
    const rows = this.db.prepare('SELECT * FROM qa_runs ORDER BY id DESC LIMIT ?').all(limit) as QaRunRow[];
    return rows.map(toQaRun);
  }
}

function toQaRun(row: QaRunRow): QaRun {
  return {
    id: row.id,
    unitName: row.unit_name,
    hardwareId: row.hardware_id,
    credentialType: row.credential_type,
    port: row.port,
    operator: row.operator,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    result: row.result,
    checks: JSON.parse(row.checks_json) as QaCheckResult[],
    serverDeviceId: row.server_device_id,
    serverWritten: row.server_written === 1,
  };
}
