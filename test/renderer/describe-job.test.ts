// The words and tone of a port card for each state a technician can see.
import { describe, expect, it } from 'vitest';
import { describeJob, stepName } from '../../src/renderer/src/features/provision/describe-job';
import { stepViews } from '../../src/renderer/src/features/provision/steps';
import { REASON_MESSAGES } from '../../src/shared/messages';
import type { ReasonCode } from '../../src/shared/reasons';
import { makeJob } from './fake-station';

describe('describeJob', () => {
  it('shows PASS for a passed unit', () => {
    const description = describeJob(makeJob({ state: 'done', step: 'verify', result: 'passed', synced: true }));

    expect(description.tone).toBe('pass');
    expect(description.headline).toBe('PASS');
    expect(description.reasonText).toBeNull();
    expect(description.actionText).toBeNull();
    expect(description.note).toBeNull();
  });

  it('notes a pass that wrote nothing', () => {
    const description = describeJob(makeJob({ state: 'done', result: 'passed', resumed: true }));

    expect(description.headline).toBe('PASS');
    expect(description.note).toBe('The device already held its credential, so nothing was written.');
  });

  it('shows FAIL with step, reason and action', () => {
    const description = describeJob(makeJob({ state: 'done', step: 'verify', result: 'failed', reasonCode: 'verify-mismatch', reasonDetail: null }));

    expect(description.tone).toBe('fail');
    expect(description.headline).toBe('FAIL');
    expect(description.stepLabel).toBe('Failed at: Verify');
    expect(description.reasonText).toBe(REASON_MESSAGES['verify-mismatch'].message);
    expect(description.actionText).toBe(REASON_MESSAGES['verify-mismatch'].action);
  });

  it('adds the reason detail to the message', () => {
    const description = describeJob(
      makeJob({ state: 'done', step: 'hello', result: 'failed', reasonCode: 'device-timeout', reasonDetail: 'no reply to HELLO on /dev/ttyUSB0' }),
    );

    expect(description.reasonText).toBe('The device did not respond in time: no reply to HELLO on /dev/ttyUSB0');
    expect(description.actionText).toBe(REASON_MESSAGES['device-timeout'].action);
  });

  it('fails without a reason code', () => {
    const description = describeJob(makeJob({ state: 'done', step: null, result: 'failed' }));

    expect(description.headline).toBe('FAIL');
    expect(description.stepLabel).toBeNull();
    expect(description.reasonText).toBe('The unit failed without a reason code.');
    expect(description.actionText).toBeNull();
  });

  it('shows an unknown reason code as itself', () => {
    // A newer station may send a code this renderer's table does not have yet.
    const description = describeJob(makeJob({ state: 'done', result: 'failed', reasonCode: 'future-code' as ReasonCode }));

    expect(description.reasonText).toBe('future-code');
    expect(description.actionText).toBeNull();
  });

  it('asks for a scan while waiting for one', () => {
    const description = describeJob(makeJob({ state: 'waiting-for-scan', step: 'identify' }));

    expect(description.tone).toBe('waiting');
    expect(description.headline).toBe('Scan the serial number');
    expect(description.actionText).toBe('Scan the label of the unit on this port.');
  });

  it('names the step a vanished device left', () => {
    const description = describeJob(makeJob({ state: 'waiting-for-device', step: 'write' }));

    expect(description.tone).toBe('waiting');
    expect(description.headline).toBe('Waiting for the device');
    expect(description.reasonText).toBe('The device disconnected during the step Write.');
    expect(description.actionText).toBe('Reconnect it. The job continues on the port it comes back on.');
  });

  it('shows a running step with its progress', () => {
    const description = describeJob(makeJob({ state: 'running', step: 'write', progress: 0.456 }));

    expect(description.tone).toBe('running');
    expect(description.headline).toBe('Working…');
    expect(description.stepLabel).toBe('Step: Write');
    expect(description.progressPercent).toBe(46);
  });

  it('shows no progress for a step without one', () => {
    const description = describeJob(makeJob({ state: 'running', step: 'hello', progress: null }));

    expect(description.stepLabel).toBe('Step: Connect');
    expect(description.progressPercent).toBeNull();
  });

  it('waits for the next unit when idle', () => {
    const description = describeJob(makeJob({ state: 'done', step: null, result: null, unitName: null, hardwareId: null }));

    expect(description.tone).toBe('idle');
    expect(description.headline).toBe('Connect the next unit');
  });

  it('keeps the name of an unknown step', () => {
    expect(stepName('calibrate')).toBe('calibrate');
  });
});

describe('stepViews', () => {
  it('marks the failed step and those after it', () => {
    const views = stepViews(makeJob({ state: 'done', step: 'write', result: 'failed' }), false);

    expect(views.map((view) => view.step)).toEqual(['hello', 'identify', 'check-device', 'credential', 'write', 'verify']);
    expect(views.map((view) => view.status)).toEqual(['done', 'done', 'done', 'done', 'failed', 'pending']);
  });

  it('marks every step done for a pass', () => {
    const views = stepViews(makeJob({ state: 'done', step: 'verify', result: 'passed' }), false);

    expect(views.every((view) => view.status === 'done')).toBe(true);
  });

  it('marks the running step current', () => {
    const views = stepViews(makeJob({ state: 'running', step: 'check-device' }), false);

    expect(views.find((view) => view.step === 'check-device')?.status).toBe('current');
    expect(views.find((view) => view.step === 'identify')?.status).toBe('done');
    expect(views.find((view) => view.step === 'credential')?.status).toBe('pending');
  });

  it('adds generate-key when the device makes its key', () => {
    const views = stepViews(makeJob({ state: 'running', step: 'credential' }), true);

    expect(views.map((view) => view.step)).toEqual(['hello', 'identify', 'check-device', 'credential', 'generate-key', 'write', 'verify']);
  });

  it('adds generate-key when the job reports it', () => {
    const views = stepViews(makeJob({ state: 'running', step: 'generate-key' }), false);

    expect(views.find((view) => view.step === 'generate-key')?.status).toBe('current');
  });

  it('shows a scan wait at identify', () => {
    const views = stepViews(makeJob({ state: 'waiting-for-scan', step: 'hello' }), false);

    expect(views.find((view) => view.step === 'hello')?.status).toBe('done');
    expect(views.find((view) => view.step === 'identify')?.status).toBe('current');
  });

  it('leaves every step pending on an idle port', () => {
    const views = stepViews(makeJob({ state: 'done', step: null, result: null }), false);

    expect(views.every((view) => view.status === 'pending')).toBe(true);
  });
});
