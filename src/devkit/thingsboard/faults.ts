// Fault injection for tests: injected error responses, random errors at a set rate, 429 bursts,
// responses lost after the server committed, latency, a server that is down, tokens expired
// early, a device quota changed at run time, an MQTT transport that refuses every device, and
// request counters by route.

/** Selects requests by method and by path. */
export interface RequestFilter {
  /** HTTP method, e.g. 'POST'. When absent, any method matches. */
  method?: string;
  /**
   * A route pattern as registered (e.g. '/api/device/:deviceId/credentials'), an exact path
   * without the query, or a RegExp tested against the path.
   */
  path?: string | RegExp;
}

export interface FailureResponse {
  status: number;
  /**
   * The body: an object is sent as JSON, a string as plain text. Absent: ThingsBoard's error
   * envelope for the status, with `message` and `errorCode` when given.
   */
  body?: unknown;
  message?: string;
  errorCode?: number;
}

/** An error response sent at random by errorRate, as ThingsBoard's envelope. */
export interface ErrorRateResponse {
  status: number;
  /** Default: the errorCode ThingsBoard gives the status. */
  errorCode?: number;
  /** Default: "Injected failure <status>". */
  message?: string;
}

interface Rule<T> {
  remaining: number;
  filter: RequestFilter;
  value: T;
}

export interface RequestInfo {
  method: string;
  /** The path without the query string. */
  path: string;
  /** The registered route pattern, or undefined when no route matched. */
  route: string | undefined;
  /** Whether the request passed JWT authentication. */
  authenticated: boolean;
}

export interface StandInFaults {
  /** Responds to the next `count` matching requests with `response` instead of handling them. */
  failNext(count: number, response: FailureResponse, filter?: RequestFilter): void;
  /**
   * Handles the next `count` matching requests, then destroys the socket without sending the
   * response, as when a response is lost after the server committed.
   */
  dropResponseAfterCommit(count: number, filter?: RequestFilter): void;
  /**
   * Adds `ms` of latency to every matching request before it is handled; latencies of several
   * matching rules add up. `latency(0)` removes all latency.
   */
  latency(ms: number, filter?: RequestFilter): void;
  /** The same as latency, under the name older tests use. */
  delay(ms: number, filter?: RequestFilter): void;
  /**
   * Responds to each matching request with `response` with probability `fraction` (0 to 1), drawn
   * from the generator seeded by the `faultSeed` option, so a run with the same seed and the
   * same requests fails the same requests. `errorRate(0)` removes all error rates.
   */
  errorRate(fraction: number, response: ErrorRateResponse, filter?: RequestFilter): void;
  /**
   * Responds to the next `count` matching authenticated calls with ThingsBoard's tenant rate-limit
   * response: 429 `{"status":429,"message":"Too many requests for current tenant!","errorCode":33,...}`
   * without Retry-After. Like the real limiter it never applies to sign-in, token refresh,
   * the device API or a sysadmin.
   */
  rateLimitBurst(count: number, filter?: RequestFilter): void;
  /**
   * Makes every access token issued so far fail with 401/11 "Token has expired", and every
   * refresh token too when `refreshTokens` is true. Tokens issued afterwards are valid.
   */
  expireAllTokens(options?: { refreshTokens?: boolean }): void;
  /** Changes the tenant's device quota; 0 is unlimited. Existing devices stay. */
  setMaxDevices(maxDevices: number): void;
  /**
   * Closes the HTTP and MQTT listeners and their open connections (true), or listens again on
   * the same ports (false). Devices then see "connection refused".
   */
  setDown(down: boolean): Promise<void>;
  /** Makes the MQTT transport refuse every CONNECT with CONNACK 3, server unavailable (true), or authenticate again (false). */
  refuseMqtt(refuse: boolean): void;
  /** Number of requests received per route, keyed like 'POST /api/device-with-credentials'. */
  requestCounts(): Record<string, number>;
  /** Number of requests received for one method and route pattern. */
  requestCount(method: string, route: string): number;
  /**
   * Removes every pending failure, drop, latency, error rate, 429 burst and MQTT refusal, and
   * zeroes the counters. Expired tokens, the device quota and a server set down stay as they are.
   */
  reset(): void;
}

/**
 * Tests a request against a filter. A filter without `path` matches only authenticated REST calls, so that sign-in, token
 * refresh and the device API keep working unless a test names them.
 */
function matches(filter: RequestFilter, request: RequestInfo): boolean {
  if (filter.method !== undefined && filter.method.toUpperCase() !== request.method) return false;
  if (filter.path === undefined) return request.authenticated;
  if (filter.path instanceof RegExp) return filter.path.test(request.path);
  return filter.path === request.route || filter.path === request.path;
}

function takeRule<T>(rules: Array<Rule<T>>, request: RequestInfo): T | undefined {
  const rule = rules.find((candidate) => candidate.remaining > 0 && matches(candidate.filter, request));
  if (rule === undefined) return undefined;
  rule.remaining -= 1;
  return rule.value;
}

/** The parts of the server that faults act on. */
export interface FaultTargets {
  setDown(down: boolean): Promise<void>;
  expireAllTokens(refreshTokens: boolean): void;
  setMaxDevices(maxDevices: number): void;
  refuseMqtt(refuse: boolean): void;
  /** Pseudo-random numbers in [0, 1) for errorRate. */
  random(): number;
}

function requireCount(name: string, value: number, minimum: number, maximum = Number.POSITIVE_INFINITY): void {
  if (!Number.isFinite(value) || value < minimum || value > maximum) {
    throw new RangeError(`${name} must be a number from ${minimum} to ${maximum}, got ${value}`);
  }
}

export class FaultController implements StandInFaults {
  private failures: Array<Rule<FailureResponse>> = [];
  private drops: Array<Rule<true>> = [];
  private delays: Array<Rule<number>> = [];
  private errorRates: Array<Rule<{ fraction: number; response: ErrorRateResponse }>> = [];
  private bursts: Array<Rule<true>> = [];
  private counts = new Map<string, number>();

  constructor(private readonly targets: FaultTargets) {}

  failNext(count: number, response: FailureResponse, filter: RequestFilter = {}): void {
    this.failures.push({ remaining: count, filter, value: response });
  }

  dropResponseAfterCommit(count: number, filter: RequestFilter = {}): void {
    this.drops.push({ remaining: count, filter, value: true });
  }

  latency(ms: number, filter: RequestFilter = {}): void {
    if (ms <= 0) this.delays = [];
    else this.delays.push({ remaining: Number.POSITIVE_INFINITY, filter, value: ms });
  }

  delay(ms: number, filter: RequestFilter = {}): void {
    this.latency(ms, filter);
  }

  errorRate(fraction: number, response: ErrorRateResponse, filter: RequestFilter = {}): void {
    requireCount('errorRate fraction', fraction, 0, 1);
    if (fraction === 0) this.errorRates = [];
    else this.errorRates.push({ remaining: Number.POSITIVE_INFINITY, filter, value: { fraction, response } });
  }

  rateLimitBurst(count: number, filter: RequestFilter = {}): void {
    requireCount('rateLimitBurst count', count, 0);
    this.bursts.push({ remaining: count, filter, value: true });
  }

  expireAllTokens(options: { refreshTokens?: boolean } = {}): void {
    this.targets.expireAllTokens(options.refreshTokens ?? false);
  }

  setMaxDevices(maxDevices: number): void {
    requireCount('maxDevices', maxDevices, 0);
    this.targets.setMaxDevices(maxDevices);
  }

  setDown(down: boolean): Promise<void> {
    return this.targets.setDown(down);
  }

  refuseMqtt(refuse: boolean): void {
    this.targets.refuseMqtt(refuse);
  }

  requestCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  requestCount(method: string, route: string): number {
    return this.counts.get(`${method.toUpperCase()} ${route}`) ?? 0;
  }

  reset(): void {
    this.failures = [];
    this.drops = [];
    this.delays = [];
    this.errorRates = [];
    this.bursts = [];
    this.counts.clear();
    this.targets.refuseMqtt(false);
  }

  /** Counts a request as it arrives. */
  record(request: RequestInfo): void {
    const key = `${request.method} ${request.route ?? '(no route)'}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Returns the total delay for a request. Delays match like failures but are never used up. */
  delayFor(request: RequestInfo): number {
    return this.delays.filter((rule) => matches(rule.filter, request)).reduce((total, rule) => total + rule.value, 0);
  }

  /** Returns the failure to send: a failNext rule first, then one drawn from the error rates. */
  takeFailure(request: RequestInfo): FailureResponse | undefined {
    const planned = takeRule(this.failures, request);
    if (planned !== undefined) return planned;

    for (const rule of this.errorRates) {
      if (!matches(rule.filter, request)) continue;
      // Each matching rule draws one number until one hits, so the sequence depends only on the seed and the requests.
      if (this.targets.random() < rule.value.fraction) return rule.value.response;
    }
    return undefined;
  }

  /** Takes one call from a pending 429 burst; the caller checks that the call is authenticated. */
  takeRateLimitBurst(request: RequestInfo): boolean {
    return takeRule(this.bursts, request) === true;
  }

  takeDrop(request: RequestInfo): boolean {
    return takeRule(this.drops, request) === true;
  }
}
