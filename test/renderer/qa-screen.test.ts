// @vitest-environment jsdom
// A QA station as a technician uses it, rendered in jsdom over a FakeStation: the station mode
// in the setup, the header, and the checklist on each unit's card.
import { act, cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { REASON_MESSAGES } from '../../src/shared/messages';
import type { QaCheckResult } from '../../src/shared/qa';
import { FakeStation, makeJob, makeSetup } from './fake-station';
import { renderApp, settle } from './render-app';

afterEach(() => {
  cleanup();
});

async function openApp(station: FakeStation): Promise<ReturnType<typeof renderApp>> {
  const view = renderApp(station);
  await settle();
  return view;
}

function qaStation(): FakeStation {
  const station = new FakeStation();
  station.setup = makeSetup({ mode: 'qa' });
  return station;
}

function card(port: string): HTMLElement {
  const found = screen.getAllByTestId('port-card').find((element) => element.dataset.port === port);
  if (found === undefined) {
    throw new Error(`no card for ${port}`);
  }
  return found;
}

/** Returns each check row of a card as check name to verdict, from the data attributes. */
function verdicts(cardElement: HTMLElement): Record<string, string | undefined> {
  const rows = within(cardElement).getAllByTestId('qa-check');
  return Object.fromEntries(rows.map((row) => [row.dataset.check ?? '', row.dataset.verdict]));
}

function checkRow(cardElement: HTMLElement, check: string): HTMLElement {
  const found = within(cardElement)
    .getAllByTestId('qa-check')
    .find((row) => row.dataset.check === check);
  if (found === undefined) {
    throw new Error(`no row for the check ${check}`);
  }
  return found;
}

const PASSED_TOKEN_CHECKS: QaCheckResult[] = [
  { check: 'identity', verdict: 'passed', reasonCode: null, detail: 'hardware id HW0042' },
  { check: 'stored-credential', verdict: 'passed', reasonCode: null, detail: '1 fields match' },
  { check: 'server', verdict: 'passed', reasonCode: null, detail: null },
  { check: 'certificate', verdict: 'not-applicable', reasonCode: null, detail: 'token units have no certificate' },
  { check: 'key-possession', verdict: 'not-applicable', reasonCode: null, detail: 'token units have no private key' },
  { check: 'live-connection', verdict: 'passed', reasonCode: null, detail: 'mqtt: seen by the server' },
];

function withVerdict(check: string, change: Partial<QaCheckResult>): QaCheckResult[] {
  return PASSED_TOKEN_CHECKS.map((each) => (each.check === check ? { ...each, ...change } : each));
}

describe('station mode in the setup', () => {
  it('sets up a QA station', async () => {
    const station = new FakeStation();
    station.setup = makeSetup({ configured: false });
    const user = userEvent.setup();
    await openApp(station);

    expect(screen.getByTestId<HTMLInputElement>('setup-mode-provision').checked).toBe(true);
    expect(screen.getByTestId('setup-credential-type')).toBeDefined();

    await user.click(screen.getByTestId('setup-mode-qa'));

    expect(screen.queryByTestId('setup-credential-type')).toBeNull();
    expect(screen.queryByTestId('setup-naming-mode-rule')).toBeNull();
    expect(screen.queryByTestId('setup-device-profile')).toBeNull();
    expect(screen.getByTestId('setup-qa-note').textContent).toContain('the credential, device name and device profile settings are not used');
    expect(screen.getByTestId('setup-port-paths')).toBeDefined();

    await user.type(screen.getByTestId('setup-new-pin'), '1357');
    await user.type(screen.getByTestId('setup-new-pin-repeat'), '1357');
    await user.click(screen.getByTestId('setup-save'));
    await settle();

    const sent = station.callsTo('setupSave')[0]?.[0] as { mode?: string };
    expect(sent.mode).toBe('qa');
    expect(screen.getByTestId('header-mode').dataset.mode).toBe('qa');
    expect(screen.getByTestId('header-mode').textContent).toBe('QA station');
    expect(screen.getByTestId('nav-provision').textContent).toBe('QA');
    expect(screen.getByRole('heading', { name: 'QA' })).toBeDefined();
  });

  it('keeps the provisioning settings while in QA mode', async () => {
    const station = new FakeStation();
    station.setup = makeSetup({ credentialType: 'x509', x509Mode: 'self-signed' });
    const user = userEvent.setup();
    await openApp(station);
    await user.click(screen.getByTestId('nav-settings'));

    await user.click(screen.getByTestId('setup-mode-qa'));
    await user.click(screen.getByTestId('setup-mode-provision'));

    expect(screen.getByTestId<HTMLSelectElement>('setup-credential-type').value).toBe('x509');
    expect(screen.getByTestId<HTMLSelectElement>('setup-x509-mode').value).toBe('self-signed');
  });

  it('shows a message on the mode next to it', async () => {
    const station = new FakeStation();
    station.saveFieldErrors = { mode: 'This station cannot run QA.' };
    const user = userEvent.setup();
    await openApp(station);
    await user.click(screen.getByTestId('nav-settings'));

    await user.click(screen.getByTestId('setup-mode-qa'));
    await user.click(screen.getByTestId('setup-save'));
    await settle();

    expect(screen.getByTestId('field-error-mode').textContent).toContain('This station cannot run QA.');
    expect(screen.getByTestId('setup-mode-qa').getAttribute('aria-invalid')).toBe('true');
  });

  it('lists a message on a hidden field', async () => {
    const station = new FakeStation();
    station.saveFieldErrors = { x509Mode: 'This mode signs with the station’s issuing CA, and none is set up.' };
    const user = userEvent.setup();
    await openApp(station);
    await user.click(screen.getByTestId('nav-settings'));

    await user.click(screen.getByTestId('setup-mode-qa'));
    await user.click(screen.getByTestId('setup-save'));
    await settle();

    expect(screen.getByTestId('setup-errors').textContent).toContain('none is set up');
  });

  it('names a provisioning station in the header', async () => {
    await openApp(new FakeStation());

    expect(screen.getByTestId('header-mode').dataset.mode).toBe('provision');
    expect(screen.getByTestId('header-mode').textContent).toBe('Provisioning station');
    expect(screen.getByTestId('nav-provision').textContent).toBe('Provisioning');
  });
});

describe('QA screen', () => {
  it('shows every check of a passed unit', async () => {
    const station = qaStation();
    station.jobs = [makeJob({ workflow: 'qa', state: 'done', step: 'connect-test', result: 'passed', qaResult: 'passed', checks: PASSED_TOKEN_CHECKS })];
    await openApp(station);

    const passed = card('/dev/ttyUSB0');
    const result = within(passed).getByTestId('port-card-result');
    expect(result.dataset.result).toBe('passed');
    expect(result.textContent).toContain('PASS');
    expect(verdicts(passed)).toEqual({
      identity: 'passed',
      'stored-credential': 'passed',
      server: 'passed',
      certificate: 'not-applicable',
      'key-possession': 'not-applicable',
      'live-connection': 'passed',
    });
    expect(within(checkRow(passed, 'identity')).getByTestId('qa-check-name').textContent).toBe('Identity');
    expect(within(checkRow(passed, 'identity')).getByTestId('qa-check-verdict').textContent).toContain('PASS');
    expect(within(checkRow(passed, 'certificate')).getByTestId('qa-check-verdict').textContent).toContain('N/A');
    expect(within(passed).queryByTestId('qa-check-reason')).toBeNull();
    expect(within(passed).queryByTestId('port-card-steps')).toBeNull();
  });

  it('marks each verdict with an icon beside its word', async () => {
    const station = qaStation();
    station.jobs = [makeJob({ workflow: 'qa', state: 'done', step: 'connect-test', result: 'passed', qaResult: 'passed', checks: PASSED_TOKEN_CHECKS })];
    await openApp(station);

    for (const row of within(card('/dev/ttyUSB0')).getAllByTestId('qa-check')) {
      const verdict = within(row).getByTestId('qa-check-verdict');
      const icon = verdict.querySelector('[aria-hidden="true"]');
      const drawn = (icon?.textContent ?? '') !== '' || icon?.querySelector('svg') !== null;
      expect(icon, row.dataset.check).not.toBeNull();
      expect(drawn, row.dataset.check).toBe(true);
    }
  });

  it('shows a pending unit in its own words', async () => {
    const station = qaStation();
    const deferred = { verdict: 'deferred' as const, reasonCode: 'qa-server-unreachable' as const, detail: 'no server is set up' };
    const checks = withVerdict('server', deferred).map((each) => (each.check === 'live-connection' ? { ...each, ...deferred } : each));
    station.jobs = [makeJob({ workflow: 'qa', state: 'done', step: 'check-device', result: 'passed', qaResult: 'pending', checks })];
    await openApp(station);

    const pending = card('/dev/ttyUSB0');
    expect(pending.dataset.tone).toBe('pending');
    const result = within(pending).getByTestId('port-card-result');
    expect(result.dataset.result).toBe('pending');
    expect(result.textContent).toBe('QA pending server check');
    expect(result.className).toContain('result-pending');

    const server = checkRow(pending, 'server');
    expect(server.dataset.verdict).toBe('deferred');
    expect(within(server).getByTestId('qa-check-verdict').textContent).toContain('WAITING');
    expect(within(server).getByTestId('qa-check-reason').textContent).toBe('The server cannot be reached, so this check waits: no server is set up');
    expect(within(server).getByTestId('qa-check-action').textContent).toBe(REASON_MESSAGES['qa-server-unreachable'].action);
  });

  it('shows a failed check with its reason and action', async () => {
    const station = qaStation();
    const checks = withVerdict('stored-credential', { verdict: 'failed', reasonCode: 'qa-credential-mismatch', detail: 'the device reports different contents for token' });
    station.jobs = [
      makeJob({ workflow: 'qa', state: 'done', step: 'stored-credential', result: 'failed', reasonCode: 'qa-credential-mismatch', qaResult: 'failed', checks }),
    ];
    await openApp(station);

    const failed = card('/dev/ttyUSB0');
    expect(within(failed).getByTestId('port-card-result').dataset.result).toBe('failed');
    expect(within(failed).getByTestId('port-card-result').textContent).toContain('FAIL');
    expect(within(failed).getByTestId('port-card-step').textContent).toBe('Failed at: Stored credential');

    const row = checkRow(failed, 'stored-credential');
    expect(within(row).getByTestId('qa-check-verdict').textContent).toContain('FAIL');
    expect(within(row).getByTestId('qa-check-reason').textContent).toBe(
      `${REASON_MESSAGES['qa-credential-mismatch'].message}: the device reports different contents for token`,
    );
    expect(within(row).getByTestId('qa-check-action').textContent).toBe(REASON_MESSAGES['qa-credential-mismatch'].action);
    expect(within(failed).getAllByTestId('qa-check-reason')).toHaveLength(1);
  });

  it('shows checks that did not run', async () => {
    const station = qaStation();
    const checks: QaCheckResult[] = [
      { check: 'identity', verdict: 'failed', reasonCode: 'qa-unit-unknown', detail: 'no server device is named "TH-1-HW9"' },
      ...PASSED_TOKEN_CHECKS.slice(1).map((each) => ({ ...each, verdict: 'not-run' as const, detail: 'the unit could not be identified' })),
    ];
    station.jobs = [makeJob({ workflow: 'qa', state: 'done', step: 'identity', result: 'failed', reasonCode: 'qa-unit-unknown', qaResult: 'failed', checks })];
    await openApp(station);

    const failed = card('/dev/ttyUSB0');
    expect(within(checkRow(failed, 'server')).getByTestId('qa-check-verdict').textContent).toContain('NOT RUN');
    expect(within(checkRow(failed, 'identity')).getByTestId('qa-check-action').textContent).toBe(REASON_MESSAGES['qa-unit-unknown'].action);
  });

  it('follows a QA job from running to its result', async () => {
    const station = qaStation();
    station.jobs = [makeJob({ workflow: 'qa', state: 'running', step: 'hello' })];
    await openApp(station);

    act(() => station.emit({ type: 'port-job', job: makeJob({ workflow: 'qa', state: 'running', step: 'sign' }) }));

    const running = card('/dev/ttyUSB0');
    expect(running.dataset.tone).toBe('running');
    expect(within(running).getByTestId('port-card-step').textContent).toBe('Step: Sign challenge');
    expect(within(running).queryByTestId('port-card-checks')).toBeNull();
    expect(within(running).queryByTestId('port-card-steps')).toBeNull();

    act(() =>
      station.emit({
        type: 'port-job',
        job: makeJob({ workflow: 'qa', state: 'done', step: 'connect-test', result: 'passed', qaResult: 'passed', checks: PASSED_TOKEN_CHECKS }),
      }),
    );

    expect(within(card('/dev/ttyUSB0')).getByTestId('port-card-result').dataset.result).toBe('passed');
    expect(within(card('/dev/ttyUSB0')).getAllByTestId('qa-check')).toHaveLength(6);
  });

  it('asks for no scan', async () => {
    const station = new FakeStation();
    station.setup = makeSetup({ mode: 'qa', naming: { mode: 'scan', pattern: '^SN[0-9]{8}$' } });
    await openApp(station);

    expect(screen.getByTestId('provision-screen')).toBeDefined();
    expect(screen.queryByTestId('scan-input')).toBeNull();
  });
});
