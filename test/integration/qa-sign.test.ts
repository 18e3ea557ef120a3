// SIGN after a real X.509 provisioning job, for every issuing mode and key type: the simulated
// device on a socat pty pair signs a fresh challenge, and the certificate the station issued
// verifies the signature. The key that signed never left the device in device-csr mode.
import { randomBytes, verify, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createIssuer } from '../../src/main/credentials/x509/create-issuer';
import { createPassphraseProtector } from '../../src/main/credentials/x509/key-protector';
import type { KeyAlgorithm } from '../../src/main/device/link';
import { runProvisionJob } from '../../src/main/provisioning/provision-job';
import type { X509Settings } from '../../src/main/provisioning/x509-credential';
import { IssuerStore } from '../../src/main/store/issuer-store';
import { Store, type X509Mode } from '../../src/main/store/store';
import { socatAvailable, startHarness, type Harness } from '../device/harness';
import { useTempDir } from '../helpers/temp-dir';

const tempDir = useTempDir();
const harnesses: Harness[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.close();
  for (const store of stores.splice(0)) store.close();
});

async function provisionX509(mode: X509Mode, keyAlgorithm: KeyAlgorithm, faults = {}) {
  const store = new Store(join(tempDir(), 'station.db'));
  stores.push(store);
  const issuerStore = new IssuerStore(store.database);
  const x509: X509Settings = { mode, keyAlgorithm, issuerStore };
  if (mode !== 'self-signed') {
    const protector = createPassphraseProtector('test passphrase', { algorithm: 'scrypt', logN: 10, r: 8, p: 1 });
    await issuerStore.saveIssuer(await createIssuer({ name: 'QA test station' }), protector, 'created');
    x509.issuer = await issuerStore.loadActiveIssuer(protector);
  }
  const harness = await startHarness('pty', { hardwareId: `HW-SIGN-${mode}-${keyAlgorithm}`, baudRate: 0, faults });
  harnesses.push(harness);

  const outcome = await runProvisionJob({ store, link: harness.link, credentialType: 'x509', x509 });
  expect(outcome.result, JSON.stringify(outcome.reason)).toBe('passed');
  const secret = store.activeCredential(outcome.unitId ?? 0)?.secret;
  if (secret?.type !== 'x509') throw new Error('the unit holds no X.509 credential');
  return { harness, certificatePem: secret.certificatePem };
}

const cases = (['self-signed', 'ca-key', 'device-csr'] as const).flatMap((mode) =>
  (['ec-p256', 'rsa-2048'] as const).map((keyAlgorithm) => ({ mode, keyAlgorithm })),
);

describe.skipIf(!socatAvailable)('SIGN after X.509 provisioning', () => {
  it.each(cases)('issued certificate verifies the signature ($mode, $keyAlgorithm)', async ({ mode, keyAlgorithm }) => {
    const { harness, certificatePem } = await provisionX509(mode, keyAlgorithm);
    const challenge = randomBytes(32);

    const { signature, algorithm } = await harness.link.signChallenge(challenge);

    const publicKey = new X509Certificate(certificatePem).publicKey;
    expect(algorithm).toBe(keyAlgorithm === 'ec-p256' ? 'ecdsa-sha256' : 'rsa-pkcs1-sha256');
    expect(verify('sha256', challenge, publicKey, signature)).toBe(true);
  });

  it.each(['self-signed', 'device-csr'] as const)('wrong-key device fails verification (%s)', async (mode) => {
    const { harness, certificatePem } = await provisionX509(mode, 'ec-p256', { wrongKey: true });
    const challenge = randomBytes(32);

    const { signature } = await harness.link.signChallenge(challenge);

    expect(verify('sha256', challenge, new X509Certificate(certificatePem).publicKey, signature)).toBe(false);
  });
});
