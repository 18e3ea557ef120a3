// QA station terms: the checks that prove a finished unit is really provisioned, and their
// verdicts. Main runs the checks; the renderer and the command line show them.
import type { ReasonCode } from './reasons';

/** The checks in the order they run. */
export const QA_CHECKS = ['identity', 'stored-credential', 'server', 'certificate', 'key-possession', 'live-connection'] as const;
export type QaCheckName = (typeof QA_CHECKS)[number];

/**
 * passed, failed: the check ran. deferred: it needs the server, which is not reachable now.
 * not-applicable: it does not apply to the unit's credential kind, such as certificate checks
 * on a token unit. not-run: the unit could not be identified, so the check had nothing to
 * compare with.
 */
export type QaVerdict = 'passed' | 'failed' | 'deferred' | 'not-applicable' | 'not-run';

export interface QaCheckResult {
  check: QaCheckName;
  verdict: QaVerdict;
  reasonCode: ReasonCode | null;
  /** What was compared or what went wrong, in words; never a secret. */
  detail: string | null;
}

/** passed: every check passed or does not apply. pending: none failed, some are deferred. */
export type QaResult = 'passed' | 'failed' | 'pending';

/** Rolls the verdicts of a QA run up into its result. */
export function qaResultOf(checks: readonly QaCheckResult[]): QaResult {
  if (checks.some((check) => check.verdict === 'failed')) {
    return 'failed';
  }
  return checks.some((check) => check.verdict === 'deferred') ? 'pending' : 'passed';
}
