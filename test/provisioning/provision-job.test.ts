// The provisioning job against the simulator over the in-process virtual binding: the
// credential is committed before the device sees it, a job cut short resumes with the same
// credential, and a device that stores something else fails the unit.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceLink } from '../../src/main/device/link';
import { runProvisionJob } from '../../src/main/provisioning/provision-job';
import { Store } from '../../src/main/store/store';
import { startHarness, type Harness } from '../device/harness';
import { useTempDir } from '../helpers/temp-dir';

const tempDir = useTempDir();
const harnesses: Harness[] = [];
afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.close();
});

async function device(settings: Parameters<typeof startHarness>[1] = {}): Promise<Harness> {
  const harness = await startHarness('virtual', { baudRate: 0, ...settings }, { requestTimeoutMs: 300, retries: 1 });
  harnesses.push(harness);
  return harness;
}

describe('runProvisionJob', () => {
  it('journals each step and passes a unit whose digests match', async () => {
    const store = new Store(join(tempDir(), 'station.db'));
    const harness = await device({ hardwareId: 'HW-J1' });

    const outcome = await runProvisionJob({ store, link: harness.link, credentialType: 'token', server: { host: 'tb.example', port: 1883 } });

    expect(outcome).toMatchObject({ result: 'passed', name: 'PS-SIM-1-HW-J1', resumed: false });
    const steps = store.jobSteps(outcome.jobId).map((entry) => `${entry.step}:${entry.state}`);
    expect(steps).toEqual([
      'hello:started', 'hello:done', 'identify:started', 'identify:done', 'check-device:started', 'check-device:done',
      'credential:started', 'credential:done', 'write:started', 'write:done', 'verify:started', 'verify:done',
    ]);
    const state = await harness.readState();
    expect(state.stored).toMatchObject({ server_host: 'tb.example', server_port: '1883' });
    store.close();
  });

  it('probe hello replaces own HELLO', async () => {
    const store = new Store(join(tempDir(), 'station.db'));
    const harness = await device({ hardwareId: 'HW-PROBED' });
    const probed = await harness.link.hello();
    let helloCalls = 0;
    const counting: DeviceLink = {
      ...harness.link,
      path: harness.link.path,
      hello: () => {
        helloCalls += 1;
        return harness.link.hello();
      },
      verify: () => harness.link.verify(),
      writeFields: (fields) => harness.link.writeFields(fields),
    };

    const outcome = await runProvisionJob({ store, link: counting, credentialType: 'token', hello: probed });

    expect(outcome).toMatchObject({ result: 'passed', hardwareId: 'HW-PROBED' });
    expect(helloCalls).toBe(0);
    const steps = store.jobSteps(outcome.jobId).map((entry) => `${entry.step}:${entry.state}`);
    expect(steps.slice(0, 2)).toEqual(['hello:started', 'hello:done']);
    store.close();
  });

  it('job without probe hello sends HELLO', async () => {
    const store = new Store(join(tempDir(), 'station.db'));
    const harness = await device({ hardwareId: 'HW-FRESH' });
    let helloCalls = 0;
    const counting: DeviceLink = {
      ...harness.link,
      path: harness.link.path,
      hello: () => {
        helloCalls += 1;
        return harness.link.hello();
      },
      verify: () => harness.link.verify(),
      writeFields: (fields) => harness.link.writeFields(fields),
    };

    const outcome = await runProvisionJob({ store, link: counting, credentialType: 'token' });

    expect(outcome).toMatchObject({ result: 'passed', hardwareId: 'HW-FRESH' });
    expect(helloCalls).toBe(1);
    store.close();
  });

  it('commits the credential before the device hangs up mid-write, then resumes with it', async () => {
    const store = new Store(join(tempDir(), 'station.db'));
    const harness = await device({ hardwareId: 'HW-CUT', faults: { hangUpAt: 'commit' } });

    const cut = await runProvisionJob({ store, link: harness.link, credentialType: 'token' });
    expect(cut.result).toBe('failed');
    expect(['port-closed', 'device-timeout']).toContain(cut.reason?.code);
    const committed = store.activeCredential(cut.unitId ?? 0);
    expect(committed?.secret.type).toBe('token');
    expect(store.outboxCounts()).toMatchObject({ held: 1, queued: 0 });
    expect((await harness.readState()).stored.token).toBeUndefined();

    await harness.restartDevice({ hardwareId: 'HW-CUT', baudRate: 0 });
    const link = await harness.openLink();
    const resumed = await runProvisionJob({ store, link, credentialType: 'token' });

    expect(resumed.result).toBe('passed');
    expect((await harness.readState()).stored.token).toBe(committed?.secret.type === 'token' ? committed.secret.token : '');
    expect(store.listOutbox()).toHaveLength(1);
    expect(store.outboxCounts()).toMatchObject({ held: 0, queued: 1 });
    store.close();
  });

  it('fails a unit whose device stores something else', async () => {
    const store = new Store(join(tempDir(), 'station.db'));
    const harness = await device({ hardwareId: 'HW-BAD' });
    // A device with a firmware bug: it keeps one character less of the token than it was sent.
    const faulty: DeviceLink = {
      ...harness.link,
      path: harness.link.path,
      hello: () => harness.link.hello(),
      verify: () => harness.link.verify(),
      writeFields: (fields) => harness.link.writeFields({ ...fields, token: fields.token?.slice(0, -1) ?? '' }),
    };

    const outcome = await runProvisionJob({ store, link: faulty, credentialType: 'token' });

    expect(outcome.result).toBe('failed');
    expect(outcome.reason?.code).toBe('verify-mismatch');
    expect(outcome.reason?.detail).toContain('token');
    store.close();
  });

  it('rejects renames and taken names', async () => {
    const store = new Store(join(tempDir(), 'station.db'));
    const first = await device({ hardwareId: 'HW-N1' });
    await runProvisionJob({ store, link: first.link, credentialType: 'token', name: 'SN-1' });

    const renamed = await runProvisionJob({ store, link: first.link, credentialType: 'token', name: 'SN-2' });
    expect(renamed.reason?.code).toBe('unit-has-other-name');

    const second = await device({ hardwareId: 'HW-N2' });
    const clash = await runProvisionJob({ store, link: second.link, credentialType: 'token', name: 'SN-1' });
    expect(clash.reason?.code).toBe('unit-name-taken');
    expect(store.findUnitByHardwareId('HW-N2')).toBeUndefined();
    store.close();
  });

  it('keeps a unit on the credential type it already holds', async () => {
    const store = new Store(join(tempDir(), 'station.db'));
    const harness = await device({ hardwareId: 'HW-TYPE' });
    await runProvisionJob({ store, link: harness.link, credentialType: 'token' });

    const switched = await runProvisionJob({ store, link: harness.link, credentialType: 'mqtt-basic' });

    expect(switched.reason?.code).toBe('credential-type-unsupported');
    expect(store.listOutbox()).toHaveLength(1);
    store.close();
  });
});
