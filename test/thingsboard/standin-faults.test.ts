// The stand-in's faults, each observed through the real client against the real stand-in.
import { afterEach, describe, expect, it } from 'vitest';

import type { StandIn } from '../../src/devkit/thingsboard';
import { classifyFailure, isUnknownOutcome, ThingsboardError, type TbCredentialsInput } from '../../src/main/thingsboard/client';
import { clientFor, envelope, loginRaw, raw, startStandIn } from './helpers';

const servers: StandIn[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function start(options: Parameters<typeof startStandIn>[0] = {}): Promise<StandIn> {
  const server = await startStandIn(options);
  servers.push(server);
  return server;
}

async function rejection(promise: Promise<unknown>): Promise<ThingsboardError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof ThingsboardError)) throw new Error(`expected a ThingsboardError, got ${String(error)}`);
  return error;
}

function token(name: string): TbCredentialsInput {
  return { credentialsType: 'ACCESS_TOKEN', credentialsId: `token-${name}`.padEnd(20, 'X') };
}

/** Sends `count` lookups and returns which of them failed, as a string of '.' and 'x'. */
async function failurePattern(server: StandIn, count: number): Promise<string> {
  const client = clientFor(server);
  await client.login();
  let pattern = '';
  for (let index = 0; index < count; index += 1) {
    const outcome = await client.getDeviceByName(`SN-${index}`).then(
      () => '.',
      (error: unknown) => (error instanceof ThingsboardError && error.status === 503 ? 'x' : '?'),
    );
    pattern += outcome;
  }
  return pattern;
}

describe('stand-in latency', () => {
  it('makes the client time out until removed', async () => {
    const server = await start();
    const client = clientFor(server, { timeoutMs: 150 });
    await client.login();
    server.faults.latency(1000, { path: '/api/tenant/devices' });

    const error = await rejection(client.getDeviceByName('SN-slow'));
    expect(error.code).toBe('server-unreachable');
    expect(isUnknownOutcome(error)).toBe(true);
    expect(classifyFailure(error)).toBe('retry');

    server.faults.latency(0);
    expect(await client.getDeviceByName('SN-slow')).toBeNull();
  });
});

describe('stand-in error rate', () => {
  it('repeats the same failures for the same seed', async () => {
    const first = await start({ faultSeed: 7 });
    first.faults.errorRate(0.5, { status: 503, message: 'Service unavailable' });
    const second = await start({ faultSeed: 7 });
    second.faults.errorRate(0.5, { status: 503, message: 'Service unavailable' });

    const pattern = await failurePattern(first, 30);
    expect(pattern).toMatch(/^[.x]+$/);
    expect(pattern).toContain('x');
    expect(pattern).toContain('.');
    expect(await failurePattern(second, 30)).toBe(pattern);
  });

  it('sends the configured envelope', async () => {
    const server = await start({ faultSeed: 1 });
    const { token: jwt } = await loginRaw(server);
    server.faults.errorRate(1, { status: 500, errorCode: 46, message: 'Database error' }, { path: '/api/auth/user' });

    const answer = await raw(server, 'GET', '/api/auth/user', { token: jwt });
    expect(answer.status).toBe(500);
    expect(envelope(answer)).toEqual({ status: 500, message: 'Database error', errorCode: 46 });
    const other = await raw(server, 'GET', '/api/tenant/devices?pageSize=1&page=0', { token: jwt });
    expect(other.status).toBe(200);
  });

  it('fails every call at rate 1 until removed', async () => {
    const server = await start();
    const client = clientFor(server);
    server.faults.errorRate(1, { status: 502 });

    const error = await rejection(client.getDeviceByName('SN-1'));
    expect(error.code).toBe('server-error');
    expect(error.serverMessage).toBe('Injected failure 502');
    expect(classifyFailure(error)).toBe('retry');

    server.faults.errorRate(0, { status: 502 });
    expect(await client.getDeviceByName('SN-1')).toBeNull();
  });
});

describe('stand-in 429 burst', () => {
  it('answers the next calls with the tenant limit body', async () => {
    const server = await start();
    const { token: jwt } = await loginRaw(server);
    server.faults.rateLimitBurst(2);

    for (let call = 0; call < 2; call += 1) {
      const answer = await raw(server, 'GET', '/api/auth/user', { token: jwt });
      expect(answer.status).toBe(429);
      expect(envelope(answer)).toEqual({ status: 429, message: 'Too many requests for current tenant!', errorCode: 33 });
      expect(answer.headers.get('retry-after')).toBeNull();
    }
    expect((await raw(server, 'GET', '/api/auth/user', { token: jwt })).status).toBe(200);
  });

  it('leaves sign-in alone and reaches the client as tenant-backoff', async () => {
    const server = await start();
    const client = clientFor(server);
    server.faults.rateLimitBurst(1, { path: '/api/tenant/devices' });

    const error = await rejection(client.getDeviceByName('SN-1'));
    expect(error.code).toBe('server-rate-limited');
    expect(classifyFailure(error)).toBe('tenant-backoff');
    expect(server.faults.requestCount('POST', '/api/auth/login')).toBe(1);
    expect(await client.getDeviceByName('SN-1')).toBeNull();
  });
});

describe('stand-in token expiry', () => {
  it('expireAllTokens makes the client refresh once', async () => {
    const server = await start();
    const client = clientFor(server);
    await client.login();
    server.faults.expireAllTokens();

    expect(await client.getDeviceByName('SN-1')).toBeNull();
    expect(await client.getDeviceByName('SN-2')).toBeNull();
    expect(server.faults.requestCount('POST', '/api/auth/token')).toBe(1);
    expect(server.faults.requestCount('POST', '/api/auth/login')).toBe(1);
    expect(server.faults.requestCount('GET', '/api/tenant/devices')).toBe(3);
  });

  it('expireAllTokens answers 401/11 for access tokens', async () => {
    const server = await start();
    const { token: jwt, refreshToken } = await loginRaw(server);
    server.faults.expireAllTokens();

    const answer = await raw(server, 'GET', '/api/auth/user', { token: jwt });
    expect(answer.status).toBe(401);
    expect(envelope(answer)).toEqual({ status: 401, message: 'Token has expired', errorCode: 11 });
    expect((await raw(server, 'POST', '/api/auth/token', { body: { refreshToken } })).status).toBe(200);
  });

  it('expiring refresh tokens too forces a new sign-in', async () => {
    const server = await start();
    const client = clientFor(server);
    await client.login();
    server.faults.expireAllTokens({ refreshTokens: true });

    expect(await client.getDeviceByName('SN-1')).toBeNull();
    expect(server.faults.requestCount('POST', '/api/auth/token')).toBe(1);
    expect(server.faults.requestCount('POST', '/api/auth/login')).toBe(2);
  });

  it('signs in again when both tokens expired mid-run', async () => {
    let serverClock = Date.now();
    const server = await start({ now: () => serverClock, accessTokenTtlSeconds: 60, refreshTokenTtlSeconds: 120 });
    const client = clientFor(server);
    expect(await client.getDeviceByName('SN-1')).toBeNull();

    serverClock += 200_000;
    expect(await client.getDeviceByName('SN-2')).toBeNull();
    expect(await client.getDeviceByName('SN-3')).toBeNull();
    expect(server.faults.requestCount('POST', '/api/auth/login')).toBe(2);
  });
});

describe('stand-in device quota', () => {
  it('changes the quota at run time', async () => {
    const server = await start();
    const client = clientFor(server);
    await client.createDeviceWithCredentials({ name: 'SN-q1' }, token('q1'));
    server.faults.setMaxDevices(1);

    const error = await rejection(client.createDeviceWithCredentials({ name: 'SN-q2' }, token('q2')));
    expect(error.code).toBe('server-quota-exceeded');
    expect(error.status).toBe(403);
    expect(error.errorCode).toBe(41);
    expect(classifyFailure(error)).toBe('park');

    const { token: jwt } = await loginRaw(server);
    const answer = await raw(server, 'POST', '/api/device', { token: jwt, body: { name: 'SN-q3' } });
    expect(envelope(answer)).toEqual({ status: 403, message: 'Devices limit reached', errorCode: 41, entityType: 'DEVICE', limit: 1 });

    server.faults.setMaxDevices(0);
    expect((await client.createDeviceWithCredentials({ name: 'SN-q2' }, token('q2'))).name).toBe('SN-q2');
  });
});

describe('stand-in Date header', () => {
  it('comes from the clock option', async () => {
    const fixed = Date.UTC(2031, 0, 2, 3, 4, 5, 600);
    const server = await start({ now: () => fixed });
    const expected = 'Thu, 02 Jan 2031 03:04:05 GMT';

    const login = await raw(server, 'POST', '/api/auth/login', { body: { username: 'tenant@thingsboard.org', password: 'tenant' } });
    expect(login.headers.get('date')).toBe(expected);
    const missing = await raw(server, 'GET', '/no-such-page');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('date')).toBe(expected);
    const refused = await raw(server, 'GET', '/api/auth/user');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('date')).toBe(expected);
  });
});
