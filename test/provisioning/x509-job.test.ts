// X.509 provisioning jobs cut short and run again: a certificate the device holds is kept, a
// device-made key still pending gets the same certificate again, and a station-made key that
// never reached the device is replaced while the old credential and its upload are retired.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createIssuer } from '../../src/main/credentials/x509/create-issuer';
import { createPassphraseProtector } from '../../src/main/credentials/x509/key-protector';
import { runProvisionJob } from '../../src/main/provisioning/provision-job';
import type { X509Settings } from '../../src/main/provisioning/x509-credential';
import { IssuerStore } from '../../src/main/store/issuer-store';
import { Store, type X509Mode } from '../../src/main/store/store';
import { startHarness, type Harness } from '../device/harness';
import { useTempDir } from '../helpers/temp-dir';

const tempDir = useTempDir();
const harnesses: Harness[] = [];
afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.close();
});

async function setUp(mode: X509Mode, hardwareId: string, faults = {}) {
  const store = new Store(join(tempDir(), 'station.db'));
  const issuerStore = new IssuerStore(store.database);
  const protector = createPassphraseProtector('test passphrase', { algorithm: 'scrypt', logN: 10, r: 8, p: 1 });
  await issuerStore.saveIssuer(await createIssuer({ name: 'Test station' }), protector, 'created');
  const x509: X509Settings = { mode, keyAlgorithm: 'ec-p256', issuerStore, issuer: await issuerStore.loadActiveIssuer(protector) };
  const harness = await startHarness('virtual', { hardwareId, baudRate: 0, faults }, { requestTimeoutMs: 300, retries: 1 });
  harnesses.push(harness);
  return { store, issuerStore, x509, harness };
}

function activeSerial(store: Store, unitId: number): string {
  const secret = store.activeCredential(unitId)?.secret;
  return secret?.type === 'x509' ? secret.serialHex : '';
}

describe('X.509 provisioning jobs', () => {
  it('keeps a certificate the device already holds', async () => {
    const { store, x509, harness, issuerStore } = await setUp('ca-key', 'HW-HOLD');

    const first = await runProvisionJob({ store, link: harness.link, credentialType: 'x509', x509 });
    const second = await runProvisionJob({ store, link: harness.link, credentialType: 'x509', x509 });

    expect(first).toMatchObject({ result: 'passed', resumed: false });
    expect(second).toMatchObject({ result: 'passed', resumed: true });
    expect(issuerStore.issuanceLog()).toHaveLength(1);
    expect(store.listOutbox()).toHaveLength(1);
    store.close();
  });

  it('replaces a station-made key that never reached the device', async () => {
    const { store, x509, harness, issuerStore } = await setUp('ca-key', 'HW-LOST', { hangUpAt: 'commit' });

    const cut = await runProvisionJob({ store, link: harness.link, credentialType: 'x509', x509 });
    expect(cut.result).toBe('failed');
    const firstSerial = activeSerial(store, cut.unitId ?? 0);

    await harness.restartDevice({ hardwareId: 'HW-LOST', baudRate: 0 });
    const again = await runProvisionJob({ store, link: await harness.openLink(), credentialType: 'x509', x509 });

    expect(again.result).toBe('passed');
    expect(activeSerial(store, again.unitId ?? 0)).not.toBe(firstSerial);
    expect(store.outboxCounts()).toMatchObject({ held: 0, queued: 1, retired: 1 });
    expect(store.retiredCredentials(again.unitId ?? 0)).toHaveLength(1);
    expect(issuerStore.issuanceLog()).toHaveLength(2);
    expect(issuerStore.verifyIssuanceLog().ok).toBe(true);
    store.close();
  });

  it('writes the same certificate again for a pending device key', async () => {
    const { store, x509, harness, issuerStore } = await setUp('device-csr', 'HW-CSR', { hangUpAt: 'commit' });

    const cut = await runProvisionJob({ store, link: harness.link, credentialType: 'x509', x509 });
    expect(cut.result).toBe('failed');
    const firstSerial = activeSerial(store, cut.unitId ?? 0);

    await harness.restartDevice({ hardwareId: 'HW-CSR', baudRate: 0 });
    const again = await runProvisionJob({ store, link: await harness.openLink(), credentialType: 'x509', x509 });

    expect(again).toMatchObject({ result: 'passed', resumed: false });
    expect(activeSerial(store, again.unitId ?? 0)).toBe(firstSerial);
    expect(store.outboxCounts()).toMatchObject({ queued: 1, retired: 0 });
    expect(issuerStore.issuanceLog()).toHaveLength(1);
    const state = await harness.readState();
    expect(state.stored.private_key).toMatch(/PRIVATE KEY/);
    store.close();
  });
});
