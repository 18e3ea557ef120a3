import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';

import type { StandIn } from '../../src/devkit/thingsboard';
import { envelope, loginRaw, raw, startStandIn } from './helpers';

let server: StandIn | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('stand-in authentication', () => {
  it('issues an HS512 pair with ThingsBoard claims', async () => {
    server = await startStandIn({ accessTokenTtlSeconds: 100, refreshTokenTtlSeconds: 1000 });
    const { token, refreshToken } = await loginRaw(server);

    const access = decodeJwt(token);
    expect(access.sub).toBe('tenant@thingsboard.org');
    expect(access.scopes).toEqual(['TENANT_ADMIN']);
    expect(access.iss).toBe('thingsboard.io');
    expect(typeof access.tenantId).toBe('string');
    expect(access.exp! - access.iat!).toBe(100);
    const refresh = decodeJwt(refreshToken);
    expect(refresh.scopes).toEqual(['REFRESH_TOKEN']);
    expect(refresh.exp! - refresh.iat!).toBe(1000);
  });

  it('rejects a wrong password with 401/10', async () => {
    server = await startStandIn();
    const answer = await raw(server, 'POST', '/api/auth/login', { body: { username: 'tenant@thingsboard.org', password: 'nope' } });

    expect(answer.status).toBe(401);
    expect(envelope(answer)).toEqual({ status: 401, message: 'Invalid username or password', errorCode: 10 });
  });

  it('rejects a login without password as failed authentication', async () => {
    server = await startStandIn();
    const answer = await raw(server, 'POST', '/api/auth/login', { body: { username: 'tenant@thingsboard.org' } });

    expect(answer.status).toBe(401);
    expect(envelope(answer)).toEqual({ status: 401, message: 'Authentication failed', errorCode: 10 });
  });

  it('reads the login body as JSON whatever the content type', async () => {
    server = await startStandIn();
    const body = JSON.stringify({ username: 'tenant@thingsboard.org', password: 'tenant' });
    const answer = await raw(server, 'POST', '/api/auth/login', { text: body, contentType: 'text/plain' });

    expect(answer.status).toBe(200);
  });

  it('refreshes a pair with the refresh token', async () => {
    server = await startStandIn();
    const { refreshToken } = await loginRaw(server);
    const answer = await raw(server, 'POST', '/api/auth/token', { body: { refreshToken } });

    expect(answer.status).toBe(200);
    const pair = answer.json as { token: string; refreshToken: string };
    const user = await raw(server, 'GET', '/api/auth/user', { token: pair.token });
    expect(user.status).toBe(200);
    expect((user.json as { email: string }).email).toBe('tenant@thingsboard.org');
  });

  it('rejects bad tokens with ThingsBoard codes', async () => {
    let clock = Date.now();
    server = await startStandIn({ now: () => clock, accessTokenTtlSeconds: 60 });
    const { token } = await loginRaw(server);
    const other = await startStandIn();
    const foreign = (await loginRaw(other)).token;
    await other.close();

    const noHeader = await raw(server, 'GET', '/api/auth/user');
    expect(noHeader.status).toBe(401);
    expect(envelope(noHeader)).toEqual({ status: 401, message: 'Authentication failed', errorCode: 10 });

    const malformed = await raw(server, 'GET', '/api/auth/user', { token: 'not-a-jwt' });
    expect(malformed.status).toBe(401);
    expect(envelope(malformed)).toEqual({ status: 401, message: 'Invalid username or password', errorCode: 10 });

    const badSignature = await raw(server, 'GET', '/api/auth/user', { token: foreign });
    expect(badSignature.status).toBe(401);
    expect(envelope(badSignature)).toEqual({ status: 401, message: 'Token has expired', errorCode: 11 });

    clock += 61_000;
    const expired = await raw(server, 'GET', '/api/auth/user', { token });
    expect(expired.status).toBe(401);
    expect(envelope(expired)).toEqual({ status: 401, message: 'Token has expired', errorCode: 11 });
  });

  it('accepts the standard Authorization header', async () => {
    server = await startStandIn();
    const { token } = await loginRaw(server);
    const response = await fetch(`${server.url}/api/auth/user`, { headers: { Authorization: `Bearer ${token}` } });

    expect(response.status).toBe(200);
  });

  it('rejects an expired refresh token with 401/11', async () => {
    let clock = Date.now();
    server = await startStandIn({ now: () => clock, refreshTokenTtlSeconds: 60 });
    const { refreshToken } = await loginRaw(server);
    clock += 61_000;
    const answer = await raw(server, 'POST', '/api/auth/token', { body: { refreshToken } });

    expect(answer.status).toBe(401);
    expect(envelope(answer)).toEqual({ status: 401, message: 'Token has expired', errorCode: 11 });
  });

  it('returns a pre-verification token for a 2FA user', async () => {
    server = await startStandIn({ users: [{ email: 'mfa@example.com', password: 'pw', authority: 'TENANT_ADMIN', twoFactor: true }] });
    const answer = await raw(server, 'POST', '/api/auth/login', { body: { username: 'mfa@example.com', password: 'pw' } });

    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ scope: 'PRE_VERIFICATION_TOKEN' });
    expect(answer.json).not.toHaveProperty('refreshToken');
  });
});
