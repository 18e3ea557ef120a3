// API keys on the stand-in: create, use, list, disable, expire and delete, with exact bodies.
import { afterEach, describe, expect, it } from 'vitest';

import type { StandIn } from '../../src/devkit/thingsboard';
import { envelope, loginRaw, raw, startStandIn } from './helpers';

let server: StandIn | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const UNKNOWN = { status: 401, message: 'Invalid username or password', errorCode: 10 };
const DISABLED = { status: 401, message: 'User account is not active', errorCode: 10 };
const EXPIRED = { status: 401, message: 'API key is expired', errorCode: 10 };

async function signIn(standIn: StandIn): Promise<{ jwt: string; userId: string }> {
  const { token } = await loginRaw(standIn);
  const user = await raw(standIn, 'GET', '/api/auth/user', { token });
  return { jwt: token, userId: (user.json as { id: { id: string } }).id.id };
}

describe('stand-in API keys', () => {
  it('creates a key and returns its value once', async () => {
    const clock = Date.UTC(2030, 5, 1);
    server = await startStandIn({ now: () => clock });
    const { jwt, userId } = await signIn(server);

    const created = await raw(server, 'POST', '/api/apiKey', {
      token: jwt,
      body: { userId: { entityType: 'USER', id: userId }, description: 'station-07', expirationTime: 0, enabled: true },
    });
    expect(created.status).toBe(200);
    const key = created.json as Record<string, unknown> & { id: { id: string }; value: string };
    expect(key).toEqual({
      id: { entityType: 'API_KEY', id: key.id.id },
      createdTime: clock,
      tenantId: { entityType: 'TENANT', id: expect.any(String) as string },
      userId: { entityType: 'USER', id: userId },
      expirationTime: 0,
      description: 'station-07',
      enabled: true,
      expired: false,
      value: key.value,
    });
    expect(key.value).toMatch(/^tb_[A-Za-z0-9_-]{86}$/);
    expect(Buffer.from(key.value.slice(3), 'base64url')).toHaveLength(64);

    const listed = await raw(server, 'GET', `/api/apiKeys/${userId}?pageSize=10&page=0`, { token: jwt });
    expect(listed.status).toBe(200);
    const { value: _value, ...info } = key;
    expect(listed.json).toEqual({ data: [info], totalPages: 1, totalElements: 1, hasNext: false });
  });

  it('authenticates with either header', async () => {
    server = await startStandIn({ apiKeys: [{ value: 'tb_seededKey' }] });

    const viaX = await raw(server, 'GET', '/api/auth/user', { apiKey: 'tb_seededKey' });
    expect(viaX.status).toBe(200);
    expect((viaX.json as { email: string }).email).toBe('tenant@thingsboard.org');
    const viaStandard = await fetch(`${server.url}/api/auth/user`, { headers: { Authorization: 'ApiKey tb_seededKey' } });
    expect(viaStandard.status).toBe(200);
    const unknown = await raw(server, 'GET', '/api/auth/user', { apiKey: 'tb_otherKey' });
    expect(unknown.status).toBe(401);
    expect(envelope(unknown)).toEqual(UNKNOWN);
  });

  it('disables, enables and deletes a key', async () => {
    server = await startStandIn();
    const { jwt, userId } = await signIn(server);
    const created = await raw(server, 'POST', '/api/apiKey', {
      token: jwt,
      body: { userId: { entityType: 'USER', id: userId }, description: 'line 2', expirationTime: 0, enabled: true },
    });
    const { id, value } = created.json as { id: { id: string }; value: string };

    const disabled = await raw(server, 'PUT', `/api/apiKey/${id.id}/enabled/false`, { token: jwt });
    expect(disabled.status).toBe(200);
    expect(disabled.json).toMatchObject({ enabled: false });
    expect(disabled.json).not.toHaveProperty('value');
    const refused = await raw(server, 'GET', '/api/auth/user', { apiKey: value });
    expect(refused.status).toBe(401);
    expect(envelope(refused)).toEqual(DISABLED);

    await raw(server, 'PUT', `/api/apiKey/${id.id}/enabled/true`, { token: jwt });
    expect((await raw(server, 'GET', '/api/auth/user', { apiKey: value })).status).toBe(200);

    const deleted = await raw(server, 'DELETE', `/api/apiKey/${id.id}`, { token: jwt });
    expect(deleted.status).toBe(200);
    expect(deleted.text).toBe('');
    const gone = await raw(server, 'GET', '/api/auth/user', { apiKey: value });
    expect(envelope(gone)).toEqual(UNKNOWN);
    const again = await raw(server, 'DELETE', `/api/apiKey/${id.id}`, { token: jwt });
    expect(again.status).toBe(404);
  });

  it('rejects a key after expiry', async () => {
    let clock = Date.UTC(2030, 5, 1);
    server = await startStandIn({ now: () => clock, apiKeys: [{ value: 'tb_shortLived', expirationTime: clock + 60_000 }] });

    expect((await raw(server, 'GET', '/api/auth/user', { apiKey: 'tb_shortLived' })).status).toBe(200);
    clock += 60_000;
    expect((await raw(server, 'GET', '/api/auth/user', { apiKey: 'tb_shortLived' })).status).toBe(200);
    clock += 1;
    const expired = await raw(server, 'GET', '/api/auth/user', { apiKey: 'tb_shortLived' });
    expect(expired.status).toBe(401);
    expect(envelope(expired)).toEqual(EXPIRED);
  });

  it('creates a key disabled when enabled is absent', async () => {
    server = await startStandIn();
    const { jwt, userId } = await signIn(server);
    const created = await raw(server, 'POST', '/api/apiKey', {
      token: jwt,
      body: { userId: { entityType: 'USER', id: userId }, description: 'no flag' },
    });

    expect(created.json).toMatchObject({ enabled: false, expirationTime: 0 });
    const refused = await raw(server, 'GET', '/api/auth/user', { apiKey: (created.json as { value: string }).value });
    expect(envelope(refused)).toEqual(DISABLED);
  });

  it('rejects a key request without description', async () => {
    server = await startStandIn();
    const { jwt, userId } = await signIn(server);
    const answer = await raw(server, 'POST', '/api/apiKey', {
      token: jwt,
      body: { userId: { entityType: 'USER', id: userId }, description: ' ', enabled: true },
    });

    expect(answer.status).toBe(400);
    expect(envelope(answer)).toMatchObject({ status: 400, errorCode: 31 });
  });
});
