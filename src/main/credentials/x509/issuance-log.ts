// The issuance log's hash chain, kept pure so the rules read in one place: how an entry is hashed
// and how a sequence of stored entries is checked for altered, removed or reordered rows.
import { createHash } from 'node:crypto';
import type { IssuanceMode } from './issue';

/** prev_hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

const ENCODING_TAG = 'issuance-log-v1';

export interface IssuanceLogFields {
  /** Milliseconds since the Unix epoch, as every time in the log. */
  issuedAt: number;
  serialHex: string;
  subject: string;
  notBefore: number;
  notAfter: number;
  mode: IssuanceMode;
  /** The issuers row that signed, or null for a self-signed certificate. */
  issuerId: number | null;
  certificateSha256: string;
}

export interface IssuanceLogEntry extends IssuanceLogFields {
  seq: number;
  prevHash: string;
  entryHash: string;
}

export type IssuanceLogProblem = 'altered' | 'removed' | 'reordered';

export type IssuanceLogCheck =
  | { ok: true; entries: number; headHash: string }
  | { ok: false; seq: number; problem: IssuanceLogProblem; detail: string };

/**
 * Computes an entry's hash: lowercase hex SHA-256 over the UTF-8 JSON array of a version tag, the
 * fields in declaration order and prev_hash. JSON.stringify escapes strings the same way in every
 * ECMAScript engine, so the encoding is canonical. seq is left out on purpose: order is carried
 * by prev_hash, which lets a check tell a reordered row from an altered one.
 */
export function issuanceEntryHash(fields: IssuanceLogFields, prevHash: string): string {
  const canonical = JSON.stringify([
    ENCODING_TAG,
    fields.issuedAt,
    fields.serialHex,
    fields.subject,
    fields.notBefore,
    fields.notAfter,
    fields.mode,
    fields.issuerId,
    fields.certificateSha256,
    prevHash,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/**
 * Checks stored entries, sorted by seq, and returns the first broken seq:
 *   altered    the row's fields no longer give its entry_hash
 *   removed    a seq is missing, or prev_hash names an entry that is not in the log
 *   reordered  prev_hash names an entry that is in the log, but not the one before
 * `highestSeqIssued` is SQLite's AUTOINCREMENT counter; when it exceeds the last seq, entries at
 * the end were removed. Removing every entry together with that counter cannot be detected here:
 * compare `headHash` with a copy kept elsewhere for that.
 */
export function checkIssuanceLog(entries: readonly IssuanceLogEntry[], highestSeqIssued: number): IssuanceLogCheck {
  const knownHashes = new Set(entries.map((entry) => entry.entryHash));
  let expectedSeq = 1;
  let expectedPrevHash = GENESIS_HASH;

  for (const entry of entries) {
    if (issuanceEntryHash(entry, entry.prevHash) !== entry.entryHash) {
      return { ok: false, seq: entry.seq, problem: 'altered', detail: `entry ${entry.seq} does not match its entry_hash` };
    }
    if (entry.seq !== expectedSeq) {
      return { ok: false, seq: expectedSeq, problem: 'removed', detail: `entry ${expectedSeq} is missing; the next entry is ${entry.seq}` };
    }
    if (entry.prevHash !== expectedPrevHash) {
      return knownHashes.has(entry.prevHash)
        ? { ok: false, seq: entry.seq, problem: 'reordered', detail: `entry ${entry.seq} follows a different entry than the one before it` }
        : { ok: false, seq: entry.seq, problem: 'removed', detail: `the entry before ${entry.seq} is missing` };
    }
    expectedSeq = entry.seq + 1;
    expectedPrevHash = entry.entryHash;
  }

  if (highestSeqIssued >= expectedSeq) {
    return { ok: false, seq: expectedSeq, problem: 'removed', detail: `entries ${expectedSeq} to ${highestSeqIssued} are missing from the end` };
  }
  return { ok: true, entries: entries.length, headHash: expectedPrevHash };
}
