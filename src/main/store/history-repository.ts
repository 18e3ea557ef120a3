// Read-only queries for the operator's history and shift counters. Each unit appears once, with
// its last job and its active credential. The fingerprint is derived from the credential's
// field digests, so it distinguishes credentials without revealing any of them.
import { createHash } from 'node:crypto';
import type { HistoryEntry, HistoryQuery } from '../../shared/api';
import type { CredentialType, JobResult } from '../../shared/domain';
import type { ReasonCode } from '../../shared/reasons';
import type { SqliteDatabase } from './database';

interface HistoryRow {
  unit_id: number;
  name: string;
  hardware_id: string;
  model: string;
  unit_created_at: number;
  credential_type: CredentialType | null;
  digests_json: string | null;
  result: JobResult | null;
  reason_code: ReasonCode | null;
  port: string | null;
  job_started_at: number | null;
  outbox_state: 'held' | 'queued' | 'done' | 'parked' | 'retired' | null;
}

const HISTORY_SQL = `
  SELECT u.id AS unit_id, u.name, u.hardware_id, u.model, u.created_at AS unit_created_at,
         c.type AS credential_type, c.digests_json,
         j.result, j.reason_code, j.port, j.started_at AS job_started_at,
         o.state AS outbox_state
  FROM units u
  LEFT JOIN jobs j ON j.id = (SELECT MAX(id) FROM jobs WHERE unit_id = u.id)
  LEFT JOIN credentials c ON c.unit_id = u.id AND c.state = 'active'
  LEFT JOIN outbox o ON o.credential_id = c.id
  WHERE u.name LIKE :pattern ESCAPE '\\' OR u.hardware_id LIKE :pattern ESCAPE '\\'
  ORDER BY COALESCE(j.started_at, u.created_at) DESC, u.id DESC
  LIMIT :limit`;

export function searchHistory(db: SqliteDatabase, query: HistoryQuery, stationId: string): HistoryEntry[] {
  const pattern = `%${query.text.trim().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
  const rows = db.prepare(HISTORY_SQL).all({ pattern, limit: query.limit }) as HistoryRow[];
  return rows.map((row) => toHistoryEntry(row, stationId));
}

/** Passed and failed jobs that started at or after `since` (milliseconds since the epoch), and when the first one started. */
export function countJobsSince(db: SqliteDatabase, since: number): { passed: number; failed: number; firstStartedAt: number | null } {
  const row = db
    .prepare(
      `SELECT SUM(result = 'passed') AS passed, SUM(result = 'failed') AS failed, MIN(started_at) AS first_started
       FROM jobs WHERE kind = 'provision' AND started_at >= ?`,
    )
    .get(since) as { passed: number | null; failed: number | null; first_started: number | null };
  return { passed: row.passed ?? 0, failed: row.failed ?? 0, firstStartedAt: row.first_started };
}

function toHistoryEntry(row: HistoryRow, stationId: string): HistoryEntry {
  return {
    unitId: row.unit_id,
    name: row.name,
    hardwareId: row.hardware_id,
    model: row.model,
    credentialType: row.credential_type,
    fingerprint: row.digests_json === null ? null : fingerprintOf(row.digests_json),
    result: row.result,
    reasonCode: row.reason_code,
    syncState: row.outbox_state === null || row.outbox_state === 'retired' ? 'none' : row.outbox_state,
    time: new Date(row.job_started_at ?? row.unit_created_at).toISOString(),
    stationId,
    port: row.port,
  };
}

/** SHA-256 over the sorted field digests, 16 hex digits: the same credential gives the same fingerprint. */
export function fingerprintOf(digestsJson: string): string {
  const digests = JSON.parse(digestsJson) as Record<string, string>;
  const canonical = Object.keys(digests)
    .sort()
    .map((field) => `${field}=${digests[field]}`)
    .join('\n');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}
