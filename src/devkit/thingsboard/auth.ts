// Users, JWTs and the /api/auth routes. Tokens are real HS512 JWTs with ThingsBoard's claims,
// so a client can decode `iat` and `exp`. Verification follows ThingsBoard's quirks: a
// malformed token reads as a bad login (10), a bad signature as an expired token (11).
// `ApiKey` headers go to the API key store instead.
import { randomBytes, randomUUID } from 'node:crypto';

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';

import type { ApiKeyStore } from './api-keys';
import { ErrorCode, EnvelopeError, unauthorized } from './errors';
import { NULL_UUID, entityId } from './store';

export type Authority = 'SYS_ADMIN' | 'TENANT_ADMIN' | 'CUSTOMER_USER';

export interface StandInUser {
  email: string;
  password: string;
  authority: Authority;
  firstName?: string;
  lastName?: string;
  /** A disabled user cannot sign in ("User account is not active"). */
  enabled?: boolean;
  /** Sign-in then returns a pre-verification token without a refresh token, as with 2FA on. */
  twoFactor?: boolean;
}

export const DEFAULT_USERS: StandInUser[] = [
  { email: 'tenant@thingsboard.org', password: 'tenant', authority: 'TENANT_ADMIN' },
  { email: 'sysadmin@thingsboard.org', password: 'sysadmin', authority: 'SYS_ADMIN' },
];

export interface AuthenticatedUser {
  user: StandInUser;
  userId: string;
}

const ISSUER = 'thingsboard.io';

export class JwtService {
  private readonly secret: Uint8Array;
  private readonly userIds = new Map<string, string>();
  /** Tokens issued so far, kept so that expireAll can reject them before their `exp`. */
  private readonly issuedAccess = new Set<string>();
  private readonly issuedRefresh = new Set<string>();
  private readonly revoked = new Set<string>();

  constructor(
    private readonly users: StandInUser[],
    private readonly tenantId: string,
    private readonly now: () => number,
    private readonly ttl: { access: number; refresh: number },
    secret: string | Uint8Array | undefined,
  ) {
    this.secret = typeof secret === 'string' ? new TextEncoder().encode(secret) : (secret ?? randomBytes(64));
    for (const user of users) this.userIds.set(user.email, randomUUID());
  }

  userId(user: StandInUser): string {
    return this.userIds.get(user.email) ?? NULL_UUID;
  }

  tenantOf(user: StandInUser): string {
    return user.authority === 'SYS_ADMIN' ? NULL_UUID : this.tenantId;
  }

  findUser(email: string): StandInUser | undefined {
    return this.users.find((user) => user.email === email);
  }

  findUserById(id: string): StandInUser | undefined {
    return this.users.find((user) => this.userIds.get(user.email) === id);
  }

  firstTenantAdmin(): StandInUser | undefined {
    return this.users.find((user) => user.authority === 'TENANT_ADMIN');
  }

  /**
   * Rejects every access token issued so far with 401/11 "Token has expired", and every
   * refresh token too when `refreshTokens` is true. Tokens issued later are valid.
   */
  expireAll(refreshTokens: boolean): void {
    for (const token of this.issuedAccess) this.revoked.add(token);
    this.issuedAccess.clear();
    if (!refreshTokens) return;
    for (const token of this.issuedRefresh) this.revoked.add(token);
    this.issuedRefresh.clear();
  }

  async issuePair(user: StandInUser): Promise<{ token: string; refreshToken: string }> {
    const sessionId = randomUUID();
    const token = await this.sign(
      {
        userId: this.userId(user),
        scopes: [user.authority],
        sessionId,
        firstName: user.firstName ?? null,
        lastName: user.lastName ?? null,
        enabled: user.enabled ?? true,
        isPublic: false,
        tenantId: this.tenantOf(user),
        customerId: user.authority === 'TENANT_ADMIN' ? NULL_UUID : undefined,
      },
      user.email,
      this.ttl.access,
    );
    const refreshToken = await this.sign(
      { userId: this.userId(user), scopes: ['REFRESH_TOKEN'], sessionId, isPublic: false, jti: randomUUID() },
      user.email,
      this.ttl.refresh,
    );
    this.issuedAccess.add(token);
    this.issuedRefresh.add(refreshToken);
    return { token, refreshToken };
  }

  async issuePreVerification(user: StandInUser): Promise<{ token: string; scope: string }> {
    const token = await this.sign({ userId: this.userId(user), scopes: ['PRE_VERIFICATION_TOKEN'] }, user.email, 300);
    return { token, scope: 'PRE_VERIFICATION_TOKEN' };
  }

  private async sign(claims: JWTPayload, subject: string, ttlSeconds: number): Promise<string> {
    const issuedAt = Math.floor(this.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS512' })
      .setSubject(subject)
      .setIssuer(ISSUER)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ttlSeconds)
      .sign(this.secret);
  }

  /** Verifies a JWT and returns the user it names, with the scope it must carry. */
  async verify(token: string, scope: 'ACCESS' | 'REFRESH_TOKEN'): Promise<AuthenticatedUser> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.secret, {
        algorithms: ['HS512'],
        currentDate: new Date(this.now()),
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired || error instanceof joseErrors.JWSSignatureVerificationFailed) {
        throw unauthorized('Token has expired', ErrorCode.jwtTokenExpired);
      }
      throw unauthorized('Invalid username or password');
    }
    if (this.revoked.has(token)) throw unauthorized('Token has expired', ErrorCode.jwtTokenExpired);

    const scopes = Array.isArray(payload.scopes) ? (payload.scopes as unknown[]) : [];
    const isRefresh = scopes.includes('REFRESH_TOKEN');
    const user = typeof payload.sub === 'string' ? this.findUser(payload.sub) : undefined;
    if (user === undefined || isRefresh !== (scope === 'REFRESH_TOKEN') || scopes.includes('PRE_VERIFICATION_TOKEN')) {
      throw unauthorized(scope === 'REFRESH_TOKEN' ? 'Authentication failed' : 'Invalid username or password');
    }
    return { user, userId: this.userId(user) };
  }
}

const authenticated = new WeakMap<FastifyRequest, AuthenticatedUser>();

export function setCurrentUser(request: FastifyRequest, user: AuthenticatedUser): void {
  authenticated.set(request, user);
}

export function currentUser(request: FastifyRequest): AuthenticatedUser {
  const user = authenticated.get(request);
  if (user === undefined) throw unauthorized('Authentication failed');
  return user;
}

/**
 * Reads `X-Authorization` (or, since ThingsBoard 4.3, `Authorization`) and verifies the JWT
 * after `Bearer ` or the API key after `ApiKey `.
 */
export async function authenticate(request: FastifyRequest, jwt: JwtService, apiKeys: ApiKeyStore): Promise<AuthenticatedUser> {
  const header = request.headers['x-authorization'] ?? request.headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') throw unauthorized('Authentication failed');
  if (value.startsWith('ApiKey ')) return apiKeys.authenticate(value.slice('ApiKey '.length).trim());
  // NOTE: the response to an unknown scheme (neither Bearer nor ApiKey) is inferred, not confirmed.
  if (!value.startsWith('Bearer ')) throw new EnvelopeError(403, 'Access Denied', ErrorCode.permissionDenied);
  return jwt.verify(value.slice('Bearer '.length).trim(), 'ACCESS');
}

function parseLooseJson(body: unknown): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = typeof body === 'string' ? JSON.parse(body) : body;
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function registerAuthRoutes(app: FastifyInstance, jwt: JwtService): void {
  // Login reads the body as JSON whatever its Content-Type, as ThingsBoard's login filter does.
  app.post('/api/auth/login', async (request) => {
    const body = parseLooseJson(request.body);
    const username = body?.username;
    const password = body?.password;
    if (typeof username !== 'string' || typeof password !== 'string' || username === '' || password === '') {
      throw unauthorized('Authentication failed');
    }
    const user = jwt.findUser(username);
    if (user === undefined || user.password !== password) throw unauthorized('Invalid username or password');
    if (user.enabled === false) throw unauthorized('User account is not active');
    return user.twoFactor === true ? jwt.issuePreVerification(user) : jwt.issuePair(user);
  });

  app.get('/api/auth/login', () => {
    throw unauthorized('Authentication method not supported');
  });

  app.post('/api/auth/token', async (request) => {
    const refreshToken = parseLooseJson(request.body)?.refreshToken;
    if (typeof refreshToken !== 'string' || refreshToken === '') throw unauthorized('Authentication failed');
    const { user } = await jwt.verify(refreshToken, 'REFRESH_TOKEN');
    return jwt.issuePair(user);
  });

  app.get('/api/auth/user', (request) => {
    const { user, userId } = currentUser(request);
    return {
      id: entityId('USER', userId),
      createdTime: 0,
      tenantId: entityId('TENANT', jwt.tenantOf(user)),
      customerId: entityId('CUSTOMER', NULL_UUID),
      email: user.email,
      name: user.email,
      authority: user.authority,
      firstName: user.firstName ?? null,
      lastName: user.lastName ?? null,
      additionalInfo: {},
    };
  });

  // Logout only writes an audit entry in ThingsBoard. Tokens stay valid until they expire.
  app.post('/api/auth/logout', (_request, reply) => reply.code(200).send());
}
