// SIGN and CONNECT between the station's device link and the simulated device, over a real pty
// pair (socat) and over the in-process virtual binding. CONNECT with a server is in
// test/integration/qa-connect.test.ts; here it fails before any network I/O.
import { randomBytes, verify, X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { issueSelfSigned } from '../../src/main/credentials/x509/issue';
import { encodeFrame, LineSplitter, parseLine } from '../../src/main/device/frame';
import { ProtocolClient, type ByteChannel } from '../../src/main/device/protocol-client';
import { trackSteps, type LinkStep } from '../../src/main/device/step-tracking-link';
import { isStationError } from '../../src/shared/reasons';
import { socatAvailable, startHarness, type Harness, type Transport } from './harness';

const transports: Array<{ transport: Transport; skip: boolean }> = [
  { transport: 'virtual', skip: false },
  { transport: 'pty', skip: !socatAvailable },
];

/** Returns the error a promise rejects with, as "code: detail", or "no error". */
async function failureOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return isStationError(error) ? `${error.code}: ${error.detail ?? ''}` : String(error);
  }
}

/** Issues a self-signed certificate and returns it with its key, as the station writes them for a station-made key. */
async function credentialFields(keyAlgorithm: 'ec-p256' | 'rsa-2048') {
  const issued = await issueSelfSigned('QA-unit-0001', { keyAlgorithm });
  return { certificate: issued.certificatePem, private_key: issued.privateKeyPem ?? '' };
}

function verifiesWith(certificatePem: string, challenge: Buffer, signature: Buffer): boolean {
  return verify('sha256', challenge, new X509Certificate(certificatePem).publicKey, signature);
}

describe.each(transports)('SIGN and CONNECT over $transport', ({ transport, skip }) => {
  let harness: Harness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  async function start(...args: Parameters<typeof startHarness> extends [Transport, ...infer Rest] ? Rest : never): Promise<Harness> {
    harness = await startHarness(transport, ...args);
    return harness;
  }

  it.skipIf(skip)('hello lists sign and connect', async () => {
    const { link } = await start();

    expect((await link.hello()).capabilities).toEqual(expect.arrayContaining(['sign', 'connect']));
  });

  it.skipIf(skip).each(['ec-p256', 'rsa-2048'] as const)('signature verifies with the certificate (%s)', async (keyAlgorithm) => {
    const { link } = await start();
    const fields = await credentialFields(keyAlgorithm);
    await link.writeFields(fields);
    const challenge = randomBytes(32);

    const { signature, algorithm } = await link.signChallenge(challenge);

    expect(algorithm).toBe(keyAlgorithm === 'ec-p256' ? 'ecdsa-sha256' : 'rsa-pkcs1-sha256');
    expect(verifiesWith(fields.certificate, challenge, signature)).toBe(true);
    expect(verifiesWith(fields.certificate, randomBytes(32), signature)).toBe(false);
  });

  it.skipIf(skip)('RSA signature spans several replies', async () => {
    // At max=256 one reply carries fewer than 256 signature bytes, so the link reads twice.
    const { link } = await start({ maxFrameSize: 256 });
    const fields = await credentialFields('rsa-2048');
    await link.writeFields(fields);
    const challenge = randomBytes(32);

    const { signature } = await link.signChallenge(challenge);

    expect(signature).toHaveLength(256);
    expect(verifiesWith(fields.certificate, challenge, signature)).toBe(true);
  });

  it.skipIf(skip)('repeated SIGN returns the same ECDSA signature', async () => {
    const { link } = await start();
    await link.writeFields(await credentialFields('ec-p256'));
    const challenge = randomBytes(32);

    const first = await link.signChallenge(challenge);
    const again = await link.signChallenge(challenge);
    const other = await link.signChallenge(randomBytes(32));

    expect(again.signature.equals(first.signature)).toBe(true);
    expect(other.signature.equals(first.signature)).toBe(false);
  });

  it.skipIf(skip)('dropped SIGN reply is recovered', async () => {
    const { link } = await start({ faults: { dropReply: { command: 'sign' } } }, { requestTimeoutMs: 300 });
    const fields = await credentialFields('ec-p256');
    await link.writeFields(fields);
    const challenge = randomBytes(32);

    const { signature } = await link.signChallenge(challenge);

    expect(verifiesWith(fields.certificate, challenge, signature)).toBe(true);
  });

  it.skipIf(skip).each(['ec-p256', 'rsa-2048'] as const)('wrong-key signature fails verification (%s)', async (keyAlgorithm) => {
    const { link } = await start({ faults: { wrongKey: true } });
    const fields = await credentialFields(keyAlgorithm);
    await link.writeFields(fields);
    const challenge = randomBytes(32);

    const { signature, algorithm } = await link.signChallenge(challenge);

    expect(algorithm).toBe(keyAlgorithm === 'ec-p256' ? 'ecdsa-sha256' : 'rsa-pkcs1-sha256');
    expect(verifiesWith(fields.certificate, challenge, signature)).toBe(false);
  });

  it.skipIf(skip)('no-sign fault gives device-sign-failed', async () => {
    const { link } = await start({ faults: { noSign: true } });
    await link.writeFields(await credentialFields('ec-p256'));

    expect(await failureOf(link.signChallenge(randomBytes(32)))).toMatch(/^device-sign-failed: .*sign-failed/);
  });

  it.skipIf(skip)('SIGN without a stored key gives device-sign-failed', async () => {
    const { link } = await start();
    await link.writeFields({ token: 'A1b2C3d4E5f6G7h8I9j0K1l2' });

    expect(await failureOf(link.signChallenge(randomBytes(32)))).toMatch(/^device-sign-failed: .*no-key/);
  });

  it.skipIf(skip)('challenge of the wrong size is rejected', async () => {
    const { link } = await start();

    expect(await failureOf(link.signChallenge(randomBytes(16)))).toMatch(/^invalid-argument: .*32 bytes/);
  });

  it.skipIf(skip)('no-network fault gives device-connect-failed', async () => {
    const { link } = await start({ faults: { noNetwork: true } });
    await link.writeFields({ token: 'A1b2C3d4E5f6G7h8I9j0K1l2', server_host: '127.0.0.1', server_port: '1883' });

    expect(await failureOf(link.connectTest('nonce-0001'))).toMatch(/^device-connect-failed: .*network-failed: network unreachable/);
  });

  it.skipIf(skip)('CONNECT without a credential gives device-connect-failed', async () => {
    const { link } = await start();
    await link.writeFields({ server_host: '127.0.0.1', server_port: '1883' });

    expect(await failureOf(link.connectTest('nonce-0002'))).toMatch(/^device-connect-failed: .*no-credential/);
  });

  it.skipIf(skip)('CONNECT without a server address gives device-connect-failed', async () => {
    const { link } = await start();
    await link.writeFields({ token: 'A1b2C3d4E5f6G7h8I9j0K1l2' });

    expect(await failureOf(link.connectTest('nonce-0003'))).toMatch(/^device-connect-failed: .*no valid server_host and server_port/);
  });

  it.skipIf(skip)('unusable private key gives tls-failed', async () => {
    const { link } = await start();
    const fields = await credentialFields('ec-p256');
    await link.writeFields({ certificate: fields.certificate, private_key: 'not a key', server_host: '127.0.0.1', server_port: '8883' });

    expect(await failureOf(link.connectTest('nonce-0006'))).toMatch(/^device-connect-failed: .*tls-failed: TLS: the stored certificate or private key cannot be used/);
  });

  it.skipIf(skip)('nonce with other characters is rejected', async () => {
    const { link } = await start();

    expect(await failureOf(link.connectTest('has space'))).toMatch(/^invalid-argument: .*nonce/);
  });

  it.skipIf(skip)('step tracking reports sign and connect-test', async () => {
    const { link } = await start({ faults: { noNetwork: true } });
    await link.writeFields(await credentialFields('ec-p256'));
    const steps: LinkStep[] = [];
    const tracked = trackSteps(link, (step) => steps.push(step));

    await tracked.signChallenge(randomBytes(32));
    await failureOf(tracked.connectTest('nonce-0004'));

    expect(steps).toEqual(['sign', 'connect-test']);
  });
});

/**
 * Returns a channel to a fake device of protocol 1.0, whose HELLO reply lacks the sign and
 * connect capabilities, and the list of request verbs it receives.
 */
function oldDeviceChannel(): { channel: ByteChannel; verbs: string[] } {
  const verbs: string[] = [];
  let listener: (chunk: Buffer) => void = () => undefined;
  const splitter = new LineSplitter(256, (line) => {
    const parsed = parseLine(line);
    if (parsed.kind !== 'frame') return;
    verbs.push(parsed.frame.verb);
    const args: Record<string, string> = parsed.frame.verb === 'HELLO' ? { proto: '1.0', model: 'OLD-1', fw: '0.9', hwid: 'HW-OLD', caps: 'write,verify,genkey,erase', max: '256' } : { code: 'unknown-command' };
    const reply = encodeFrame({ direction: '<', id: parsed.frame.id, verb: parsed.frame.verb === 'HELLO' ? 'OK' : 'ERR', args });
    setImmediate(() => listener(Buffer.from(reply, 'latin1')));
  });
  const channel: ByteChannel = {
    write: (data) => {
      splitter.push(data);
      return Promise.resolve();
    },
    onData: (next) => (listener = next),
    onClose: () => undefined,
    close: () => Promise.resolve(),
  };
  return { channel, verbs };
}

describe('device without the QA capabilities', () => {
  it('SIGN is refused before it is sent', async () => {
    const { channel, verbs } = oldDeviceChannel();
    const link = new ProtocolClient('old-device', channel);

    expect(await failureOf(link.signChallenge(randomBytes(32)))).toMatch(/^device-protocol-unsupported: .*does not support SIGN/);
    expect(verbs).toEqual(['HELLO']);
  });

  it('CONNECT is refused before it is sent', async () => {
    const { channel, verbs } = oldDeviceChannel();
    const link = new ProtocolClient('old-device', channel);

    expect(await failureOf(link.connectTest('nonce-0005'))).toMatch(/^device-protocol-unsupported: .*does not support CONNECT/);
    expect(verbs).toEqual(['HELLO']);
  });
});
