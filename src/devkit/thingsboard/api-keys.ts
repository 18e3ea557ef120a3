// API keys as ThingsBoard 4.3 and later has them: the /api/apiKey routes and authentication by
// `X-Authorization: ApiKey <value>`. A key acts as the user who owns it. The value is returned
// once, when the key is created.
import { randomBytes, randomUUID } from 'node:crypto';

import type { FastifyInstance, FastifyRequest } from 'fastify';

import { currentUser, type AuthenticatedUser, type JwtService, type StandInUser } from './auth';
import { badRequest, notFound, permissionDenied, unauthorized } from './errors';
import { readPageLink, toPage, type Query } from './paging';
import { readJsonObject } from './request-body';
import { entityId, readEntityId, requireUuid } from './store';

/** A key that exists from the start, so a test can send a known value. */
export interface StandInApiKey {
  /** The value clients send after `ApiKey `, e.g. 'tb_...'. */
  value: string;
  /** Email of the owning user; default the first TENANT_ADMIN. */
  user?: string;
  /** Default 'seeded key'. */
  description?: string;
  /** Epoch milliseconds after which the key is refused; 0 (the default) never expires. */
  expirationTime?: number;
  /** Default true. */
  enabled?: boolean;
}

interface ApiKeyRecord {
  id: string;
  createdTime: number;
  user: StandInUser;
  value: string;
  description: string;
  expirationTime: number;
  enabled: boolean;
}

const VALUE_PREFIX = 'tb_';
const VALUE_BYTES = 64;

/** Creates a key value the way ThingsBoard does: a prefix and URL-safe base64 without padding. */
export function newApiKeyValue(): string {
  return VALUE_PREFIX + randomBytes(VALUE_BYTES).toString('base64url');
}

export class ApiKeyStore {
  private readonly byId = new Map<string, ApiKeyRecord>();
  private readonly byValue = new Map<string, ApiKeyRecord>();

  constructor(
    private readonly jwt: JwtService,
    private readonly now: () => number,
  ) {}

  seed(keys: StandInApiKey[]): void {
    for (const key of keys) {
      const user = key.user === undefined ? this.jwt.firstTenantAdmin() : this.jwt.findUser(key.user);
      if (user === undefined) throw new Error(`Seeded API key names an unknown user: ${key.user ?? '(no TENANT_ADMIN)'}`);
      this.add({ user, value: key.value, description: key.description ?? 'seeded key', expirationTime: key.expirationTime ?? 0, enabled: key.enabled ?? true });
    }
  }

  /** Returns the key's user, or throws ThingsBoard's 401/10 response for a bad API key. */
  authenticate(value: string): AuthenticatedUser {
    const key = this.byValue.get(value);
    if (key === undefined) throw unauthorized('Invalid username or password');
    if (!key.enabled) throw unauthorized('User account is not active');
    if (this.isExpired(key)) throw unauthorized('API key is expired');
    return { user: key.user, userId: this.jwt.userId(key.user) };
  }

  add(fields: Omit<ApiKeyRecord, 'id' | 'createdTime'>): ApiKeyRecord {
    const key: ApiKeyRecord = { id: randomUUID(), createdTime: this.now(), ...fields };
    this.byId.set(key.id, key);
    this.byValue.set(key.value, key);
    return key;
  }

  get(id: string): ApiKeyRecord | undefined {
    return this.byId.get(id);
  }

  remove(key: ApiKeyRecord): void {
    this.byId.delete(key.id);
    this.byValue.delete(key.value);
  }

  ownedBy(user: StandInUser): ApiKeyRecord[] {
    return [...this.byId.values()].filter((key) => key.user === user);
  }

  /** ThingsBoard counts a key as expired only after its expiration time has passed. */
  isExpired(key: ApiKeyRecord): boolean {
    return key.expirationTime !== 0 && this.now() > key.expirationTime;
  }

  /** The ApiKeyInfo JSON; `value` is added only in the answer to a create. */
  json(key: ApiKeyRecord, value?: string): Record<string, unknown> {
    const info: Record<string, unknown> = {
      id: entityId('API_KEY', key.id),
      createdTime: key.createdTime,
      tenantId: entityId('TENANT', this.jwt.tenantOf(key.user)),
      userId: entityId('USER', this.jwt.userId(key.user)),
      expirationTime: key.expirationTime,
      description: key.description,
      enabled: key.enabled,
      expired: this.isExpired(key),
    };
    return value === undefined ? info : { ...info, value };
  }
}

/** Allows callers to manage their own keys, and tenant administrators the keys of their tenant's users. */
function requireKeyOwnerAccess(caller: AuthenticatedUser, owner: StandInUser, jwt: JwtService): void {
  if (caller.user === owner || caller.user.authority === 'SYS_ADMIN') return;
  const sameTenant = jwt.tenantOf(caller.user) === jwt.tenantOf(owner);
  if (caller.user.authority === 'TENANT_ADMIN' && owner.authority !== 'SYS_ADMIN' && sameTenant) return;
  throw permissionDenied();
}

function requireOwner(jwt: JwtService, id: string): StandInUser {
  const user = jwt.findUserById(id);
  // NOTE: ThingsBoard's exact not-found texts for users and API keys were not read; these follow the device's.
  if (user === undefined) throw notFound(`User with id [${id}] is not found`);
  return user;
}

function requireKey(apiKeys: ApiKeyStore, id: string): ApiKeyRecord {
  const keyId = requireUuid(id);
  const key = apiKeys.get(keyId);
  if (key === undefined) throw notFound(`API key with id [${keyId}] is not found`);
  return key;
}

function readDescription(body: Record<string, unknown>): string {
  const description = body.description;
  if (typeof description !== 'string' || description.trim() === '') throw badRequest('Validation error: description must not be blank');
  return description;
}

function readExpirationTime(body: Record<string, unknown>): number {
  const value = body.expirationTime ?? 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw badRequest('JSON parse error: expirationTime must be a non-negative integer');
  }
  return value;
}

function saveApiKey(request: FastifyRequest, jwt: JwtService, apiKeys: ApiKeyStore): Record<string, unknown> {
  const body = readJsonObject(request);
  const owner = requireOwner(jwt, readEntityId(body.userId, 'USER'));
  requireKeyOwnerAccess(currentUser(request), owner, jwt);
  const description = readDescription(body);
  const expirationTime = readExpirationTime(body);
  // A Java boolean field: an absent `enabled` reads as false, so the key starts disabled.
  const enabled = body.enabled === true;

  if (body.id !== undefined && body.id !== null) {
    const key = requireKey(apiKeys, readEntityId(body.id, 'API_KEY'));
    if (key.user !== owner) throw badRequest('Validation error: userId of an API key cannot be changed');
    Object.assign(key, { description, expirationTime, enabled });
    return { ...apiKeys.json(key), value: null };
  }

  const value = newApiKeyValue();
  return apiKeys.json(apiKeys.add({ user: owner, value, description, expirationTime, enabled }), value);
}

export function registerApiKeyRoutes(app: FastifyInstance, jwt: JwtService, apiKeys: ApiKeyStore): void {
  app.post('/api/apiKey', (request) => saveApiKey(request, jwt, apiKeys));

  app.get<{ Params: { userId: string } }>('/api/apiKeys/:userId', (request) => {
    const link = readPageLink(request.query as Query);
    const owner = requireOwner(jwt, requireUuid(request.params.userId));
    requireKeyOwnerAccess(currentUser(request), owner, jwt);
    const search = link.textSearch?.toLowerCase();
    const keys = apiKeys.ownedBy(owner).filter((key) => search === undefined || key.description.toLowerCase().includes(search));
    const sortKey = (key: ApiKeyRecord): string | number => {
      if (link.sortProperty === 'expirationTime') return key.expirationTime;
      if (link.sortProperty === 'description') return key.description;
      if (link.sortProperty === 'enabled') return String(key.enabled);
      return key.createdTime;
    };
    const page = toPage(keys, { ...link, sortProperty: link.sortProperty ?? 'createdTime' }, sortKey);
    return { ...page, data: page.data.map((key) => apiKeys.json(key)) };
  });

  app.put<{ Params: { id: string; enabled: string } }>('/api/apiKey/:id/enabled/:enabled', (request) => {
    const key = requireKey(apiKeys, request.params.id);
    requireKeyOwnerAccess(currentUser(request), key.user, jwt);
    const enabled = request.params.enabled.toLowerCase();
    if (enabled !== 'true' && enabled !== 'false') {
      throw badRequest(`Failed to convert value of type 'java.lang.String' to required type 'java.lang.Boolean'`);
    }
    key.enabled = enabled === 'true';
    return apiKeys.json(key);
  });

  app.put<{ Params: { id: string } }>('/api/apiKey/:id/description', (request) => {
    const key = requireKey(apiKeys, request.params.id);
    requireKeyOwnerAccess(currentUser(request), key.user, jwt);
    const text = typeof request.body === 'string' ? request.body : '';
    if (text.trim() === '') throw badRequest('Validation error: description must not be blank');
    key.description = text;
    return apiKeys.json(key);
  });

  app.delete<{ Params: { id: string } }>('/api/apiKey/:id', (request, reply) => {
    const key = requireKey(apiKeys, request.params.id);
    requireKeyOwnerAccess(currentUser(request), key.user, jwt);
    apiKeys.remove(key);
    return reply.code(200).send();
  });
}
