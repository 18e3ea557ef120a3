// The runner's per-port status, as the StationApi's portJobs call returns it: the step a job
// is in while it runs, then the unit and result once it is done.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PortJob } from '../../src/shared/api';
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
});
