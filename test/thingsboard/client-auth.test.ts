// The client's API-key sign-in, option checks, clock-skew tracking and failure classes, run
// against the real stand-in on loopback.
import { afterEach, describe, expect, it } from 'vitest';

import type { StandIn } from '../../src/devkit/thingsboard';
import { classifyFailure, ThingsboardClient, ThingsboardError, type ThingsboardClientOptions } from '../../src/main/thingsboard/client';
import { StationError } from '../../src/shared/reasons';
import { apiKeyClientFor, clientFor, startStandIn, TENANT } from './helpers';

let server: StandIn | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const KEY = 'tb_stationSevenKeyForTests';

async function rejection(promise: Promise<unknown>): Promise<ThingsboardError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof ThingsboardError)) throw new Error(`expected a ThingsboardError, got ${String(error)}`);
  return error;
}

function constructionError(options: unknown): StationError {
  try {
    new ThingsboardClient(options as ThingsboardClientOptions);
  } catch (error) {
    if (error instanceof StationError) return error;
    throw error;
  }
  throw new Error('expected the constructor to throw');
}

describe('client with an API key', () => {
  it('never calls login or refresh', async () => {
    server = await startStandIn({ apiKeys: [{ value: KEY }], accessTokenTtlSeconds: 20 });
    const client = apiKeyClientFor(server, KEY);

    await client.login();
    const device = await client.createDeviceWithCredentials({ name: 'SN-key' }, { credentialsType: 'ACCESS_TOKEN', credentialsId: 'keyDeviceTokenXXXXXX' });
    expect((await client.getDeviceByName('SN-key'))?.id).toEqual(device.id);
    expect((await client.listDevices(10, 0)).totalElements).toBe(1);

    expect(server.faults.requestCount('GET', '/api/auth/user')).toBe(1);
    expect(server.faults.requestCount('POST', '/api/auth/login')).toBe(0);
    expect(server.faults.requestCount('POST', '/api/auth/token')).toBe(0);
  });

  it('fails a rejected key without retry', async () => {
    server = await startStandIn({ apiKeys: [{ value: KEY, enabled: false }] });
    const client = apiKeyClientFor(server, KEY);

    const error = await rejection(client.getDeviceByName('SN-1'));
    expect(error.code).toBe('server-auth-failed');
    expect(error.status).toBe(401);
    expect(error.errorCode).toBe(10);
    expect(error.serverMessage).toBe('User account is not active');
    expect(error.message).toContain('with the API key');
    expect(error.message).not.toContain(KEY);
    expect(classifyFailure(error)).toBe('needs-sign-in');
    expect(server.faults.requestCount('GET', '/api/tenant/devices')).toBe(1);
    expect(server.faults.requestCount('POST', '/api/auth/login')).toBe(0);
  });

  it('reports an expired key from login', async () => {
    let clock = Date.now();
    server = await startStandIn({ now: () => clock, apiKeys: [{ value: KEY, expirationTime: clock + 1000 }] });
    const client = apiKeyClientFor(server, KEY);
    await client.login();

    clock += 2000;
    const error = await rejection(client.login());
    expect(error.code).toBe('server-auth-failed');
    expect(error.serverMessage).toBe('API key is expired');
  });
});

describe('client options', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['both ways', { baseUrl: 'http://127.0.0.1:1', ...TENANT, apiKey: KEY }, 'not both'],
    ['neither way', { baseUrl: 'http://127.0.0.1:1' }, 'give username and password, or apiKey'],
    ['username alone', { baseUrl: 'http://127.0.0.1:1', username: 'tenant@thingsboard.org' }, 'give username and password, or apiKey'],
    ['empty key', { baseUrl: 'http://127.0.0.1:1', apiKey: '' }, 'apiKey: must not be empty'],
    ['bad URL', { baseUrl: 'ftp://127.0.0.1', apiKey: KEY }, 'baseUrl: must be an http or https URL'],
  ];

  it.each(cases)('rejects %s', (_name, options, expected) => {
    const error = constructionError(options);
    expect(error.code).toBe('invalid-argument');
    expect(error.message).toContain(expected);
    expect(error.message).not.toContain(KEY);
    expect(error.message).not.toContain(TENANT.password);
  });

  it('accepts an undefined apiKey beside a password', () => {
    expect(() => new ThingsboardClient({ baseUrl: 'http://127.0.0.1:1', ...TENANT, apiKey: undefined })).not.toThrow();
  });
});

describe('client clock skew', () => {
  it('records skew from the Date header', async () => {
    server = await startStandIn({ now: () => Date.now() + 120_000 });
    const client = clientFor(server);
    expect(client.lastContact()).toBeUndefined();

    await client.getDeviceByName('SN-1');
    const contact = client.lastContact();
    expect(contact?.at).toBeInstanceOf(Date);
    // The header has whole seconds, so allow one second either way.
    expect(contact?.serverClockSkewMs).toBeGreaterThanOrEqual(119_000);
    expect(contact?.serverClockSkewMs).toBeLessThanOrEqual(121_000);
  });

  it('computes skew with fixed clocks exactly', async () => {
    const serverTime = Date.UTC(2030, 0, 1, 12, 0, 0, 500);
    server = await startStandIn({ now: () => serverTime });
    const client = clientFor(server, { now: () => serverTime + 45_000 });

    await client.login();
    expect(client.lastContact()).toEqual({ at: new Date(serverTime + 45_000), serverClockSkewMs: -45_000 });
  });

  it('refreshes early after the server clock jumps', async () => {
    let serverClock = Date.now();
    server = await startStandIn({ now: () => serverClock, accessTokenTtlSeconds: 3600 });
    const client = clientFor(server);
    await client.login();

    // The token is still valid by 10 s, so this call passes and brings back the new Date.
    serverClock += 3590_000;
    expect(await client.getDeviceByName('SN-1')).toBeNull();
    expect(server.faults.requestCount('POST', '/api/auth/token')).toBe(0);

    // Now the client knows the token is inside the 30 s margin and refreshes before sending.
    expect(await client.getDeviceByName('SN-2')).toBeNull();
    expect(server.faults.requestCount('POST', '/api/auth/token')).toBe(1);
    expect(server.faults.requestCount('GET', '/api/tenant/devices')).toBe(2);
  });
});

describe('classifyFailure', () => {
  it('sorts server answers into classes', async () => {
    server = await startStandIn();
    const client = clientFor(server);
    await client.login();
    const cases: Array<[number, number, string, string]> = [
      [500, 2, 'Database error', 'retry'],
      [503, 2, 'Service unavailable', 'retry'],
      [429, 33, 'Too many requests for current tenant!', 'tenant-backoff'],
      [403, 41, 'Devices limit reached', 'park'],
      [403, 20, "You don't have permission to perform this operation!", 'park'],
      [400, 31, 'Device credentials are already assigned to another device!', 'park'],
      [404, 32, "Requested item wasn't found!", 'park'],
      [409, 35, 'Device was already changed by someone else', 'park'],
    ];

    for (const [status, errorCode, message, expected] of cases) {
      server.faults.failNext(1, { status, errorCode, message });
      const error = await rejection(client.getDeviceCredentials('00000000-0000-4000-8000-000000000000'));
      expect(classifyFailure(error), message).toBe(expected);
    }
  });

  it('asks for sign-in after a refused login or 2FA', async () => {
    server = await startStandIn({ users: [{ email: 'mfa@example.com', password: 'pw', authority: 'TENANT_ADMIN', twoFactor: true }, { email: TENANT.username, password: TENANT.password, authority: 'TENANT_ADMIN' }] });

    const wrongPassword = await rejection(clientFor(server, { password: 'wrong-password' }).getDeviceByName('SN-1'));
    expect(classifyFailure(wrongPassword)).toBe('needs-sign-in');
    const twoFactor = await rejection(clientFor(server, { username: 'mfa@example.com', password: 'pw' }).login());
    expect(classifyFailure(twoFactor)).toBe('needs-sign-in');
  });

  it('retries when the server is down', async () => {
    server = await startStandIn();
    const client = clientFor(server);
    await client.login();
    await server.faults.setDown(true);

    const error = await rejection(client.getDeviceByName('SN-1'));
    expect(error.code).toBe('server-unreachable');
    expect(classifyFailure(error)).toBe('retry');
  });

  it('parks errors that are not ThingsBoard failures', () => {
    expect(classifyFailure(new TypeError('bug'))).toBe('park');
    expect(classifyFailure(new ThingsboardError('server-error', 'GET /api/x returned a body that is not the expected ThingsBoard object', { status: 200 }))).toBe('park');
  });
});
