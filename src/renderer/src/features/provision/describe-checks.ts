// Turns a QA job's checklist into the rows of its card: each check's name and verdict in words,
// and for a failed or deferred check the reason and what to do. Kept pure, like describeJob, so
// every verdict a QA technician can see has a test.
import { UI_STRINGS } from '../../../../shared/messages';
import type { QaCheckResult, QaVerdict } from '../../../../shared/qa';
import { reasonWords } from './reason-words';

const STRINGS = UI_STRINGS.qa;

export interface CheckRow {
  /** The check's name as the station sent it, such as stored-credential. */
  check: string;
  /** The check's name in words. */
  name: string;
  verdict: QaVerdict;
  /** PASS, FAIL, WAITING, N/A or NOT RUN. */
  verdictText: string;
  /** The reason message with its detail; only for a failed or deferred check. */
  reasonText: string | null;
  actionText: string | null;
}

/** Returns the display name of a QA check; a check this build does not know keeps its own name. */
export function checkName(check: string): string {
  return Object.hasOwn(STRINGS.checks, check) ? STRINGS.checks[check as keyof typeof STRINGS.checks] : check;
}

/** Returns one row per check, in the order the station sent them. */
export function describeChecks(checks: readonly QaCheckResult[]): CheckRow[] {
  return checks.map(describeCheck);
}

function describeCheck(result: QaCheckResult): CheckRow {
  const row: CheckRow = {
    check: result.check,
    name: checkName(result.check),
    verdict: result.verdict,
    verdictText: Object.hasOwn(STRINGS.verdicts, result.verdict) ? STRINGS.verdicts[result.verdict] : result.verdict,
    reasonText: null,
    actionText: null,
  };
  if (result.verdict !== 'failed' && result.verdict !== 'deferred') {
    return row;
  }

  // A deferred check waits for the server, so without a code it takes the server's reason.
  const code = result.reasonCode ?? (result.verdict === 'deferred' ? 'qa-server-unreachable' : null);
  const reason = reasonWords(code, result.detail, STRINGS.failedNoReason);
  return { ...row, reasonText: reason.message, actionText: reason.action };
}
