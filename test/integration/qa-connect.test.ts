// CONNECT on real parts. `station provision` writes each credential kind with the stand-in's
// MQTT ports into a simulated device on a socat pty pair and syncs it. Then the device link sends
// CONNECT, and the stand-in's REST API shows the activity and the nonce. The failures a QA
// station must catch come after: a credential the server does not know, certificates it
// refuses, and a server it cannot reach or trust.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StandIn } from '../../src/devkit/thingsboard';
import { issueSelfSigned } from '../../src/main/credentials/x509/issue';
import { openSerialLink } from '../../src/main/device/serial-link';
import type { DeviceLink } from '../../src/main/device/link';
import { isStationError } from '../../src/shared/reasons';
import { socatAvailable } from '../device/harness';
import { runStation } from '../helpers/run-station';
import { useTempDir } from '../helpers/temp-dir';
import { serverArgs, serverDevices, TENANT, useRig, type RigDevice } from './rig';

const tempDir = useTempDir();
const rig = useRig();
const PASSPHRASE = { STATION_ISSUER_PASSPHRASE: 'correct horse battery staple' };
const DAY_MS = 24 * 60 * 60 * 1000;

/** Opens the station's end of the device's pty, runs `use`, and closes it again. */
async function withLink<T>(device: RigDevice, use: (link: DeviceLink) => Promise<T>): Promise<T> {
  const link = await openSerialLink(device.stationPath);
  try {
    return await use(link);
  } finally {
    await link.close();
  }
}

async function connectFailure(device: RigDevice, nonce = freshNonce()): Promise<string> {
  return withLink(device, async (link) => {
    try {
      await link.connectTest(nonce);
      return 'no error';
    } catch (error) {
      return isStationError(error) ? `${error.code}: ${error.detail ?? ''}` : String(error);
    }
  });
}

function freshNonce(): string {
  return randomBytes(12).toString('base64url');
}

async function tenantGet(server: StandIn, path: string): Promise<unknown> {
  const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(TENANT) });
  const { token } = (await login.json()) as { token: string };
  const response = await fetch(server.url + path, { headers: { 'X-Authorization': `Bearer ${token}` } });
  expect(response.status, path).toBe(200);
  return response.json();
}

async function activityOf(server: StandIn, deviceId: string): Promise<Record<string, unknown>> {
  const entries = (await tenantGet(server, `/api/plugins/telemetry/DEVICE/${deviceId}/values/attributes/SERVER_SCOPE?keys=active,lastActivityTime`)) as Array<{ key: string; value: unknown }>;
  return Object.fromEntries(entries.map((entry) => [entry.key, entry.value]));
}

function mqttArgs(server: StandIn): string[] {
  return ['--mqtt-port', String(server.mqttPort), '--mqtts-port', String(server.mqttsPort)];
}

/** Registers a device with this certificate on the stand-in, as sync would. */
async function registerCertificate(server: StandIn, name: string, certificatePem: string): Promise<void> {
  const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(TENANT) });
  const { token } = (await login.json()) as { token: string };
  const created = await fetch(`${server.url}/api/device-with-credentials`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-Authorization': `Bearer ${token}` },
    body: JSON.stringify({ device: { name }, credentials: { credentialsType: 'X509_CERTIFICATE', credentialsValue: certificatePem } }),
  });
  expect(created.status).toBe(200);
}

/** Writes fields straight into the device, as a unit provisioned elsewhere would hold them. */
async function writeFields(device: RigDevice, fields: Record<string, string>): Promise<void> {
  await withLink(device, (link) => link.writeFields(fields));
}

describe.skipIf(!socatAvailable)('CONNECT after station provision', () => {
  it.each([
    { credential: 'token', transport: 'mqtt' },
    { credential: 'mqtt-basic', transport: 'mqtt' },
    { credential: 'x509', transport: 'mqtts' },
  ] as const)('$credential unit reaches the stand-in', async ({ credential, transport }) => {
    const dir = tempDir();
    const db = join(dir, 'station.db');
    const server = await rig.server();
    const device = await rig.device(dir, `qa-${credential}`, { hardwareId: `HW-QA-${credential.toUpperCase()}`, serverCaPem: server.mqttTlsCaPem });
    if (credential === 'x509') {
      const created = await runStation(['issuer', 'create', '--db', db, '--json'], { env: PASSPHRASE });
      expect(created.code, created.stderr).toBe(0);
    }

    const run = await runStation(
      ['provision', '--port', device.stationPath, '--db', db, '--credential', credential, ...serverArgs(server), ...mqttArgs(server), '--json'],
      { env: PASSPHRASE },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.json).toMatchObject({ result: 'passed', synced: true });
    const expectedPort = credential === 'x509' ? server.mqttsPort : server.mqttPort;
    expect(device.state().stored).toMatchObject({ server_host: '127.0.0.1', server_port: String(expectedPort) });

    const [onServer] = await serverDevices(server);
    const startedAt = Date.now();
    const nonce = freshNonce();
    const result = await withLink(device, (link) => link.connectTest(nonce));

    expect(result).toEqual({ transport });
    const activity = await activityOf(server, onServer?.id ?? '');
    expect(activity.active).toBe(true);
    expect(activity.lastActivityTime).toBeGreaterThanOrEqual(startedAt);
    const latest = (await tenantGet(server, `/api/plugins/telemetry/DEVICE/${onServer?.id ?? ''}/values/timeseries?keys=qaNonce`)) as Record<string, Array<{ value: unknown }>>;
    expect(latest.qaNonce?.[0]?.value).toBe(nonce);
  });
});

describe.skipIf(!socatAvailable)('CONNECT failures', () => {
  it('token the server does not know is refused', async () => {
    const dir = tempDir();
    const server = await rig.server();
    const device = await rig.device(dir, 'qa-unknown-token');
    await writeFields(device, { token: 'UnknownToken0000000000AA', server_host: '127.0.0.1', server_port: String(server.mqttPort) });

    expect(await connectFailure(device)).toMatch(/^device-connect-failed: .*connect-refused: CONNACK refused: bad username or password \(return code 4\)$/);
  });

  it('certificate the server does not know is refused', async () => {
    const dir = tempDir();
    const server = await rig.server();
    const device = await rig.device(dir, 'qa-foreign-cert', { serverCaPem: server.mqttTlsCaPem });
    const foreign = await issueSelfSigned('QA-FOREIGN');
    await writeFields(device, { certificate: foreign.certificatePem, private_key: foreign.privateKeyPem ?? '', server_host: '127.0.0.1', server_port: String(server.mqttsPort) });

    expect(await connectFailure(device)).toMatch(/^device-connect-failed: .*connect-refused: CONNACK refused: not authorized \(return code 5\)$/);
  });

  it('expired certificate is refused', async () => {
    const dir = tempDir();
    const server = await rig.server();
    const device = await rig.device(dir, 'qa-expired-cert', { serverCaPem: server.mqttTlsCaPem });
    const expired = await issueSelfSigned('QA-EXPIRED', { now: new Date(Date.now() - 10 * DAY_MS), validityDays: 2 });
    await registerCertificate(server, 'QA-EXPIRED', expired.certificatePem);
    await writeFields(device, { certificate: expired.certificatePem, private_key: expired.privateKeyPem ?? '', server_host: '127.0.0.1', server_port: String(server.mqttsPort) });

    expect(await connectFailure(device)).toMatch(/not authorized \(return code 5\)$/);
  });

  it('server it does not trust fails the TLS handshake', async () => {
    const dir = tempDir();
    const server = await rig.server();
    // No serverCaPem: the device trusts only its ca_chain, the chain of its own certificate.
    const device = await rig.device(dir, 'qa-untrusted-server');
    const issued = await issueSelfSigned('QA-UNTRUSTED');
    await registerCertificate(server, 'QA-UNTRUSTED', issued.certificatePem);
    await writeFields(device, {
      certificate: issued.certificatePem,
      private_key: issued.privateKeyPem ?? '',
      ca_chain: issued.certificatePem,
      server_host: '127.0.0.1',
      server_port: String(server.mqttsPort),
    });

    expect(await connectFailure(device)).toMatch(/^device-connect-failed: .*tls-failed: TLS: /);
  });

  it('insecure-TLS device connects without the server CA', async () => {
    const dir = tempDir();
    const server = await rig.server();
    const device = await rig.device(dir, 'qa-insecure-tls', { insecureTls: true });
    const issued = await issueSelfSigned('QA-INSECURE');
    await registerCertificate(server, 'QA-INSECURE', issued.certificatePem);
    await writeFields(device, { certificate: issued.certificatePem, private_key: issued.privateKeyPem ?? '', server_host: '127.0.0.1', server_port: String(server.mqttsPort) });

    expect(await withLink(device, (link) => link.connectTest(freshNonce()))).toEqual({ transport: 'mqtts' });
  });

  it('no-network device fails without reaching the server', async () => {
    const dir = tempDir();
    const server = await rig.server();
    const device = await rig.device(dir, 'qa-no-network', { faults: { noNetwork: true } });
    await writeFields(device, { token: 'UnknownToken0000000000BB', server_host: '127.0.0.1', server_port: String(server.mqttPort) });

    expect(await connectFailure(device)).toMatch(/^device-connect-failed: .*network-failed: network unreachable/);
  });

  it('server that is down gives connection refused', async () => {
    const dir = tempDir();
    const server = await rig.server();
    const device = await rig.device(dir, 'qa-server-down');
    await writeFields(device, { token: 'UnknownToken0000000000CC', server_host: '127.0.0.1', server_port: String(server.mqttPort) });

    await server.faults.setDown(true);
    const failure = await connectFailure(device);
    await server.faults.setDown(false);

    expect(failure).toMatch(/^device-connect-failed: .*network-failed: connection refused$/);
  });

  it('server that refuses every device gives server unavailable', async () => {
    const dir = tempDir();
    const server = await rig.server();
    const device = await rig.device(dir, 'qa-server-refuses');
    await writeFields(device, { token: 'UnknownToken0000000000DD', server_host: '127.0.0.1', server_port: String(server.mqttPort) });

    server.faults.refuseMqtt(true);

    expect(await connectFailure(device)).toMatch(/CONNACK refused: server unavailable \(return code 3\)$/);
  });
});
