// The provisioning store: port jobs from load and events, counters, and scanned serial numbers.
import { describe, expect, it } from 'vitest';
import { applyEvent, createStores } from '../../src/renderer/src/app/stores';
import { StationCallError } from '../../src/shared/api';
import { FakeStation, makeJob, makeSetup } from './fake-station';

const PATTERN = '^SN[0-9]{8}$';

function setUp(): { station: FakeStation; stores: ReturnType<typeof createStores> } {
  const station = new FakeStation();
  station.setup = makeSetup({ naming: { mode: 'scan', pattern: PATTERN } });
  return { station, stores: createStores(station) };
}

describe('provision store jobs', () => {
  it('loads the jobs and counters', async () => {
    const { station, stores } = setUp();
    station.jobs = [makeJob({ port: '/dev/ttyUSB0' }), makeJob({ port: '/dev/ttyUSB1' })];
    station.counters = { since: '2025-03-04T06:00:00.000Z', passed: 12, failed: 2, unitsPerHour: 30 };

    await stores.provision.getState().load();

    expect(stores.provision.getState().jobs.map((job) => job.port)).toEqual(['/dev/ttyUSB0', '/dev/ttyUSB1']);
    expect(stores.provision.getState().counters?.passed).toBe(12);
    expect(stores.provision.getState().loaded).toBe(true);
  });

  it('updates a port in place', () => {
    const { stores } = setUp();
    applyEvent(stores, { type: 'port-job', job: makeJob({ port: '/dev/ttyUSB0' }) });
    applyEvent(stores, { type: 'port-job', job: makeJob({ port: '/dev/ttyUSB1' }) });

    applyEvent(stores, { type: 'port-job', job: makeJob({ port: '/dev/ttyUSB0', state: 'done', result: 'passed' }) });

    const jobs = stores.provision.getState().jobs;
    expect(jobs.map((job) => job.port)).toEqual(['/dev/ttyUSB0', '/dev/ttyUSB1']);
    expect(jobs[0]?.result).toBe('passed');
  });

  it('drops a removed port', () => {
    const { stores } = setUp();
    applyEvent(stores, { type: 'port-job', job: makeJob({ port: '/dev/ttyUSB0' }) });
    applyEvent(stores, { type: 'port-job', job: makeJob({ port: '/dev/ttyUSB1' }) });

    applyEvent(stores, { type: 'port-removed', port: '/dev/ttyUSB0' });

    expect(stores.provision.getState().jobs.map((job) => job.port)).toEqual(['/dev/ttyUSB1']);
  });

  it('keeps events that cross a load', async () => {
    const { station, stores } = setUp();
    station.jobs = [makeJob({ port: '/dev/ttyUSB0', state: 'running' }), makeJob({ port: '/dev/ttyUSB1' })];
    const release = station.hold('portJobs');

    const loading = stores.provision.getState().load();
    applyEvent(stores, { type: 'port-job', job: makeJob({ port: '/dev/ttyUSB0', state: 'done', result: 'failed' }) });
    applyEvent(stores, { type: 'port-removed', port: '/dev/ttyUSB1' });
    applyEvent(stores, { type: 'port-job', job: makeJob({ port: '/dev/ttyUSB2' }) });
    release();
    await loading;

    const jobs = stores.provision.getState().jobs;
    expect(jobs.map((job) => job.port)).toEqual(['/dev/ttyUSB0', '/dev/ttyUSB2']);
    expect(jobs[0]?.result).toBe('failed');
  });

  it('takes counters from shift events', () => {
    const { stores } = setUp();

    applyEvent(stores, { type: 'shift', counters: { since: '2025-03-04T06:00:00.000Z', passed: 3, failed: 1, unitsPerHour: 42 } });

    expect(stores.provision.getState().counters).toEqual({ since: '2025-03-04T06:00:00.000Z', passed: 3, failed: 1, unitsPerHour: 42 });
  });

  it('reports a failed load in the alerts', async () => {
    const { station, stores } = setUp();
    station.failNext('portJobs', new StationCallError('store-failed', 'The station database failed. Check the disk, then restart the station.'));

    await stores.provision.getState().load();

    expect(stores.alerts.getState().alerts.map((alert) => alert.text)).toEqual(['The station database failed. Check the disk, then restart the station.']);
    expect(stores.provision.getState().loaded).toBe(false);
  });
});

describe('provision store scans', () => {
  it('names the AZERTY layout without calling the station', async () => {
    const { station, stores } = setUp();

    await stores.provision.getState().submitScan('SN&é"\'(-è_', PATTERN);

    const message = stores.provision.getState().scanMessage;
    expect(message?.tone).toBe('rejected');
    expect(message?.text).toContain('French (AZERTY) keyboard');
    expect(station.callsTo('scanSerial')).toEqual([]);
  });

  it.each([
    ['SN!@#$%^&*', 'Caps Lock or Shift'],
    ['sn12345678', 'wrong case'],
    ['XY', 'does not match the pattern ^SN[0-9]{8}$'],
    ['   ', 'Nothing was scanned'],
  ])('rejects %j with a hint', async (raw, expected) => {
    const { station, stores } = setUp();

    await stores.provision.getState().submitScan(raw, PATTERN);

    expect(stores.provision.getState().scanMessage?.text).toContain(expected);
    expect(station.callsTo('scanSerial')).toEqual([]);
  });

  it('names Y and Z swapped by QWERTZ', async () => {
    const { stores } = setUp();

    await stores.provision.getState().submitScan('ZX12', '^YX[0-9]{2}$');

    expect(stores.provision.getState().scanMessage?.text).toContain('German (QWERTZ) keyboard');
  });

  it('sends a valid scan to the waiting port', async () => {
    const { station, stores } = setUp();
    station.jobs = [makeJob({ port: '/dev/ttyUSB3', state: 'waiting-for-scan' })];

    await stores.provision.getState().submitScan(' SN12345678 ', PATTERN);

    expect(station.callsTo('scanSerial')).toEqual([['SN12345678']]);
    expect(stores.provision.getState().scanMessage).toEqual({ tone: 'accepted', text: 'Serial SN12345678 goes to the unit on /dev/ttyUSB3.' });
  });

  it('keeps a scan for the next unit', async () => {
    const { stores } = setUp();

    await stores.provision.getState().submitScan('SN12345678', PATTERN);

    expect(stores.provision.getState().scanMessage?.text).toBe('Serial SN12345678 goes to the next unit.');
  });

  it('shows the station rejecting a taken serial', async () => {
    const { station, stores } = setUp();
    station.takenSerials.add('SN12345678');

    await stores.provision.getState().submitScan('SN12345678', PATTERN);

    const message = stores.provision.getState().scanMessage;
    expect(message?.tone).toBe('rejected');
    expect(message?.text).toContain('Another unit already has this serial number.');
  });

  it('alerts when the scan call fails', async () => {
    const { station, stores } = setUp();
    station.failNext('scanSerial', new Error('Not connected to the station; reconnecting. Try again in a moment.'));

    await stores.provision.getState().submitScan('SN12345678', PATTERN);

    expect(stores.alerts.getState().alerts.map((alert) => alert.text)).toEqual(['Not connected to the station; reconnecting. Try again in a moment.']);
    expect(stores.provision.getState().scanMessage).toBeNull();
    expect(stores.provision.getState().scanning).toBe(false);
  });
});
