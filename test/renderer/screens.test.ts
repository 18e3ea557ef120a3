// @vitest-environment jsdom
// The screens as a technician uses them, rendered in jsdom over a FakeStation.
import { act, cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StationCallError } from '../../src/shared/api';
import { describeReason, REASON_MESSAGES } from '../../src/shared/messages';
import { FakeStation, makeHistoryEntry, makeJob, makeQueueEntry, makeSetup, makeSyncStatus } from './fake-station';
import { renderApp, renderWithoutStation, settle } from './render-app';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

async function openApp(station: FakeStation): Promise<ReturnType<typeof renderApp>> {
  const view = renderApp(station);
  await settle();
  return view;
}

function card(port: string): HTMLElement {
  const found = screen.getAllByTestId('port-card').find((element) => element.dataset.port === port);
  if (found === undefined) {
    throw new Error(`no card for ${port}`);
  }
  return found;
}

describe('first run', () => {
  it('shows the setup until saved', async () => {
    const station = new FakeStation();
    station.setup = makeSetup({ configured: false, ports: { paths: [], matches: [], patterns: [] } });
    const user = userEvent.setup();
    await openApp(station);

    expect(screen.getByTestId('first-run')).toBeDefined();
    expect(screen.queryByTestId('nav-provision')).toBeNull();

    await user.type(screen.getByTestId('setup-port-paths'), '/dev/ttyUSB0');
    await user.type(screen.getByTestId('setup-new-pin'), '1357');
    await user.type(screen.getByTestId('setup-new-pin-repeat'), '1357');
    await user.click(screen.getByTestId('setup-save'));
    await settle();

    expect(station.callsTo('setupSave')).toHaveLength(1);
    expect(screen.queryByTestId('first-run')).toBeNull();
    expect(screen.getByTestId('provision-screen')).toBeDefined();
    expect(screen.getByTestId('nav-provision').getAttribute('aria-current')).toBe('page');
  });

  it('links each message to its field', async () => {
    const station = new FakeStation();
    station.setup = makeSetup({ configured: false });
    const user = userEvent.setup();
    await openApp(station);

    const stationId = screen.getByTestId('setup-station-id');
    await user.clear(stationId);
    await user.type(stationId, 'line 1');
    await user.tab();

    const message = screen.getByTestId('field-error-stationId');
    expect(message.textContent).toContain('A station id uses letters, digits, dot, dash and underscore only.');
    expect(stationId.getAttribute('aria-invalid')).toBe('true');
    expect(stationId.getAttribute('aria-describedby')?.split(' ')).toContain(message.id);
  });

  it('shows every message on a rejected save', async () => {
    const station = new FakeStation();
    station.setup = makeSetup({ configured: false, ports: { paths: [], matches: [], patterns: [] } });
    const user = userEvent.setup();
    await openApp(station);

    await user.click(screen.getByTestId('setup-save'));
    await settle();

    expect(station.callsTo('setupSave')).toEqual([]);
    expect(screen.getByTestId('field-error-ports').textContent).toContain('Give at least one port');
    expect(screen.getByTestId('field-error-newPin').textContent).toContain('Set a supervisor PIN of 4 to 12 digits.');
    expect(document.activeElement).toBe(screen.getByTestId('setup-new-pin'));
  });

  it('lists a station message with no field', async () => {
    const station = new FakeStation();
    station.setup = makeSetup({ configured: false });
    station.saveFieldErrors = { setup: 'The station could not check this setup.' };
    const user = userEvent.setup();
    await openApp(station);

    await user.type(screen.getByTestId('setup-new-pin'), '1357');
    await user.type(screen.getByTestId('setup-new-pin-repeat'), '1357');
    await user.click(screen.getByTestId('setup-save'));
    await settle();

    expect(screen.getByTestId('setup-errors').textContent).toContain('The station could not check this setup.');
  });

  it('never shows a saved secret', async () => {
    const station = new FakeStation();
    station.setup = makeSetup({ server: { mode: 'online', url: 'http://127.0.0.1:8080', auth: 'password', username: 'tenant@example.com', secretSaved: true, mqttPort: 1883, mqttsPort: 8883 } });
    const user = userEvent.setup();
    await openApp(station);

    await user.click(screen.getByTestId('nav-settings'));

    expect(screen.getByTestId<HTMLInputElement>('setup-password').value).toBe('');
    expect(screen.getByTestId('setup-secret-saved').textContent).toBe('A secret is saved. Leave this empty to keep it.');
  });
});

describe('provisioning screen', () => {
  it('shows PASS and FAIL in words', async () => {
    const station = new FakeStation();
    station.jobs = [
      makeJob({ port: '/dev/ttyUSB0', state: 'done', step: 'verify', result: 'passed' }),
      makeJob({ port: '/dev/ttyUSB1', state: 'done', step: 'write', result: 'failed', reasonCode: 'device-not-accepting-data' }),
    ];
    await openApp(station);

    const passed = within(card('/dev/ttyUSB0')).getByTestId('port-card-result');
    expect(passed.textContent).toContain('PASS');
    expect(passed.dataset.result).toBe('passed');

    const failed = card('/dev/ttyUSB1');
    expect(within(failed).getByTestId('port-card-result').textContent).toContain('FAIL');
    expect(within(failed).getByTestId('port-card-result').dataset.result).toBe('failed');
    expect(within(failed).getByTestId('port-card-step').textContent).toBe('Failed at: Write');
    expect(within(failed).getByTestId('port-card-reason').textContent).toBe(REASON_MESSAGES['device-not-accepting-data'].message);
    expect(within(failed).getByTestId('port-card-action').textContent).toBe(REASON_MESSAGES['device-not-accepting-data'].action);
  });

  it('follows port events', async () => {
    const station = new FakeStation();
    station.jobs = [makeJob({ port: '/dev/ttyUSB0', state: 'running', step: 'write', progress: 0.5 })];
    await openApp(station);
    expect(within(card('/dev/ttyUSB0')).getByTestId('port-card-progress').getAttribute('value')).toBe('50');

    act(() => {
      station.emit({ type: 'port-job', job: makeJob({ port: '/dev/ttyUSB0', state: 'waiting-for-device', step: 'write' }) });
      station.emit({ type: 'port-job', job: makeJob({ port: '/dev/ttyUSB1', state: 'waiting-for-scan', step: 'identify' }) });
    });

    expect(within(card('/dev/ttyUSB0')).getByTestId('port-card-status').textContent).toContain('Waiting for the device');
    expect(within(card('/dev/ttyUSB1')).getByTestId('port-card-status').textContent).toContain('Scan the serial number');

    act(() => station.emit({ type: 'port-removed', port: '/dev/ttyUSB0' }));

    expect(screen.getAllByTestId('port-card').map((element) => element.dataset.port)).toEqual(['/dev/ttyUSB1']);
  });

  it('shows the shift counters', async () => {
    const station = new FakeStation();
    station.counters = { since: '2025-03-04T06:00:00.000Z', passed: 41, failed: 3, unitsPerHour: 37.26 };
    await openApp(station);

    expect(screen.getByTestId('shift-passed').textContent).toBe('41');
    expect(screen.getByTestId('shift-failed').textContent).toBe('3');
    expect(screen.getByTestId('shift-units-per-hour').textContent).toBe('37.3');
  });

  it('says why the station serves no ports', async () => {
    const station = new FakeStation();
    station.stationStateValue = { running: false, status: 'error', reasonCode: 'port-permission-denied', reasonDetail: '/dev/ttyUSB0' };
    await openApp(station);

    const banner = screen.getByTestId('station-state');
    expect(banner.textContent).toContain('The station is not serving its ports.');
    expect(banner.textContent).toContain(REASON_MESSAGES['port-permission-denied'].message);
  });
});

describe('scan input', () => {
  const PATTERN = '^SN[0-9]{8}$';

  function scanStation(): FakeStation {
    const station = new FakeStation();
    station.setup = makeSetup({ naming: { mode: 'scan', pattern: PATTERN } });
    station.jobs = [makeJob({ port: '/dev/ttyUSB2', state: 'waiting-for-scan' })];
    return station;
  }

  it('takes the focus and a scan', async () => {
    const station = scanStation();
    const user = userEvent.setup();
    await openApp(station);

    expect(document.activeElement).toBe(screen.getByTestId('scan-input'));

    await user.keyboard('SN12345678{Enter}');
    await settle();

    expect(station.callsTo('scanSerial')).toEqual([['SN12345678']]);
    expect(screen.getByTestId('scan-message').textContent).toContain('Serial SN12345678 goes to the unit on /dev/ttyUSB2.');
    expect(screen.getByTestId<HTMLInputElement>('scan-input').value).toBe('');
  });

  it('names the keyboard layout of a bad scan', async () => {
    const station = scanStation();
    const user = userEvent.setup();
    await openApp(station);

    await user.keyboard('SN&é"\'(-è_{Enter}');
    await settle();

    expect(station.callsTo('scanSerial')).toEqual([]);
    const message = screen.getByTestId('scan-message');
    expect(message.dataset.tone).toBe('rejected');
    expect(message.textContent).toContain('The scanner types for a French (AZERTY) keyboard; set the scanner or the PC to the same keyboard layout.');
  });

  it('takes the focus back after a click', async () => {
    const station = scanStation();
    const user = userEvent.setup();
    await openApp(station);

    await user.click(card('/dev/ttyUSB2'));

    expect(document.activeElement).toBe(screen.getByTestId('scan-input'));
  });

  it('takes a scan typed while a button has the focus', async () => {
    const station = scanStation();
    const user = userEvent.setup();
    await openApp(station);
    screen.getByTestId('nav-queue').focus();

    await user.keyboard('S');

    expect(document.activeElement).toBe(screen.getByTestId('scan-input'));
  });

  it('leaves Tab and Enter to the focused button', async () => {
    const station = scanStation();
    const user = userEvent.setup();
    await openApp(station);
    screen.getByTestId('nav-history').focus();

    await user.keyboard('{Enter}');
    await settle();

    expect(screen.getByTestId('history-screen')).toBeDefined();
  });

  it('leaves the focus in another input', async () => {
    const station = scanStation();
    await openApp(station);
    const other = document.createElement('input');
    document.body.append(other);

    other.focus();
    other.click();

    expect(document.activeElement).toBe(other);
    other.remove();
  });

  it('is absent when names come from a rule', async () => {
    await openApp(new FakeStation());

    expect(screen.queryByTestId('scan-input')).toBeNull();
  });
});

describe('header badge', () => {
  it('shows the outbox counts and last sync', async () => {
    const station = new FakeStation();
    station.status = makeSyncStatus({ queued: 3, parked: 1, lastContactAt: '2025-03-04T10:05:00.000Z' });
    await openApp(station);

    expect(screen.getByTestId('header-queued').textContent).toBe('Queued 3');
    expect(screen.getByTestId('header-parked').textContent).toBe('Parked 1');
    expect(screen.getByTestId('header-last-sync').dataset.time).toBe('2025-03-04T10:05:00.000Z');
    expect(screen.getByTestId('header-last-sync').textContent).toMatch(/^Last sync /);
    expect(screen.queryByTestId('header-offline')).toBeNull();
    expect(screen.queryByTestId('header-needs-sign-in')).toBeNull();
  });

  it('says offline and needs sign-in', async () => {
    const station = new FakeStation();
    station.status = makeSyncStatus({ serverConfigured: false });
    await openApp(station);

    expect(screen.getByTestId('header-offline').textContent).toBe('Offline');
    expect(screen.getByTestId('header-last-sync').textContent).toBe('Never synced');

    act(() => station.emit({ type: 'sync-status', status: makeSyncStatus({ needsSignIn: 'ThingsBoard rejected the user name or password' }) }));

    expect(screen.queryByTestId('header-offline')).toBeNull();
    expect(screen.getByTestId('header-needs-sign-in').textContent).toBe('Needs sign-in');
  });
});

describe('settings', () => {
  it('asks for the PIN and unlocks', async () => {
    const station = new FakeStation();
    station.setup = makeSetup({ pinSet: true });
    const user = userEvent.setup();
    await openApp(station);

    await user.click(screen.getByTestId('nav-settings'));
    expect(screen.queryByTestId('setup-form')).toBeNull();

    await user.type(screen.getByTestId('settings-unlock-pin'), '1111');
    await user.click(screen.getByTestId('settings-unlock-submit'));
    await settle();
    expect(screen.getByTestId('settings-unlock-error').textContent).toContain('Wrong PIN');
    expect(screen.queryByTestId('setup-form')).toBeNull();

    await user.type(screen.getByTestId('settings-unlock-pin'), station.pin);
    await user.click(screen.getByTestId('settings-unlock-submit'));
    await settle();
    expect(screen.getByTestId('setup-form')).toBeDefined();
  });

  it('locks again on an event and on Lock', async () => {
    const station = new FakeStation();
    station.setup = makeSetup({ pinSet: true });
    const user = userEvent.setup();
    const { stores } = await openApp(station);
    await user.click(screen.getByTestId('nav-settings'));
    await act(async () => {
      await stores.supervisor.getState().unlock(station.pin);
    });
    expect(screen.getByTestId('setup-form')).toBeDefined();

    act(() => station.emit({ type: 'supervisor', unlocked: false }));
    expect(screen.getByTestId('settings-unlock-pin')).toBeDefined();

    await act(async () => {
      await stores.supervisor.getState().unlock(station.pin);
    });
    await user.click(screen.getByTestId('settings-lock'));
    await settle();
    expect(station.callsTo('supervisorLock')).toHaveLength(1);
    expect(screen.getByTestId('settings-unlock-pin')).toBeDefined();
  });

  it('asks for the PIN when a save is locked', async () => {
    const station = new FakeStation();
    station.failNext('setupSave', new StationCallError('settings-locked', describeReason('settings-locked')));
    const user = userEvent.setup();
    await openApp(station);
    await user.click(screen.getByTestId('nav-settings'));

    await user.clear(screen.getByTestId('setup-station-id'));
    await user.type(screen.getByTestId('setup-station-id'), 'LINE2-ST1');
    await user.click(screen.getByTestId('setup-save'));
    await settle();

    expect(screen.getByTestId('settings-unlock-pin')).toBeDefined();
    expect(screen.queryByTestId('alert')).toBeNull();
  });
});

describe('queue screen', () => {
  it('offers the resolutions of a parked upload', async () => {
    const station = new FakeStation();
    station.queue = [
      makeQueueEntry({ id: 4, state: 'parked', reason: 'The server holds other credentials for this device', resolutions: ['retry', 'overwrite', 'reprovision'] }),
      makeQueueEntry({ id: 5, unitName: 'TH-1-0043', state: 'held' }),
    ];
    const user = userEvent.setup();
    await openApp(station);

    await user.click(screen.getByTestId('nav-queue'));
    await settle();

    const rows = screen.getAllByTestId('queue-row');
    expect(rows.map((row) => row.dataset.state)).toEqual(['parked', 'held']);
    expect(within(rows[0] as HTMLElement).getByTestId('queue-reason').textContent).toBe('The server holds other credentials for this device');
    expect(within(rows[1] as HTMLElement).queryAllByRole('button')).toEqual([]);

    await user.click(within(rows[0] as HTMLElement).getByTestId('queue-resolve-overwrite'));
    await settle();
    expect(station.callsTo('queueResolve')).toEqual([]);
    expect(screen.getByTestId('queue-confirm-text').textContent).toContain('Replace the server');

    await user.click(screen.getByTestId('queue-confirm'));
    await settle();

    expect(station.callsTo('queueResolve')).toEqual([[4, 'overwrite']]);
    expect(screen.getAllByTestId('queue-row')[0]?.dataset.state).toBe('queued');
  });

  it('shows a failed call in the alert region', async () => {
    const station = new FakeStation();
    station.failNext('queueList', new Error('The station database failed. Check the disk, then restart the station.'));
    const user = userEvent.setup();
    await openApp(station);

    await user.click(screen.getByTestId('nav-queue'));
    await settle();

    expect(within(screen.getByRole('alert', { name: 'Errors' })).getByText('The station database failed. Check the disk, then restart the station.')).toBeDefined();
    expect(screen.getByTestId('queue-screen')).toBeDefined();
  });
});

describe('history screen', () => {
  it('searches and exports the CSV', async () => {
    const station = new FakeStation();
    station.history = [makeHistoryEntry({ unitId: 1, name: 'TH-1-0001', hardwareId: 'HW0001' }), makeHistoryEntry({ unitId: 2, name: 'TH-1-0002', hardwareId: 'HW0002', result: 'failed', syncState: 'none' })];
    const blobs: Blob[] = [];
    const downloads: string[] = [];
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: (blob: Blob) => (blobs.push(blob), 'blob:history'), revokeObjectURL: () => undefined }));
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      downloads.push(this.download);
    });
    const user = userEvent.setup();
    await openApp(station);

    await user.click(screen.getByTestId('nav-history'));
    await settle();
    expect(screen.getAllByTestId('history-row')).toHaveLength(2);

    await user.type(screen.getByTestId('history-search'), 'hw0002');
    await settle();
    const rows = screen.getAllByTestId('history-row');
    expect(rows.map((row) => row.dataset.unitId)).toEqual(['2']);
    expect(within(rows[0] as HTMLElement).getByTestId('history-result').textContent).toContain('FAIL');

    await user.click(screen.getByTestId('history-export'));
    await settle();

    expect(downloads).toEqual(['history-LINE1-ST3.csv']);
    expect(await blobs[0]?.text()).toBe('name,hardwareId\nTH-1-0002,HW0002');
  });
});

describe('app frame', () => {
  it('says when the services did not start', async () => {
    const station = new FakeStation();
    station.info = { ...station.info, servicesReady: false, reason: 'the station database is locked by another process' };
    await openApp(station);

    expect(screen.getByTestId('services-down').textContent).toContain('the station database is locked by another process');
  });

  it('explains a page without the station', () => {
    renderWithoutStation();

    expect(screen.getByTestId('no-bridge').textContent).toContain('Open the address that "station serve" printed');
  });

  it('offers a retry when the setup does not load', async () => {
    const station = new FakeStation();
    station.failNext('setupGet', new Error('The station database failed. Check the disk, then restart the station.'));
    const user = userEvent.setup();
    await openApp(station);

    expect(screen.getByRole('alert', { name: 'Errors' }).textContent).toContain('The station database failed.');

    await user.click(screen.getByTestId('setup-retry'));
    await settle();

    expect(screen.getByTestId('provision-screen')).toBeDefined();
  });
});
