// The station's ThingsBoard REST client: signs in lazily and keeps the JWT pair fresh, or sends
// an API key, and turns every failure into a ThingsboardError with a reason code. Sync
// reconciles by device name, so the client never asks the server to rename on conflict (no UNIQUIFY).
import type { z } from 'zod';

import { getLogger } from '../log';
import { reasonForStatus, ThingsboardError } from './errors';
import { exchange, parseErrorBody, type HttpReply, type HttpRequest } from './http';
import { checkClientOptions, type ThingsboardClientOptions } from './options';
import { ServerClock, type LastContact } from './server-clock';
import { ThingsboardSession } from './session';
import {
  pageDataSchema,
  tbAttributeSchema,
  tbDeviceCredentialsSchema,
  tbDeviceProfileInfoSchema,
  tbDeviceSchema,
  type PageData,
  type TbAttribute,
  type TbCredentialsInput,
  type TbDevice,
  type TbDeviceCredentials,
  type TbDeviceInput,
  type TbDeviceProfileInfo,
} from './types';

export { credentialsMatch, normalizeCertificate } from './credentials';
export { classifyFailure, isNameExistsError, isUnknownOutcome, ThingsboardError, type FailureClass } from './errors';
export type { ApiKeySignIn, PasswordSignIn, ThingsboardClientOptions } from './options';
export type { LastContact } from './server-clock';
export type {
  PageData,
  TbAttribute,
  TbCredentialsInput,
  TbDevice,
  TbDeviceCredentials,
  TbDeviceInput,
  TbDeviceProfileInfo,
  TbEntityId,
} from './types';

const log = getLogger('thingsboard');

const AUTH_ERROR_EXPIRED = 11;

interface CallOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
}

export class ThingsboardClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly clock: ServerClock;
  /** Set when the client signs in with a username and password. */
  private readonly session: ThingsboardSession | undefined;
  /** Set when the client authenticates with an API key; it then never calls login or refresh. */
  private readonly apiKey: string | undefined;

  /** Throws StationError 'invalid-argument' unless the options give exactly one way to sign in. */
  constructor(options: ThingsboardClientOptions) {
    checkClientOptions(options);
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.fetchImpl = options.fetch ?? fetch;
    const now = options.now ?? Date.now;
    this.clock = new ServerClock(now);

    if (options.apiKey !== undefined) {
      this.apiKey = options.apiKey;
      return;
    }
    this.session = new ThingsboardSession({
      baseUrl: this.baseUrl,
      username: options.username,
      password: options.password,
      timeoutMs: this.timeoutMs,
      fetch: this.fetchImpl,
      now,
      clock: this.clock,
    });
  }

  /**
   * Signs in now, or with an API key reads the key's user, so that a bad password or key
   * surfaces early. Other calls sign in on first use.
   */
  async login(): Promise<void> {
    if (this.session === undefined) await this.call('GET', '/api/auth/user');
    else await this.session.signInAgain();
  }

  /**
   * Returns when the most recent response with a `Date` header arrived and how far the
   * server's clock was from ours, or undefined before the first such response.
   */
  lastContact(): LastContact | undefined {
    return this.clock.lastContact();
  }

  /** Returns the tenant's device with exactly this name, or null when there is none. */
  async getDeviceByName(name: string): Promise<TbDevice | null> {
    try {
      return await this.callJson(tbDeviceSchema, 'GET', '/api/tenant/devices', { query: { deviceName: name } });
    } catch (error) {
      if (error instanceof ThingsboardError && error.status === 404) return null;
      throw error;
    }
  }

  /**
   * Creates a device and its credentials in one transaction. A taken name fails with
   * isNameExistsError, a taken credential with 'server-credential-taken'.
   */
  async createDeviceWithCredentials(device: TbDeviceInput, credentials: TbCredentialsInput): Promise<TbDevice> {
    return this.callJson(tbDeviceSchema, 'POST', '/api/device-with-credentials', {
      query: { nameConflictPolicy: 'FAIL' },
      body: { device, credentials },
    });
  }

  async getDeviceCredentials(deviceId: string): Promise<TbDeviceCredentials> {
    return this.callJson(tbDeviceCredentialsSchema, 'GET', `/api/device/${encodeURIComponent(deviceId)}/credentials`);
  }

  /** Replaces a device's credentials; `credentials` must carry the `id` read from getDeviceCredentials. */
  async updateDeviceCredentials(credentials: TbDeviceCredentials): Promise<TbDeviceCredentials> {
    return this.callJson(tbDeviceCredentialsSchema, 'POST', '/api/device/credentials', { body: credentials });
  }

  /**
   * Writes server-scope attributes. ThingsBoard stores a string that reads as a number as that
   * number ("000731" becomes 731), so callers keep such strings inside an object.
   */
  async saveServerAttributes(deviceId: string, attributes: Record<string, unknown>): Promise<void> {
    await this.call('POST', `/api/plugins/telemetry/DEVICE/${encodeURIComponent(deviceId)}/attributes/SERVER_SCOPE`, {
      body: attributes,
    });
  }

  async getServerAttributes(deviceId: string, keys: string[]): Promise<TbAttribute[]> {
    const path = `/api/plugins/telemetry/DEVICE/${encodeURIComponent(deviceId)}/values/attributes/SERVER_SCOPE`;
    return this.callJson(tbAttributeSchema.array(), 'GET', path, { query: { keys: keys.join(',') } });
  }

  /** Lists the tenant's devices by name, `page` counting from 0; `textSearch` matches name or label. */
  async listDevices(pageSize: number, page: number, textSearch?: string): Promise<PageData<TbDevice>> {
    return this.callJson(pageDataSchema(tbDeviceSchema), 'GET', '/api/tenant/devices', {
      query: { pageSize, page, textSearch, sortProperty: 'name', sortOrder: 'ASC' },
    });
  }

  /** Lists the tenant's device profiles by name, `page` counting from 0. */
  async listDeviceProfiles(pageSize: number, page: number): Promise<PageData<TbDeviceProfileInfo>> {
    return this.callJson(pageDataSchema(tbDeviceProfileInfoSchema), 'GET', '/api/deviceProfileInfos', {
      query: { pageSize, page, sortProperty: 'name', sortOrder: 'ASC' },
    });
  }

  async getDefaultDeviceProfile(): Promise<TbDeviceProfileInfo> {
    return this.callJson(tbDeviceProfileInfoSchema, 'GET', '/api/deviceProfileInfo/default');
  }

  private async callJson<T extends z.ZodType>(schema: T, method: HttpRequest['method'], path: string, options: CallOptions = {}): Promise<z.infer<T>> {
    const reply = await this.call(method, path, options);
    let body: unknown;
    try {
      body = JSON.parse(reply.text);
    } catch {
      body = undefined;
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new ThingsboardError('server-error', `${method} ${path} returned a body that is not the expected ThingsBoard object`, {
        status: reply.status,
        unknownOutcome: method !== 'GET',
      });
    }
    return parsed.data;
  }

  /**
   * Sends an authenticated request. With a JWT pair, a 401 with errorCode 11 (expired) refreshes
   * the tokens and any other 401 signs in again; either way the request is retried once. With an
   * API key a 401 fails at once as 'server-auth-failed', because resending the key cannot help.
   */
  private async call(method: HttpRequest['method'], path: string, options: CallOptions = {}): Promise<HttpReply> {
    const url = new URL(this.baseUrl + path);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
    }

    let reply = await this.send({ method, url, body: options.body });
    if (reply.status === 401 && this.session !== undefined) {
      const { errorCode } = parseErrorBody(reply.text);
      log.info({ method, path, errorCode }, 'access token rejected, renewing it and retrying once');
      if (errorCode === AUTH_ERROR_EXPIRED) await this.session.renewAfterExpiry();
      else await this.session.signInAgain();
      reply = await this.send({ method, url, body: options.body });
    }

    log.debug({ method, path, status: reply.status }, 'ThingsBoard call');
    if (reply.status >= 200 && reply.status < 300) return reply;
    throw this.errorFor(method, path, reply);
  }

  private async send(request: HttpRequest): Promise<HttpReply> {
    const authorization = this.session === undefined ? `ApiKey ${this.apiKey ?? ''}` : `Bearer ${await this.session.accessToken()}`;
    const reply = await exchange(this.fetchImpl, { ...request, headers: { 'X-Authorization': authorization } }, this.timeoutMs);
    this.clock.record(reply);
    return reply;
  }

  private errorFor(method: string, path: string, reply: HttpReply): ThingsboardError {
    const { serverMessage, errorCode } = parseErrorBody(reply.text);
    const code = reasonForStatus(reply.status, errorCode, serverMessage);
    const via = reply.status === 401 && this.session === undefined ? ' with the API key' : '';
    const detail = `${method} ${path} failed with HTTP ${reply.status}${via} (${serverMessage ?? 'no message'})`;
    const error = new ThingsboardError(code, detail, {
      status: reply.status,
      errorCode,
      serverMessage,
      unknownOutcome: reply.status >= 500,
    });
    // A 404 is the normal response to a lookup by name, so it is not worth a warning.
    const level = reply.status === 404 ? 'debug' : 'warn';
    log[level]({ method, path, status: reply.status, errorCode, code }, 'ThingsBoard call failed');
    return error;
  }
}
