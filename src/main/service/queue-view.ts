// The queue as the operator sees it: each pending upload, why it waits in plain words, and the
// resolutions that can help. A credential conflict can be overwritten with the station's
// credential or re-provisioned; a refusal such as a full device quota can only be retried after
// the cause is fixed on the server.
import type { QueueEntry, QueueResolution } from '../../shared/api';
import type { CredentialType } from '../../shared/domain';
import { describeReason } from '../../shared/messages';
import { REASON_CODES, type ReasonCode } from '../../shared/reasons';
import type { OutboxEntry } from '../store/store';

type PendingEntry = OutboxEntry & { unitName: string; hardwareId: string; credentialType: CredentialType };

export function toQueueEntry(entry: PendingEntry): QueueEntry {
  const state = entry.state === 'held' || entry.state === 'parked' ? entry.state : 'queued';
  return {
    id: entry.id,
    unitName: entry.unitName,
    hardwareId: entry.hardwareId,
    credentialType: entry.credentialType,
    state,
    step: entry.step,
    attempts: entry.attempts,
    reason: entry.lastError === null ? null : describeStoredError(entry.lastError),
    nextAttemptAt: entry.nextAttemptAt > Date.now() ? new Date(entry.nextAttemptAt).toISOString() : null,
    resolutions: state === 'parked' ? resolutionsFor(entry.lastError ?? '') : [],
  };
}

function resolutionsFor(lastError: string): QueueResolution[] {
  const code = leadingReasonCode(lastError);
  if (code === 'server-credential-conflict') {
    return ['overwrite', 'reprovision'];
  }
  if (code === 'server-credential-taken') {
    return ['reprovision', 'retry'];
  }
  return ['retry'];
}

/** Stored errors read "reason-code: detail" or are the server's own words. */
function describeStoredError(lastError: string): string {
  const code = leadingReasonCode(lastError);
  if (code === undefined) {
    return lastError;
  }
  const detail = lastError.slice(code.length).replace(/^:\s*/, '');
  return describeReason(code, detail === '' ? undefined : detail);
}

function leadingReasonCode(text: string): ReasonCode | undefined {
  return REASON_CODES.find((code) => text === code || text.startsWith(`${code}:`));
}
