// The stand-in's MQTT transport, spoken to by MQTT.js as a device would: ThingsBoard's
// authentication by access token, MQTT basic credentials and client certificate, its CONNACK
// refusals, and the activity and latest telemetry a device's messages leave on the server.
import { connect, type IClientOptions } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { StandIn } from '../../src/devkit/thingsboard';
import { issueSelfSigned } from '../../src/main/credentials/x509/issue';
import { loginRaw, raw, startStandIn } from './helpers';

const DAY_MS = 24 * 60 * 60 * 1000;

const servers: StandIn[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function setUp(options: Parameters<typeof startStandIn>[0] = {}) {
  const server = await startStandIn(options);
  servers.push(server);
  const { token } = await loginRaw(server);
  return { server, token };
}

/** Creates a device with the given credentials and returns its id. */
async function createDevice(server: StandIn, token: string, name: string, credentials: Record<string, unknown>): Promise<string> {
  const created = await raw(server, 'POST', '/api/device-with-credentials', { token, body: { device: { name }, credentials } });
  expect(created.status, created.text).toBe(200);
  return (created.json as { id: { id: string } }).id.id;
}

type Attempt = { connected: true; published: boolean } | { connected: false; returnCode?: number; errorCode?: string; message: string };

/** Connects once without reconnecting, publishes `payload` on `topic` at QoS 1 if given, and disconnects. */
function attempt(options: IClientOptions, publish?: { topic: string; payload: string }): Promise<Attempt> {
  return new Promise((resolve) => {
    const client = connect({ protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...options });
    let settled = false;
    let connected = false;
    const finish = (result: Attempt): void => {
      if (settled) return;
      settled = true;
      client.end(true, {}, () => resolve(result));
    };
    client.on('error', (error: Error & { code?: unknown }) =>
      finish({
        connected: false,
        message: error.message,
        ...(typeof error.code === 'number' ? { returnCode: error.code } : {}),
        ...(typeof error.code === 'string' ? { errorCode: error.code } : {}),
      }),
    );
    client.on('close', () => finish(connected ? { connected: true, published: false } : { connected: false, message: 'closed' }));
    client.on('connect', () => {
      connected = true;
      if (publish === undefined) {
        finish({ connected: true, published: false });
        return;
      }
      client.publish(publish.topic, publish.payload, { qos: 1 }, (error) => finish({ connected: true, published: error === undefined || error === null }));
    });
  });
}

function plain(server: StandIn, options: IClientOptions = {}): IClientOptions {
  return { protocol: 'mqtt', host: '127.0.0.1', port: server.mqttPort, ...options };
}

function secure(server: StandIn, options: IClientOptions = {}): IClientOptions {
  return { protocol: 'mqtts', host: '127.0.0.1', port: server.mqttsPort, ca: server.mqttTlsCaPem, ...options };
}

const nonce = (value: string) => ({ topic: 'v1/devices/me/telemetry', payload: JSON.stringify({ qaNonce: value }) });

async function serverAttributes(server: StandIn, token: string, deviceId: string): Promise<Record<string, unknown>> {
  const read = await raw(server, 'GET', `/api/plugins/telemetry/DEVICE/${deviceId}/values/attributes/SERVER_SCOPE`, { token });
  return Object.fromEntries((read.json as Array<{ key: string; value: unknown }>).map((entry) => [entry.key, entry.value]));
}

describe('stand-in MQTT authentication', () => {
  it('access token in the user name connects', async () => {
    const { server, token } = await setUp();
    await createDevice(server, token, 'SN-T1', { credentialsType: 'ACCESS_TOKEN', credentialsId: 'TokenT1aaaaaaaaaaaaaaaa' });

    expect(await attempt(plain(server, { username: 'TokenT1aaaaaaaaaaaaaaaa' }), nonce('n-T1-0001'))).toEqual({ connected: true, published: true });
  });

  it('unknown token is refused with return code 4', async () => {
    const { server } = await setUp();

    const result = await attempt(plain(server, { username: 'NoSuchTokenXXXXXXXXXX' }));

    expect(result).toMatchObject({ connected: false, returnCode: 4 });
  });

  it('client id alone is refused with return code 2', async () => {
    const { server } = await setUp();

    expect(await attempt(plain(server, { clientId: 'no-such-client' }))).toMatchObject({ connected: false, returnCode: 2 });
  });

  it('MQTT basic credentials connect and check the password', async () => {
    const { server, token } = await setUp();
    const credentialsValue = JSON.stringify({ clientId: 'SN-B1', userName: 'userB1', password: 'secretB1' });
    await createDevice(server, token, 'SN-B1', { credentialsType: 'MQTT_BASIC', credentialsValue });

    expect(await attempt(plain(server, { clientId: 'SN-B1', username: 'userB1', password: 'secretB1' }))).toMatchObject({ connected: true });
    expect(await attempt(plain(server, { clientId: 'SN-B1', username: 'userB1', password: 'wrong' }))).toMatchObject({ connected: false, returnCode: 4 });
    expect(await attempt(plain(server, { clientId: 'other', username: 'userB1', password: 'secretB1' }))).toMatchObject({ connected: false, returnCode: 4 });
  });

  it('MQTT basic credentials with a client id only connect', async () => {
    const { server, token } = await setUp();
    await createDevice(server, token, 'SN-B2', { credentialsType: 'MQTT_BASIC', credentialsValue: JSON.stringify({ clientId: 'SN-B2' }) });

    expect(await attempt(plain(server, { clientId: 'SN-B2' }))).toMatchObject({ connected: true });
  });

  it('registered client certificate connects over TLS', async () => {
    const { server, token } = await setUp();
    const issued = await issueSelfSigned('SN-X1');
    await createDevice(server, token, 'SN-X1', { credentialsType: 'X509_CERTIFICATE', credentialsValue: issued.certificatePem });

    const result = await attempt(secure(server, { cert: issued.certificatePem, key: issued.privateKeyPem }), nonce('n-X1-0001'));

    expect(result).toEqual({ connected: true, published: true });
  });

  it('unknown client certificate is refused with return code 5', async () => {
    const { server } = await setUp();
    const issued = await issueSelfSigned('SN-FOREIGN');

    // A user name that is a valid token does not help: with a certificate, ThingsBoard ignores it.
    const result = await attempt(secure(server, { cert: issued.certificatePem, key: issued.privateKeyPem, username: 'whatever' }));

    expect(result).toMatchObject({ connected: false, returnCode: 5 });
  });

  it('expired client certificate is refused with return code 5', async () => {
    const { server, token } = await setUp();
    const issued = await issueSelfSigned('SN-EXPIRED', { now: new Date(Date.now() - 10 * DAY_MS), validityDays: 2 });
    await createDevice(server, token, 'SN-EXPIRED', { credentialsType: 'X509_CERTIFICATE', credentialsValue: issued.certificatePem });

    const result = await attempt(secure(server, { cert: issued.certificatePem, key: issued.privateKeyPem }));

    expect(result).toMatchObject({ connected: false, returnCode: 5 });
  });

  it('token over TLS without a client certificate connects', async () => {
    const { server, token } = await setUp();
    await createDevice(server, token, 'SN-T2', { credentialsType: 'ACCESS_TOKEN', credentialsId: 'TokenT2aaaaaaaaaaaaaaaa' });

    expect(await attempt(secure(server, { username: 'TokenT2aaaaaaaaaaaaaaaa' }))).toMatchObject({ connected: true });
  });

  it('TLS server certificate verifies only with the stand-in CA', async () => {
    const { server } = await setUp();

    const result = await attempt({ protocol: 'mqtts', host: '127.0.0.1', port: server.mqttsPort, username: 'x' });

    expect(result.connected).toBe(false);
    expect(result.connected ? '' : (result.errorCode ?? '')).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });
});

describe('stand-in MQTT faults', () => {
  it('refuseMqtt answers return code 3 until reset', async () => {
    const { server, token } = await setUp();
    await createDevice(server, token, 'SN-F1', { credentialsType: 'ACCESS_TOKEN', credentialsId: 'TokenF1aaaaaaaaaaaaaaaa' });

    server.faults.refuseMqtt(true);
    const refused = await attempt(plain(server, { username: 'TokenF1aaaaaaaaaaaaaaaa' }));
    server.faults.reset();
    const again = await attempt(plain(server, { username: 'TokenF1aaaaaaaaaaaaaaaa' }));

    expect(refused).toMatchObject({ connected: false, returnCode: 3 });
    expect(again).toMatchObject({ connected: true });
  });

  it('setDown closes both MQTT listeners', async () => {
    const { server, token } = await setUp();
    await createDevice(server, token, 'SN-F2', { credentialsType: 'ACCESS_TOKEN', credentialsId: 'TokenF2aaaaaaaaaaaaaaaa' });

    await server.faults.setDown(true);
    const plainDown = await attempt(plain(server, { username: 'TokenF2aaaaaaaaaaaaaaaa' }));
    const secureDown = await attempt(secure(server, { username: 'TokenF2aaaaaaaaaaaaaaaa' }));
    await server.faults.setDown(false);
    const back = await attempt(plain(server, { username: 'TokenF2aaaaaaaaaaaaaaaa' }));

    expect(plainDown).toMatchObject({ connected: false, errorCode: 'ECONNREFUSED' });
    expect(secureDown).toMatchObject({ connected: false, errorCode: 'ECONNREFUSED' });
    expect(back).toMatchObject({ connected: true });
  });
});

describe('stand-in device activity', () => {
  it('MQTT telemetry sets activity and the latest values', async () => {
    const { server, token } = await setUp();
    const deviceId = await createDevice(server, token, 'SN-A1', { credentialsType: 'ACCESS_TOKEN', credentialsId: 'TokenA1aaaaaaaaaaaaaaaa' });
    const before = Date.now();

    await attempt(plain(server, { username: 'TokenA1aaaaaaaaaaaaaaaa' }), nonce('n-A1-0001'));

    const attributes = await serverAttributes(server, token, deviceId);
    expect(attributes.active).toBe(true);
    expect(attributes.lastActivityTime).toBeGreaterThanOrEqual(before);
    expect(attributes.lastConnectTime).toBeGreaterThanOrEqual(before);
    const latest = await raw(server, 'GET', `/api/plugins/telemetry/DEVICE/${deviceId}/values/timeseries?keys=qaNonce`, { token });
    expect(latest.status).toBe(200);
    expect(latest.json).toEqual({ qaNonce: [{ ts: expect.any(Number) as number, value: 'n-A1-0001' }] });
    const info = await raw(server, 'GET', `/api/device/info/${deviceId}`, { token });
    expect((info.json as { active: boolean }).active).toBe(true);
  });

  it('connection alone sets no activity', async () => {
    const { server, token } = await setUp();
    const deviceId = await createDevice(server, token, 'SN-A2', { credentialsType: 'ACCESS_TOKEN', credentialsId: 'TokenA2aaaaaaaaaaaaaaaa' });

    await attempt(plain(server, { username: 'TokenA2aaaaaaaaaaaaaaaa' }));

    const attributes = await serverAttributes(server, token, deviceId);
    expect(attributes.lastConnectTime).toEqual(expect.any(Number));
    expect(attributes.lastActivityTime).toBeUndefined();
    expect(attributes.active).toBeUndefined();
  });

  it('HTTP telemetry sets the same activity', async () => {
    const { server, token } = await setUp();
    const deviceId = await createDevice(server, token, 'SN-A3', { credentialsType: 'ACCESS_TOKEN', credentialsId: 'TokenA3aaaaaaaaaaaaaaaa' });

    const posted = await raw(server, 'POST', '/api/v1/TokenA3aaaaaaaaaaaaaaaa/telemetry', { body: [{ ts: 1_700_000_000_000, values: { temp: 21.5 } }, { qaNonce: 'n-A3-0001' }] });

    expect(posted.status).toBe(200);
    const attributes = await serverAttributes(server, token, deviceId);
    expect(attributes.active).toBe(true);
    expect(attributes.lastActivityTime).toEqual(expect.any(Number));
    const latest = await raw(server, 'GET', `/api/plugins/telemetry/DEVICE/${deviceId}/values/timeseries`, { token });
    expect(latest.json).toEqual({ temp: [{ ts: 1_700_000_000_000, value: '21.5' }], qaNonce: [{ ts: expect.any(Number) as number, value: 'n-A3-0001' }] });
  });

  it('strict data types keep numbers', async () => {
    const { server, token } = await setUp();
    const deviceId = await createDevice(server, token, 'SN-A4', { credentialsType: 'ACCESS_TOKEN', credentialsId: 'TokenA4aaaaaaaaaaaaaaaa' });
    await raw(server, 'POST', '/api/v1/TokenA4aaaaaaaaaaaaaaaa/telemetry', { body: { temp: 21.5, serial: '000731' } });

    const latest = await raw(server, 'GET', `/api/plugins/telemetry/DEVICE/${deviceId}/values/timeseries?keys=temp,serial&useStrictDataTypes=true`, { token });

    expect(latest.json).toEqual({ temp: [{ ts: expect.any(Number) as number, value: 21.5 }], serial: [{ ts: expect.any(Number) as number, value: 731 }] });
  });

  it('MQTT payload that is not telemetry closes the connection', async () => {
    const { server, token } = await setUp();
    const deviceId = await createDevice(server, token, 'SN-A5', { credentialsType: 'ACCESS_TOKEN', credentialsId: 'TokenA5aaaaaaaaaaaaaaaa' });

    const result = await attempt(plain(server, { username: 'TokenA5aaaaaaaaaaaaaaaa' }), { topic: 'v1/devices/me/telemetry', payload: 'not json' });

    expect(result).toEqual({ connected: true, published: false });
    expect((await serverAttributes(server, token, deviceId)).active).toBeUndefined();
  });
});
