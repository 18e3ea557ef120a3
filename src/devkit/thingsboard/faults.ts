// Fault injection for tests: injected error responses, responses lost after the server committed,
// delays, a server that is down, and request counters by route.

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
  /** Delays every matching request by `ms` before handling it. `delay(0)` removes all delays. */
  delay(ms: number, filter?: RequestFilter): void;
  /** Closes the listener and open connections (true), or listens again on the same port (false). */
  setDown(down: boolean): Promise<void>;
  /** Number of requests received per route, keyed like 'POST /api/device-with-credentials'. */
  requestCounts(): Record<string, number>;
  /** Number of requests received for one method and route pattern. */
  requestCount(method: string, route: string): number;
  /** Removes every pending failure, drop and delay, and zeroes the counters. */
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

export class FaultController implements StandInFaults {
  private failures: Array<Rule<FailureResponse>> = [];
  private drops: Array<Rule<true>> = [];
  private delays: Array<Rule<number>> = [];
  private counts = new Map<string, number>();

  constructor(private readonly changeListener: (down: boolean) => Promise<void>) {}

  failNext(count: number, response: FailureResponse, filter: RequestFilter = {}): void {
    this.failures.push({ remaining: count, filter, value: response });
  }

  dropResponseAfterCommit(count: number, filter: RequestFilter = {}): void {
    this.drops.push({ remaining: count, filter, value: true });
  }

  delay(ms: number, filter: RequestFilter = {}): void {
    if (ms <= 0) this.delays = [];
    else this.delays.push({ remaining: Number.POSITIVE_INFINITY, filter, value: ms });
  }

  setDown(down: boolean): Promise<void> {
    return this.changeListener(down);
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
    this.counts.clear();
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

  takeFailure(request: RequestInfo): FailureResponse | undefined {
    return takeRule(this.failures, request);
  }

  takeDrop(request: RequestInfo): boolean {
    return takeRule(this.drops, request) === true;
  }
}
