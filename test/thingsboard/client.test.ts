import { afterEach, describe, expect, it } from 'vitest';

import type { StandIn } from '../../src/devkit/thingsboard';
import {
  credentialsMatch,
  isNameExistsError,
  isUnknownOutcome,
  ThingsboardError,
  type TbCredentialsInput,
} from '../../src/main/thingsboard/client';
import { clientFor, generateCertificatePem, startStandIn } from './helpers';

let server: StandIn | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const TOKEN: TbCredentialsInput = { credentialsType: 'ACCESS_TOKEN', credentialsId: 'clientTokenXXXXXXXXX' };

async function rejection(promise: Promise<unknown>): Promise<ThingsboardError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof ThingsboardError)) throw new Error(`expected a ThingsboardError, got ${String(error)}`);
  return error;
}

describe('ThingsboardClient', () => {
  it('creates a device and reads it back', async () => {
    server = await startStandIn();
    const client = clientFor(server);

    const device = await client.createDeviceWithCredentials({ name: 'SN-100', label: 'bench' }, TOKEN);
    expect(device.name).toBe('SN-100');
    expect(await client.getDeviceByName('SN-100')).toMatchObject({ id: device.id });
    expect(await client.getDeviceByName('SN-missing')).toBeNull();
    const credentials = await client.getDeviceCredentials(device.id.id);
    expect(credentialsMatch(TOKEN, credentials)).toBe(true);
    expect((await client.getDefaultDeviceProfile()).name).toBe('default');
    expect(server.faults.requestCount('POST', '/api/auth/login')).toBe(1);
  });

  it('updates credentials using the record id', async () => {
    server = await startStandIn();
    const client = clientFor(server);
    const device = await client.createDeviceWithCredentials({ name: 'SN-101' }, TOKEN);
    const current = await client.getDeviceCredentials(device.id.id);

    const updated = await client.updateDeviceCredentials({ ...current, credentialsId: 'replacedTokenXXXXXXX' });
    expect(updated.credentialsId).toBe('replacedTokenXXXXXXX');
  });

  it('writes and reads server attributes', async () => {
    server = await startStandIn();
    const client = clientFor(server);
    const device = await client.createDeviceWithCredentials({ name: 'SN-102' }, TOKEN);

    await client.saveServerAttributes(device.id.id, { mfgStation: 'ST-07', serial: '000731' });
    const attributes = await client.getServerAttributes(device.id.id, ['mfgStation', 'serial']);
    expect(Object.fromEntries(attributes.map((entry) => [entry.key, entry.value]))).toEqual({ mfgStation: 'ST-07', serial: 731 });
  });

  it('lists devices by page and search text', async () => {
    server = await startStandIn();
    const client = clientFor(server);
    for (const name of ['b-1', 'a-1', 'a-2']) {
      await client.createDeviceWithCredentials({ name }, { credentialsType: 'ACCESS_TOKEN', credentialsId: `token-${name}-XXXXXXXXXX` });
    }

    const page = await client.listDevices(2, 0);
    expect(page.data.map((device) => device.name)).toEqual(['a-1', 'a-2']);
    expect(page.hasNext).toBe(true);
    expect((await client.listDevices(10, 0, 'B-')).totalElements).toBe(1);
  });

  it('maps a wrong password to server-auth-failed', async () => {
    server = await startStandIn();
    const error = await rejection(clientFor(server, { password: 'wrong-password' }).login());

    expect(error.code).toBe('server-auth-failed');
    expect(error.status).toBe(401);
    expect(error.errorCode).toBe(10);
    expect(error.message).toContain('tenant@thingsboard.org');
    expect(error.message).toContain('Invalid username or password');
    expect(error.message).not.toContain('wrong-password');
  });

  it('reports 2FA as unsupported', async () => {
    server = await startStandIn({ users: [{ email: 'mfa@example.com', password: 'pw', authority: 'TENANT_ADMIN', twoFactor: true }] });
    const error = await rejection(clientFor(server, { username: 'mfa@example.com', password: 'pw' }).login());

    expect(error.code).toBe('server-2fa-required');
  });

  it('refreshes an access token about to expire', async () => {
    server = await startStandIn({ accessTokenTtlSeconds: 20 });
    const client = clientFor(server);

    // A 20 s token is always within the 30 s refresh margin, so every call after sign-in refreshes.
    await client.getDeviceByName('SN-x');
    await client.getDeviceByName('SN-y');
    await client.getDeviceByName('SN-z');
    expect(server.faults.requestCount('POST', '/api/auth/login')).toBe(1);
    expect(server.faults.requestCount('POST', '/api/auth/token')).toBe(2);
  });

  it('refreshes and retries after a 401 with errorCode 11', async () => {
    let serverClock = Date.now();
    server = await startStandIn({ now: () => serverClock, accessTokenTtlSeconds: 3600 });
    const client = clientFor(server);
    await client.login();

    serverClock += 7200_000;
    expect(await client.getDeviceByName('SN-none')).toBeNull();
    expect(server.faults.requestCount('POST', '/api/auth/token')).toBe(1);
    expect(server.faults.requestCount('GET', '/api/tenant/devices')).toBe(2);
  });

  it('signs in again after a 401 with errorCode 10', async () => {
    server = await startStandIn();
    const client = clientFor(server);
    await client.login();
    server.faults.failNext(1, { status: 401, message: 'Invalid username or password', errorCode: 10 });

    expect(await client.getDeviceByName('SN-none')).toBeNull();
    expect(server.faults.requestCount('POST', '/api/auth/login')).toBe(2);
  });

  it('maps server answers to reason codes', async () => {
    server = await startStandIn({ maxDevices: 2 });
    const client = clientFor(server);
    await client.createDeviceWithCredentials({ name: 'SN-200' }, TOKEN);

    const nameTaken = await rejection(client.createDeviceWithCredentials({ name: 'SN-200' }, TOKEN));
    expect(nameTaken.code).toBe('server-rejected');
    expect(isNameExistsError(nameTaken)).toBe(true);
    expect(isUnknownOutcome(nameTaken)).toBe(false);

    await client.createDeviceWithCredentials({ name: 'SN-201' }, { ...TOKEN, credentialsId: 'secondTokenXXXXXXXXX' });
    const quota = await rejection(client.createDeviceWithCredentials({ name: 'SN-202' }, { ...TOKEN, credentialsId: 'otherTokenXXXXXXXXXX' }));
    expect(quota.code).toBe('server-quota-exceeded');

    const cases: Array<[number, number | undefined, string, string]> = [
      [429, 33, 'Too many requests for current tenant!', 'server-rate-limited'],
      [403, 20, "You don't have permission to perform this operation!", 'server-permission-denied'],
      [400, 31, 'Device credentials are already assigned to another device!', 'server-credential-taken'],
      [400, 31, 'Specified credentials are already registered!', 'server-credential-taken'],
      [500, 2, 'Database error', 'server-error'],
    ];
    for (const [status, errorCode, message, code] of cases) {
      server.faults.failNext(1, { status, errorCode, message });
      const error = await rejection(client.getDeviceCredentials('00000000-0000-4000-8000-000000000000'));
      expect(error.code, message).toBe(code);
      expect(error.serverMessage).toBe(message);
      expect(isUnknownOutcome(error)).toBe(status >= 500);
    }

    server.faults.failNext(1, { status: 400, body: 'Key cannot be blank' });
    const plain = await rejection(client.saveServerAttributes('00000000-0000-4000-8000-000000000000', { a: 1 }));
    expect(plain.serverMessage).toBe('Key cannot be blank');
  });

  it('reports a taken token as server-credential-taken', async () => {
    server = await startStandIn();
    const client = clientFor(server);
    await client.createDeviceWithCredentials({ name: 'SN-300' }, TOKEN);

    const error = await rejection(client.createDeviceWithCredentials({ name: 'SN-301' }, TOKEN));
    expect(error.code).toBe('server-credential-taken');
    expect(await client.getDeviceByName('SN-301')).toBeNull();
  });

  it('reports a stopped server as unreachable without a secret', async () => {
    server = await startStandIn({ users: [{ email: 'line@example.com', password: 'hidden-password', authority: 'TENANT_ADMIN' }] });
    const client = clientFor(server, { username: 'line@example.com', password: 'hidden-password' });
    await client.login();
    await server.faults.setDown(true);

    const error = await rejection(client.getDeviceByName('SN-1'));
    expect(error.code).toBe('server-unreachable');
    expect(error.message).toContain(`127.0.0.1:${server.port}`);
    expect(error.message).not.toContain('hidden-password');
    expect(isUnknownOutcome(error)).toBe(false);

    await server.faults.setDown(false);
    expect(await client.getDeviceByName('SN-1')).toBeNull();
  });

  it('flags a response lost after commit as unknown outcome', async () => {
    server = await startStandIn();
    const client = clientFor(server);
    await client.login();
    server.faults.dropResponseAfterCommit(1, { method: 'POST', path: '/api/device-with-credentials' });

    const error = await rejection(client.createDeviceWithCredentials({ name: 'SN-400' }, TOKEN));
    expect(error.code).toBe('server-unreachable');
    expect(isUnknownOutcome(error)).toBe(true);
    const device = await client.getDeviceByName('SN-400');
    expect(device).not.toBeNull();
    expect(credentialsMatch(TOKEN, await client.getDeviceCredentials(device!.id.id))).toBe(true);

    const retry = await rejection(client.createDeviceWithCredentials({ name: 'SN-400' }, TOKEN));
    expect(isNameExistsError(retry)).toBe(true);
    expect(server.faults.requestCount('POST', '/api/device-with-credentials')).toBe(2);
  });

  it('times out a delayed answer as unknown outcome', async () => {
    server = await startStandIn();
    const client = clientFor(server, { timeoutMs: 200 });
    await client.login();
    server.faults.delay(1000, { path: '/api/device-with-credentials' });

    const error = await rejection(client.createDeviceWithCredentials({ name: 'SN-500' }, TOKEN));
    expect(error.code).toBe('server-unreachable');
    expect(isUnknownOutcome(error)).toBe(true);
  });
});

describe('credentialsMatch', () => {
  const stored = (credentialsType: 'ACCESS_TOKEN' | 'MQTT_BASIC' | 'X509_CERTIFICATE', credentialsId: string, credentialsValue: string | null) => ({
    id: { id: 'c' },
    deviceId: { entityType: 'DEVICE', id: 'd' },
    credentialsType,
    credentialsId,
    credentialsValue,
  });

  it('compares MQTT basic fields, not JSON text', () => {
    const expected: TbCredentialsInput = { credentialsType: 'MQTT_BASIC', credentialsValue: JSON.stringify({ clientId: 'c', userName: 'u', password: 'p' }) };
    const held = stored('MQTT_BASIC', 'x', JSON.stringify({ userName: 'u', password: 'p', clientId: 'c' }));
    const otherPassword = stored('MQTT_BASIC', 'x', JSON.stringify({ clientId: 'c', userName: 'u', password: 'q' }));

    expect(credentialsMatch(expected, held)).toBe(true);
    expect(credentialsMatch(expected, otherPassword)).toBe(false);
  });

  it('compares certificates after normalisation', () => {
    const pem = generateCertificatePem('SN-match');
    const body = pem.split('\n').filter((line) => line !== '' && !line.startsWith('-----')).join('');

    expect(credentialsMatch({ credentialsType: 'X509_CERTIFICATE', credentialsValue: pem }, stored('X509_CERTIFICATE', 'h', body))).toBe(true);
    expect(credentialsMatch({ credentialsType: 'X509_CERTIFICATE', credentialsValue: pem }, stored('X509_CERTIFICATE', 'h', body.slice(1)))).toBe(false);
    expect(credentialsMatch(TOKEN, stored('X509_CERTIFICATE', 'clientTokenXXXXXXXXX', body))).toBe(false);
  });
});
