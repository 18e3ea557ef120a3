// The station's device link against the simulated device, over a real pty pair (socat) and
// over the in-process virtual binding. Both run the same openSerialLink code path.
import 'reflect-metadata';
import { createHash, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { afterEach, describe, expect, it } from 'vitest';
import { isStationError } from '../../src/shared/reasons';
import { openSerialLink } from '../../src/main/device/serial-link';
import { socatAvailable, startHarness, type Harness, type Transport } from './harness';

const transports: Array<{ transport: Transport; skip: boolean }> = [
  { transport: 'virtual', skip: false },
  { transport: 'pty', skip: !socatAvailable },
];

if (!socatAvailable) {
  // eslint-disable-next-line no-console -- tells the reader why the pty half of the suite is skipped
  console.warn('socat is not installed: the pty tests are skipped; install socat to run them');
}

function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Returns the reason code a promise rejects with, or a description of what happened instead. */
async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return isStationError(error) ? error.code : String(error);
  }
}

// A PEM-like value of several kilobytes: many WRITE frames at the default 256-byte frame size.
const bigCertificate = `-----BEGIN CERTIFICATE-----\n${'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0MjQy\n'.repeat(120)}-----END CERTIFICATE-----\n`;

const fields = {
  token: 'A1b2C3d4E5f6G7h8I9j0K1l2',
  server_host: 'tb.example.test',
  server_port: '8883',
  mqtt_client_id: 'unit 0042 – line ß',
};

describe.each(transports)('device link over $transport', ({ transport, skip }) => {
  let harness: Harness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  async function start(...args: Parameters<typeof startHarness> extends [Transport, ...infer Rest] ? Rest : never): Promise<Harness> {
    harness = await startHarness(transport, ...args);
    return harness;
  }

  it.skipIf(skip)('hello reports the simulated device', async () => {
    const { link } = await start({ hardwareId: 'HW-0042', model: 'PS-TEST', firmwareVersion: '2.3.4' });
    const hello = await link.hello();

    expect(hello.hardwareId).toBe('HW-0042');
    expect(hello.model).toBe('PS-TEST');
    expect(hello.firmwareVersion).toBe('2.3.4');
    expect(hello.protocolVersion).toBe(1);
    expect(hello.capabilities).toContain('genkey');
    expect(hello.maxFrameSize).toBe(256);
  });

  it.skipIf(skip)('verify digests match what was written', async () => {
    const { link } = await start();
    await link.writeFields({ ...fields, certificate: bigCertificate });
    const digests = await link.verify();

    expect(digests.token).toBe(sha256(fields.token));
    expect(digests.mqtt_client_id).toBe(sha256(fields.mqtt_client_id));
    expect(digests.certificate).toBe(sha256(bigCertificate));
    expect(Object.keys(digests).sort()).toEqual(['certificate', 'mqtt_client_id', 'server_host', 'server_port', 'token']);
  });

  it.skipIf(skip)('commit replaces the whole stored set', async () => {
    const { link } = await start();
    await link.writeFields(fields);
    await link.writeFields({ token: 'Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2' });

    expect(await link.verify()).toEqual({ token: sha256('Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2') });
  });

  it.skipIf(skip)('stored fields survive a device restart', async () => {
    const h = await start({ hardwareId: 'HW-RESTART' });
    await h.link.writeFields(fields);
    await h.restartDevice();
    const link = await reopen(h);

    expect((await link.verify()).token).toBe(sha256(fields.token));
    const state = await h.readState();
    expect(state.stored.token).toBe(fields.token);
    expect(state.hardwareId).toBe('HW-RESTART');
  });

  it.skipIf(skip)('erase removes every field', async () => {
    const { link } = await start();
    await link.writeFields(fields);
    await link.erase();
    await link.erase();

    expect(await link.verify()).toEqual({});
  });

  it.skipIf(skip)('generated CSR passes openssl and keeps its CN', async () => {
    const { link } = await start();
    const { csrPem } = await link.generateKey({ algorithm: 'ec-p256', commonName: 'PS-unit-0042' });
    const verdict = await opensslVerifyCsr(csrPem);

    expect(verdict.ok).toBe(true);
    expect(verdict.subject).toContain('CN=PS-unit-0042');
  });

  it.skipIf(skip)('repeated GENKEY returns the same CSR', async () => {
    const { link } = await start();
    const first = await link.generateKey({ algorithm: 'rsa-2048', commonName: 'PS-unit-0043' });
    const again = await link.generateKey({ algorithm: 'rsa-2048', commonName: 'PS-unit-0043' });
    const other = await link.generateKey({ algorithm: 'rsa-2048', commonName: 'PS-unit-0044' });

    expect(again.csrPem).toBe(first.csrPem);
    expect(other.csrPem).not.toBe(first.csrPem);
    expect((await opensslVerifyCsr(other.csrPem)).subject).toContain('CN=PS-unit-0044');
  });

  it.skipIf(skip)('certificate for the CSR installs the device key', async () => {
    const h = await start();
    const { csrPem } = await h.link.generateKey({ algorithm: 'ec-p256', commonName: 'PS-unit-0045' });
    const certificatePem = await issueCertificate(csrPem);
    await h.link.writeFields({ certificate: certificatePem });

    const digests = await h.link.verify();
    expect(digests.certificate).toBe(sha256(certificatePem));
    expect(digests.private_key).toMatch(/^[0-9a-f]{64}$/);
    expect((await h.readState()).stored.private_key).toContain('BEGIN PRIVATE KEY');
  });

  it.skipIf(skip)('dropped commit reply is recovered', async () => {
    const { link } = await start({ faults: { dropReply: { command: 'commit' } } }, { requestTimeoutMs: 300 });
    await link.writeFields(fields);

    expect((await link.verify()).token).toBe(sha256(fields.token));
  });

  it.skipIf(skip)('dropped commit reply without retries times out', async () => {
    const { link } = await start({ faults: { dropReply: { command: 'commit' } } }, { requestTimeoutMs: 300, retries: 0 });

    expect(await reasonOf(link.writeFields(fields))).toBe('device-timeout');
  });

  it.skipIf(skip)('dropped write reply is recovered', async () => {
    const { link } = await start({ faults: { dropReply: { request: 3 } } }, { requestTimeoutMs: 300 });
    await link.writeFields({ certificate: bigCertificate });

    expect((await link.verify()).certificate).toBe(sha256(bigCertificate));
  });

  it.skipIf(skip)('corrupted reply is recovered', async () => {
    const { link } = await start({ faults: { corruptReply: { command: 'verify' } } }, { requestTimeoutMs: 300 });
    await link.writeFields(fields);

    expect((await link.verify()).server_host).toBe(sha256(fields.server_host));
  });

  it.skipIf(skip)('corrupted reply without retries fails', async () => {
    const { link } = await start({ faults: { corruptReply: { command: 'hello' } } }, { requestTimeoutMs: 300, retries: 0 });

    expect(await reasonOf(link.hello())).toBe('device-corrupt-reply');
  });

  it.skipIf(skip)('always corrupted replies give device-corrupt-reply', async () => {
    const { link } = await start({ faults: { corruptReply: { command: 'hello', always: true } } }, { requestTimeoutMs: 300, retries: 2 });

    expect(await reasonOf(link.hello())).toBe('device-corrupt-reply');
  });

  it.skipIf(skip)('late reply within the deadline succeeds', async () => {
    const { link } = await start({ faults: { lateReplyMs: 200 } }, { requestTimeoutMs: 1500 });
    await link.writeFields({ token: fields.token });

    expect((await link.verify()).token).toBe(sha256(fields.token));
  });

  it.skipIf(skip)('late reply beyond the deadline times out', async () => {
    const { link } = await start({ faults: { lateReplyMs: 10_000 } }, { requestTimeoutMs: 200, retries: 1 });

    expect(await reasonOf(link.hello())).toBe('device-timeout');
  });

  it.skipIf(skip)('silent device times out', async () => {
    const { link } = await start({ faults: { silent: true } }, { requestTimeoutMs: 200, retries: 2 });

    expect(await reasonOf(link.hello())).toBe('device-timeout');
  });

  it.skipIf(skip)('boot noise is ignored', async () => {
    const { link } = await start({ faults: { bootNoise: true } });
    await link.writeFields(fields);

    expect((await link.verify()).token).toBe(sha256(fields.token));
  });

  it.skipIf(skip)('hang-up at commit ends the job', async () => {
    const { link } = await start({ faults: { hangUpAt: 'commit' } }, { requestTimeoutMs: 300, retries: 1 });
    const reason = await reasonOf(link.writeFields(fields));

    expect(['port-closed', 'device-timeout']).toContain(reason);
  });

  it.skipIf(skip)('second open of a port in use is port-busy', async () => {
    const h = await start();

    expect(await reasonOf(h.openLink())).toBe('port-busy');
  });

  it.skipIf(skip)('newer protocol major is rejected', async () => {
    const { link } = await start({ protocolVersion: '2.0' });

    expect(await reasonOf(link.hello())).toBe('device-protocol-unsupported');
  });

  it.skipIf(skip)('too small frame size is rejected', async () => {
    const { link } = await start({ maxFrameSize: 128 });

    expect(await reasonOf(link.hello())).toBe('device-frame-too-small');
  });

  it.skipIf(skip)('close twice is safe', async () => {
    const { link } = await start();
    await link.close();

    await expect(link.close()).resolves.toBeUndefined();
    expect(await reasonOf(link.hello())).toBe('port-closed');
  });
});

describe('opening ports', () => {
  it('unknown path is port-not-found', async () => {
    expect(await reasonOf(openSerialLink('/dev/ttyNO-SUCH-PORT-42'))).toBe('port-not-found');
  });
});

async function reopen(h: Harness): Promise<import('../../src/main/device/link').DeviceLink> {
  // The virtual line drops the station's port when the device goes away, as USB does; a pty keeps it.
  await h.link.close();
  return h.openLink();
}

async function opensslVerifyCsr(csrPem: string): Promise<{ ok: boolean; subject: string }> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', ['req', '-verify', '-noout', '-subject', '-nameopt', 'RFC2253'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ ok: code === 0, subject: output }));
    child.stdin.end(csrPem);
  });
}

/** Issues a certificate for the CSR's public key from a throwaway CA, as the station's issuer would. */
async function issueCertificate(csrPem: string): Promise<string> {
  x509.cryptoProvider.set(webcrypto as Crypto);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const caKeys = await webcrypto.subtle.generateKey(algorithm, false, ['sign', 'verify']);
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: '01',
    subject: csr.subject,
    issuer: 'CN=Test Issuer',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    publicKey: await csr.publicKey.export(),
    signingKey: caKeys.privateKey,
    signingAlgorithm: algorithm,
  });
  return certificate.toString('pem') + '\n';
}
