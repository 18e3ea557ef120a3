// Sign-in state for one ThingsBoard user: the JWT pair, when each token expires by the
// server's clock, and the offset between that clock and ours. Tokens never leave this module
// except in the X-Authorization header. A client with an API key has no session.
import { decodeJwt } from 'jose';

import { getLogger } from '../log';
import { reasonForStatus, ThingsboardError } from './errors';
import { exchange, parseErrorBody, type HttpReply } from './http';
import type { ServerClock } from './server-clock';
import { loginResponseSchema } from './types';

const log = getLogger('thingsboard');

/** Refresh this long before the access token expires, as ThingsBoard's own RestClient does. */
const REFRESH_MARGIN_MS = 30_000;

interface Tokens {
  token: string;
  refreshToken: string;
  /** Expiry times in server-clock epoch milliseconds; Infinity when the token has no `exp`. */
  accessExpiresAt: number;
  refreshExpiresAt: number;
  /** Server clock minus local clock, in milliseconds, estimated from the access token's `iat`. */
  skewMs: number;
}

export interface SessionOptions {
  baseUrl: string;
  username: string;
  password: string;
  timeoutMs: number;
  fetch: typeof fetch;
  now: () => number;
  /** Shared with the client, so every response updates the skew. */
  clock: ServerClock;
}

function claimMs(token: string, claim: 'exp' | 'iat'): number | undefined {
  try {
    const value = decodeJwt(token)[claim];
    return typeof value === 'number' ? value * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export class ThingsboardSession {
  private tokens: Tokens | undefined;
  private pending: Promise<Tokens> | undefined;

  constructor(private readonly options: SessionOptions) {}

  /** Returns an access token, signing in or refreshing first when needed. */
  async accessToken(): Promise<string> {
    const tokens = this.tokens;
    if (tokens === undefined) return (await this.single(() => this.signIn())).token;
    if (this.serverNow(tokens) + REFRESH_MARGIN_MS < tokens.accessExpiresAt) return tokens.token;
    return (await this.single(() => this.renew(tokens))).token;
  }

  /** Signs in again, replacing any tokens held. */
  async signInAgain(): Promise<void> {
    await this.single(() => this.signIn());
  }

  /** Refreshes the pair (or signs in when the refresh token is expired or refused). */
  async renewAfterExpiry(): Promise<void> {
    const tokens = this.tokens;
    await this.single(() => (tokens === undefined ? this.signIn() : this.renew(tokens)));
  }

  /**
   * Estimates the server's time. The skew from the latest `Date` header wins over the one from
   * the token's `iat`, because it follows a server clock that jumps after sign-in.
   */
  private serverNow(tokens: Tokens): number {
    return this.options.now() + (this.options.clock.skewMs() ?? tokens.skewMs);
  }

  /** Shares one sign-in or refresh between concurrent callers. */
  private async single(operation: () => Promise<Tokens>): Promise<Tokens> {
    if (this.pending === undefined) {
      this.pending = operation().finally(() => {
        this.pending = undefined;
      });
    }
    this.tokens = await this.pending;
    return this.tokens;
  }

  private async renew(tokens: Tokens): Promise<Tokens> {
    if (this.serverNow(tokens) >= tokens.refreshExpiresAt) return this.signIn();
    try {
      const reply = await this.post('/api/auth/token', { refreshToken: tokens.refreshToken });
      if (reply.status === 401) {
        log.info({ server: new URL(this.options.baseUrl).host }, 'refresh token refused, signing in again');
        return await this.signIn();
      }
      const renewed = this.readPair(reply, '/api/auth/token');
      log.debug({ server: new URL(this.options.baseUrl).host }, 'access token refreshed');
      return renewed;
    } catch (error) {
      log.warn({ err: error }, 'token refresh failed');
      throw error;
    }
  }

  private async signIn(): Promise<Tokens> {
    const { username, password } = this.options;
    const reply = await this.post('/api/auth/login', { username, password });
    if (reply.status === 401) {
      const { serverMessage, errorCode } = parseErrorBody(reply.text);
      throw new ThingsboardError(
        'server-auth-failed',
        `user ${username} (${serverMessage ?? 'no message'})`,
        { status: 401, errorCode, serverMessage },
      );
    }
    const tokens = this.readPair(reply, '/api/auth/login');
    log.info({ server: new URL(this.options.baseUrl).host, username }, 'signed in to ThingsBoard');
    return tokens;
  }

  private async post(path: string, body: unknown): Promise<HttpReply> {
    const url = new URL(this.options.baseUrl + path);
    const reply = await exchange(this.options.fetch, { method: 'POST', url, body }, this.options.timeoutMs);
    this.options.clock.record(reply);
    return reply;
  }

  private readPair(reply: HttpReply, path: string): Tokens {
    if (reply.status !== 200) {
      const { serverMessage, errorCode } = parseErrorBody(reply.text);
      const detail = `POST ${path} failed with HTTP ${reply.status} (${serverMessage ?? 'no message'})`;
      const code = reasonForStatus(reply.status, errorCode, serverMessage);
      throw new ThingsboardError(code, detail, { status: reply.status, errorCode, serverMessage });
    }

    let parsed;
    try {
      parsed = loginResponseSchema.safeParse(JSON.parse(reply.text));
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || !parsed.success) {
      throw new ThingsboardError('server-error', `POST ${path} returned a body without a token`, { status: 200 });
    }
    const { token, refreshToken, scope } = parsed.data;
    if (refreshToken === undefined || scope !== undefined) {
      throw new ThingsboardError(
        'server-2fa-required',
        `${this.options.username} has two-factor authentication enabled, which the station does not support (${scope ?? 'no refresh token'})`,
        { status: 200 },
      );
    }

    const issuedAt = claimMs(token, 'iat');
    return {
      token,
      refreshToken,
      accessExpiresAt: claimMs(token, 'exp') ?? Number.POSITIVE_INFINITY,
      refreshExpiresAt: claimMs(refreshToken, 'exp') ?? Number.POSITIVE_INFINITY,
      skewMs: issuedAt === undefined ? 0 : issuedAt - this.options.now(),
    };
  }
}
