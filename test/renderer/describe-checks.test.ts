// The rows and the result of a QA unit's card, for each verdict a QA technician can see.
import { describe, expect, it } from 'vitest';
import { checkName, describeChecks } from '../../src/renderer/src/features/provision/describe-checks';
import { describeJob, stepName } from '../../src/renderer/src/features/provision/describe-job';
import { REASON_MESSAGES } from '../../src/shared/messages';
import { QA_CHECKS, type QaCheckResult } from '../../src/shared/qa';
import type { ReasonCode } from '../../src/shared/reasons';
import { makeJob } from './fake-station';

function check(overrides: Partial<QaCheckResult> & Pick<QaCheckResult, 'check'>): QaCheckResult {
  return { verdict: 'passed', reasonCode: null, detail: null, ...overrides };
}

/** A token unit's checklist: no certificate and no private key to check. */
const TOKEN_PASS: QaCheckResult[] = [
  check({ check: 'identity', detail: 'hardware id HW0042, device name "TH-1-0042"' }),
  check({ check: 'stored-credential', detail: '1 fields match' }),
  check({ check: 'server' }),
  check({ check: 'certificate', verdict: 'not-applicable', detail: 'token units have no certificate' }),
  check({ check: 'key-possession', verdict: 'not-applicable', detail: 'token units have no private key' }),
  check({ check: 'live-connection', detail: 'mqtt: the server saw the device' }),
];

describe('describeChecks', () => {
  it('names every check in words', () => {
    const rows = describeChecks(TOKEN_PASS);

    expect(rows.map((row) => row.check)).toEqual([...QA_CHECKS]);
    expect(rows.map((row) => row.name)).toEqual(['Identity', 'Stored credential', 'Server device', 'Certificate', 'Private key', 'Live connection']);
  });

  it('words each verdict', () => {
    const rows = describeChecks([
      check({ check: 'identity', verdict: 'passed' }),
      check({ check: 'stored-credential', verdict: 'failed', reasonCode: 'qa-credential-mismatch' }),
      check({ check: 'server', verdict: 'deferred', reasonCode: 'qa-server-unreachable' }),
      check({ check: 'certificate', verdict: 'not-applicable' }),
      check({ check: 'key-possession', verdict: 'not-run' }),
    ]);

    expect(rows.map((row) => row.verdictText)).toEqual(['PASS', 'FAIL', 'WAITING', 'N/A', 'NOT RUN']);
  });

  it('gives no reason for a passed check', () => {
    const rows = describeChecks(TOKEN_PASS);

    for (const row of rows) {
      expect(row.reasonText, row.check).toBeNull();
      expect(row.actionText, row.check).toBeNull();
    }
  });

  it('gives a failed check its reason, detail and action', () => {
    const [row] = describeChecks([
      check({ check: 'stored-credential', verdict: 'failed', reasonCode: 'qa-credential-mismatch', detail: 'the device reports different contents for token' }),
    ]);

    expect(row?.reasonText).toBe(`${REASON_MESSAGES['qa-credential-mismatch'].message}: the device reports different contents for token`);
    expect(row?.actionText).toBe(REASON_MESSAGES['qa-credential-mismatch'].action);
  });

  it('gives a deferred check its reason and action', () => {
    const [row] = describeChecks([check({ check: 'server', verdict: 'deferred', reasonCode: 'qa-server-unreachable', detail: 'no server is set up' })]);

    expect(row?.reasonText).toBe('The server cannot be reached, so this check waits: no server is set up');
    expect(row?.actionText).toBe(REASON_MESSAGES['qa-server-unreachable'].action);
  });

  it('explains a deferred check without a code', () => {
    const [row] = describeChecks([check({ check: 'live-connection', verdict: 'deferred' })]);

    expect(row?.reasonText).toBe(REASON_MESSAGES['qa-server-unreachable'].message);
    expect(row?.actionText).toBe(REASON_MESSAGES['qa-server-unreachable'].action);
  });

  it('explains a failed check without a code', () => {
    const [bare, withDetail] = describeChecks([
      check({ check: 'key-possession', verdict: 'failed' }),
      check({ check: 'certificate', verdict: 'failed', detail: 'the certificate could not be parsed' }),
    ]);

    expect(bare?.reasonText).toBe('This check failed without a reason code.');
    expect(bare?.actionText).toBeNull();
    expect(withDetail?.reasonText).toBe('the certificate could not be parsed');
  });

  it('gives no reason for N/A and NOT RUN', () => {
    const rows = describeChecks([
      check({ check: 'certificate', verdict: 'not-applicable', detail: 'token units have no certificate' }),
      check({ check: 'server', verdict: 'not-run', detail: 'the unit could not be identified' }),
    ]);

    expect(rows.map((row) => row.reasonText)).toEqual([null, null]);
    expect(rows.map((row) => row.actionText)).toEqual([null, null]);
  });

  it('shows an unknown reason code as itself', () => {
    // A newer station may send a code this renderer's table does not have yet.
    const [row] = describeChecks([check({ check: 'server', verdict: 'failed', reasonCode: 'qa-future-code' as ReasonCode })]);

    expect(row?.reasonText).toBe('qa-future-code');
    expect(row?.actionText).toBeNull();
  });

  it('keeps the name of an unknown check', () => {
    expect(checkName('battery')).toBe('battery');
  });
});

describe('describeJob for QA', () => {
  it('shows PASS for a passed QA unit', () => {
    const description = describeJob(makeJob({ workflow: 'qa', state: 'done', step: 'connect-test', result: 'passed', qaResult: 'passed', checks: TOKEN_PASS }));

    expect(description.tone).toBe('pass');
    expect(description.headline).toBe('PASS');
    expect(description.result).toBe('passed');
    expect(description.stepLabel).toBeNull();
    expect(description.reasonText).toBeNull();
  });

  it('shows a pending unit apart from PASS', () => {
    const checks = TOKEN_PASS.map((each) =>
      each.check === 'server' || each.check === 'live-connection' ? { ...each, verdict: 'deferred' as const, reasonCode: 'qa-server-unreachable' as const } : each,
    );
    // The station counts a pending unit as passed, so only qaResult distinguishes the two.
    const description = describeJob(makeJob({ workflow: 'qa', state: 'done', step: 'check-device', result: 'passed', qaResult: 'pending', checks }));

    expect(description.tone).toBe('pending');
    expect(description.headline).toBe('QA pending server check');
    expect(description.result).toBe('pending');
  });

  it('names the first failed check', () => {
    const checks = TOKEN_PASS.map((each) =>
      each.check === 'stored-credential' ? { ...each, verdict: 'failed' as const, reasonCode: 'qa-credential-mismatch' as const } : each,
    );
    const description = describeJob(
      makeJob({ workflow: 'qa', state: 'done', step: 'stored-credential', result: 'failed', reasonCode: 'qa-credential-mismatch', qaResult: 'failed', checks }),
    );

    expect(description.tone).toBe('fail');
    expect(description.headline).toBe('FAIL');
    expect(description.result).toBe('failed');
    expect(description.stepLabel).toBe('Failed at: Stored credential');
    // The checklist row carries the reason, so the card does not repeat it.
    expect(description.reasonText).toBeNull();
    expect(description.actionText).toBeNull();
  });

  it('shows a QA job without checks like a failed job', () => {
    const description = describeJob(
      makeJob({ workflow: 'qa', state: 'done', step: null, result: 'failed', reasonCode: 'port-busy', reasonDetail: '/dev/ttyUSB0', checks: null, qaResult: null }),
    );

    expect(description.headline).toBe('FAIL');
    expect(description.result).toBe('failed');
    expect(description.reasonText).toBe(`${REASON_MESSAGES['port-busy'].message}: /dev/ttyUSB0`);
    expect(description.actionText).toBe(REASON_MESSAGES['port-busy'].action);
  });

  it('names the QA steps while running', () => {
    expect(describeJob(makeJob({ workflow: 'qa', state: 'running', step: 'sign' })).stepLabel).toBe('Step: Sign challenge');
    expect(describeJob(makeJob({ workflow: 'qa', state: 'running', step: 'connect-test' })).stepLabel).toBe('Step: Connection test');
    expect(describeJob(makeJob({ workflow: 'qa', state: 'running', step: 'check-device' })).stepLabel).toBe('Step: Check device');
  });

  it('names checks as steps', () => {
    expect(stepName('live-connection')).toBe('Live connection');
    expect(stepName('verify')).toBe('Verify');
  });
});
