// Turns a PortJob into the words and tone of its card. Kept pure so every state a technician
// can see has a test.
import type { PortJob } from '../../../../shared/api';
import { REASON_MESSAGES, UI_STRINGS } from '../../../../shared/messages';
import type { ReasonCode } from '../../../../shared/reasons';

const STRINGS = UI_STRINGS.provision;

/** pass and fail are a unit's result; waiting needs the technician; running and idle need nothing. */
export type JobTone = 'pass' | 'fail' | 'running' | 'waiting' | 'idle';

export interface JobDescription {
  tone: JobTone;
  /** The large line of the card: PASS, FAIL, or what the port waits for. */
  headline: string;
  /** The step the job is in, or the one it failed at. */
  stepLabel: string | null;
  reasonText: string | null;
  actionText: string | null;
  /** Share of the current step done, in whole percent, or null when the step has no progress. */
  progressPercent: number | null;
  /** A side remark, such as a pass that wrote nothing or an upload still queued. */
  note: string | null;
}

/** Returns the display name of a provisioning step; an unknown step keeps its own name. */
export function stepName(step: string): string {
  return UI_STRINGS.steps[step] ?? step;
}

export function describeJob(job: PortJob): JobDescription {
  const description: JobDescription = {
    tone: 'idle',
    headline: STRINGS.ready,
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
  if (job.result === 'passed') {
    return { ...description, tone: 'pass', headline: STRINGS.pass, note: passNote(job) };
  }
  if (job.result === 'failed') {
    const reason = reasonWords(job.reasonCode, job.reasonDetail);
    return {
      ...description,
      tone: 'fail',
      headline: STRINGS.fail,
      stepLabel: job.step === null ? null : STRINGS.failedAt(stepName(job.step)),
      reasonText: reason.message,
      actionText: reason.action,
    };
  }
  return description;
}

/** Returns the note of a pass that wrote nothing. Upload state stays off the card, because the header and the queue show it. */
function passNote(job: PortJob): string | null {
  return job.resumed ? STRINGS.resumed : null;
}

/** Returns the reason's message with its detail, and its action; a code this build does not know shows as itself. */
function reasonWords(code: ReasonCode | null, detail: string | null): { message: string; action: string | null } {
  if (code === null) {
    return { message: detail ?? STRINGS.failedNoReason, action: null };
  }
  const known = Object.hasOwn(REASON_MESSAGES, code) ? REASON_MESSAGES[code] : undefined;
  const message = known?.message ?? code;
  return { message: detail === null ? message : `${message}: ${detail}`, action: known?.action ?? null };
}
