// The QA job over the in-process virtual binding, on a link whose HELLO a probe already sent.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceLink } from '../../src/main/device/link';
import { runProvisionJob } from '../../src/main/provisioning/provision-job';
import { runQaJob } from '../../src/main/qa/qa-job';
import { Store } from '../../src/main/store/store';
import { startHarness, type Harness } from '../device/harness';
import { useTempDir } from '../helpers/temp-dir';

const tempDir = useTempDir();
const harnesses: Harness[] = [];
afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.close();
});

describe('runQaJob', () => {
  it('probe hello replaces own HELLO', async () => {
    const store = new Store(join(tempDir(), 'station.db'));
    const harness = await startHarness('virtual', { hardwareId: 'HW-QA-PROBED', baudRate: 0 }, { requestTimeoutMs: 300, retries: 1 });
    harnesses.push(harness);
    const provisioned = await runProvisionJob({ store, link: harness.link, credentialType: 'token' });
    expect(provisioned.result).toBe('passed');

    // A new link to the same device, as the runner's probe opens one for the next job.
    await harness.link.close();
    const link = await harness.openLink({ requestTimeoutMs: 300, retries: 1 });
    const probed = await link.hello();
    let helloCalls = 0;
    const counting: DeviceLink = {
      ...link,
      path: link.path,
      hello: () => {
        helloCalls += 1;
        return link.hello();
      },
      verify: () => link.verify(),
      close: () => link.close(),
    };

    const outcome = await runQaJob({ store, link: counting, operator: 'tester', hello: probed });

    expect(helloCalls).toBe(0);
    expect(outcome.hardwareId).toBe('HW-QA-PROBED');
    expect(outcome.checks.find((check) => check.check === 'identity')?.verdict).toBe('passed');
    expect(outcome.checks.find((check) => check.check === 'stored-credential')?.verdict).toBe('passed');
    store.close();
  });
});
