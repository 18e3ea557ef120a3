// The step list on a port card: which steps a job goes through and how far it got.
import type { PortJob } from '../../../../shared/api';

/** The provisioning journal's steps in the order a job runs them. */
const BASE_STEPS = ['hello', 'identify', 'check-device', 'credential', 'write', 'verify'] as const;

export type StepStatus = 'done' | 'current' | 'failed' | 'pending';

export interface StepView {
  step: string;
  status: StepStatus;
}

/**
 * Lists the job's steps with their status. generate-key shows when the device makes its own key
 * (`deviceMakesKey`) or the job reports it; any other unknown step goes at the end.
 */
export function stepViews(job: PortJob, deviceMakesKey: boolean): StepView[] {
  const steps: string[] = [...BASE_STEPS];
  if (deviceMakesKey || job.step === 'generate-key') {
    steps.splice(steps.indexOf('credential') + 1, 0, 'generate-key');
  }
  if (job.step !== null && !steps.includes(job.step)) {
    steps.push(job.step);
  }

  // A job waits for its scan inside identify, while the last step the device link reported is hello.
  const current = job.state === 'waiting-for-scan' ? 'identify' : job.step;
  const reached = current === null ? -1 : steps.indexOf(current);
  const passed = job.state === 'done' && job.result === 'passed';
  const failed = job.state === 'done' && job.result === 'failed';
  const idle = job.state === 'done' && job.result === null;

  return steps.map((step, index) => {
    let status: StepStatus = 'pending';
    if (passed || index < reached) {
      status = 'done';
    } else if (index === reached && !idle) {
      status = failed ? 'failed' : 'current';
    }
    return { step, status };
  });
}
