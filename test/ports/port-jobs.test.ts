// The runner's per-port status, as the StationApi's portJobs call returns it: the step a job
// is in while it runs, then the unit and result once it is done. Also the HELLO a job on a
// probed port leaves out.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PortJob } from '../../src/shared/api';
import type { DeviceLink } from '../../src/main/device/link';
import { isSocatAvailable } from '../../src/devkit/pty-pair';
import { PortWatcher } from '../../src/main/device/port-watcher';
import { openSerialLink } from '../../src/main/device/serial-link';
import { StationRunner, type UnitReport } from '../../src/main/provisioning/station-runner';
import { Store } from '../../src/main/store/store';
import { useRig } from '../integration/rig';
import { useTempDir } from '../helpers/temp-dir';

const hasSocat = await isSocatAvailable();

describe.skipIf(!hasSocat)('port jobs', () => {
  const rig = useRig();
  const tempDir = useTempDir();

  it('reports step, then unit and result', async () => {
    const dir = tempDir();
    // Paced at 115200 baud, so the job lasts long enough to be seen running.
    const device = await rig.device(dir, 'card', { baudRate: 115_200 });
    const store = new Store(join(dir, 'station.db'));
    const reports: UnitReport[] = [];
    const runner = new StationRunner({
      store,
      watcher: new PortWatcher({ selection: { paths: [device.stationPath], matches: [], pathPatterns: [], identities: new Map([[device.stationPath, 'CARD-1']]) } }),
      openLink: (path) => openSerialLink(path),
      credentialType: 'token',
      onUnit: (report) => reports.push(report),
    });

    const seen: PortJob[] = [];
    try {
      expect(runner.portJobs()).toEqual([]);
      runner.start();
      while (reports.length === 0) {
        seen.push(...runner.portJobs());
        await new Promise((resolve) => setTimeout(resolve, 5));
      }

      const running = seen.filter((job) => job.state === 'running');
      expect(running.length).toBeGreaterThan(0);
      expect(new Set(running.map((job) => job.step))).toContain('write');
      expect(running[0]?.identity).toBe('given:CARD-1');

      const [done] = runner.portJobs();
      expect(done?.port).toBe(device.stationPath);
      expect(done?.state).toBe('done');
      expect(done?.result).toBe('passed');
      expect(done?.unitName).toBe(reports[0]?.name);
      expect(done?.hardwareId).toBe(device.state().hardwareId);
      expect(done?.step).toBe('verify');
      expect(done?.reasonCode).toBeNull();
    } finally {
      await runner.stop();
      store.close();
    }
  });

  it('probed unit skips second HELLO', async () => {
    const dir = tempDir();
    const device = await rig.device(dir, 'first', { hardwareId: 'PROBED-1' });
    const store = new Store(join(dir, 'station.db'));
    const reports: UnitReport[] = [];
    // Each link the runner opens, with the HELLO and VERIFY calls made on it from outside.
    const links: Array<{ probe: boolean; hello: number; verify: number }> = [];
    const countingLink = async (path: string, probe: boolean): Promise<DeviceLink> => {
      const link = await openSerialLink(path, probe ? { requestTimeoutMs: 300, retries: 0 } : {});
      const calls = { probe, hello: 0, verify: 0 };
      links.push(calls);
      return {
        ...link,
        path: link.path,
        hello: () => {
          calls.hello += 1;
          return link.hello();
        },
        verify: () => {
          calls.verify += 1;
          return link.verify();
        },
        writeFields: (fields, onProgress) => link.writeFields(fields, onProgress),
        close: () => link.close(),
      };
    };
    const runner = new StationRunner({
      store,
      watcher: new PortWatcher({ selection: { paths: [device.stationPath], matches: [], pathPatterns: [] } }),
      openLink: countingLink,
      credentialType: 'token',
      probeIntervalMs: 50,
      onUnit: (report) => reports.push(report),
    });

    try {
      runner.start();
      await waitFor(() => reports.length === 1);
      await device.restart({ stateFile: join(dir, 'second.json'), hardwareId: 'PROBED-2' });
      await waitFor(() => reports.length === 2);

      expect(reports.map((report) => report.result)).toEqual(['passed', 'passed']);
      expect(reports[1]?.hardwareId).toBe('PROBED-2');
      // The first job opened the port itself and sent HELLO. The second ran on the probe's link,
      // where the probe's HELLO was the only one.
      const jobLinks = links.filter((link) => link.verify > 0);
      expect(jobLinks).toEqual([
        { probe: false, hello: 1, verify: 2 },
        { probe: true, hello: 1, verify: 2 },
      ]);
      const steps = store.jobSteps(reports[1]?.jobId ?? 0).map((entry) => `${entry.step}:${entry.state}`);
      expect(steps.slice(0, 2)).toEqual(['hello:started', 'hello:done']);
    } finally {
      await runner.stop();
      store.close();
    }
  });
});

/** Polls `done` every 10 ms, up to 20 s. */
async function waitFor(done: () => boolean): Promise<void> {
  const started = Date.now();
  while (!done()) {
    if (Date.now() - started > 20_000) {
      throw new Error('the runner did not report the expected units within 20 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
