// Turns a PortJob into the words and tone of its card. Kept pure so every state a technician
// can see has a test.
import type { PortJob } from '../../../../shared/api';
import { UI_STRINGS } from '../../../../shared/messages';
import type { QaResult } from '../../../../shared/qa';
import { checkName } from './describe-checks';
import { reasonWords } from './reason-words';

const STRINGS = UI_STRINGS.provision;

/**
 * pass, fail and pending are a unit's result, where pending is a QA unit whose server checks
 * wait for the server. waiting needs the technician; running and idle need nothing.
 */
export type JobTone = 'pass' | 'fail' | 'pending' | 'running' | 'waiting' | 'idle';

export interface JobDescription {
  tone: JobTone;
  /** The large line of the card: PASS, FAIL, QA pending server check, or what the port waits for. */
  headline: string;
  /** The finished unit's result, or null while the port has none. */
  result: 'passed' | 'failed' | 'pending' | null;
  /** The step the job is in, or the one it failed at. */
  stepLabel: string | null;
  reasonText: string | null;
  actionText: string | null;
  /** Share of the current step done, in whole percent, or null when the step has no progress. */
  progressPercent: number | null;
  /** A side remark, such as a pass that wrote nothing or an upload still queued. */
  note: string | null;
}

/**
 * Returns the display name of a step. A failed QA job reports its first failed check as its
 * step, so QA check names count too; an unknown step keeps its own name.
 */
export function stepName(step: string): string {
  return UI_STRINGS.steps[step] ?? checkName(step);
}

export function describeJob(job: PortJob): JobDescription {
  const description: JobDescription = {
    tone: 'idle',
    headline: STRINGS.ready,
    result: null,
    stepLabel: null,
    reasonText: null,
    actionText: null,
    progressPercent: null,
    note: null,
  };

  switch (job.state) {
    case 'waiting-for-scan':
      return { ...description, tone: 'waiting', headline: STRINGS.waitingForScan, actionText: STRINGS.waitingForScanAction };

    case 'waiting-for-device':
      return {
        ...description,
        tone: 'waiting',
        headline: STRINGS.waitingForDevice,
        reasonText: job.step === null ? STRINGS.deviceLeft : STRINGS.deviceLeftDuring(stepName(job.step)),
        actionText: STRINGS.waitingForDeviceAction,
      };

    case 'running':
      return {
        ...description,
        tone: 'running',
        headline: STRINGS.working,
        stepLabel: job.step === null ? null : STRINGS.currentStep(stepName(job.step)),
        progressPercent: job.progress === null ? null : Math.round(Math.min(1, Math.max(0, job.progress)) * 100),
      };

    case 'done':
      return describeResult(job, description);
  }
}

function describeResult(job: PortJob, description: JobDescription): JobDescription {
  // A QA job that could not run its checks, such as one whose port did not open, has no
  // checklist and shows its failure like a provisioning job.
  if (job.checks !== null && job.qaResult !== null) {
    return describeQaResult(job, job.qaResult, description);
  }
  if (job.result === 'passed') {
    return { ...description, tone: 'pass', headline: STRINGS.pass, result: 'passed', note: passNote(job) };
  }
  if (job.result === 'failed') {
    const reason = reasonWords(job.reasonCode, job.reasonDetail, STRINGS.failedNoReason);
    return {
      ...description,
      tone: 'fail',
      headline: STRINGS.fail,
      result: 'failed',
      stepLabel: job.step === null ? null : STRINGS.failedAt(stepName(job.step)),
      reasonText: reason.message,
      actionText: reason.action,
    };
  }
  return description;
}

/**
 * Describes a QA job's result. Its checklist shows each failed or deferred check's reason and
 * action, so the card names only the first failed check.
 */
function describeQaResult(job: PortJob, qaResult: QaResult, description: JobDescription): JobDescription {
  switch (qaResult) {
    case 'passed':
      return { ...description, tone: 'pass', headline: STRINGS.pass, result: 'passed' };
    case 'pending':
      return { ...description, tone: 'pending', headline: UI_STRINGS.qa.pending, result: 'pending' };
    case 'failed':
      return { ...description, tone: 'fail', headline: STRINGS.fail, result: 'failed', stepLabel: job.step === null ? null : STRINGS.failedAt(stepName(job.step)) };
  }
}

/** Returns the note of a pass that wrote nothing. Upload state stays off the card, because the header and the queue show it. */
function passNote(job: PortJob): string | null {
  return job.resumed ? STRINGS.resumed : null;
}
