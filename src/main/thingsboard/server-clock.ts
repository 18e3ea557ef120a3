// The offset between ThingsBoard's clock and ours, read from the `Date` header of each response.
// The session uses it to refresh ahead of the access token's `exp`, which is in server time.
import type { HttpReply } from './http';

/** The most recent response that carried a readable `Date` header. */
export interface LastContact {
  /** Local time at which the response arrived. */
  at: Date;
  /** Server clock minus local clock in milliseconds, rounded to whole seconds; positive when the server is ahead. */
  serverClockSkewMs: number;
}

/**
 * `Date` has whole-second resolution and is truncated, so the server's time lies between the
 * header value and one second later. The midpoint is the best single estimate.
 */
const HALF_SECOND_MS = 500;

export class ServerClock {
  private last: LastContact | undefined;

  constructor(private readonly now: () => number) {}

  /** Records the skew from a response; a response without a valid `Date` header changes nothing. */
  record(reply: HttpReply): void {
    if (reply.date === undefined) return;
    const serverMs = Date.parse(reply.date);
    if (Number.isNaN(serverMs)) return;

    const localMs = this.now();
    const skewSeconds = Math.round((serverMs + HALF_SECOND_MS - localMs) / 1000);
    this.last = { at: new Date(localMs), serverClockSkewMs: skewSeconds * 1000 };
  }

  lastContact(): LastContact | undefined {
    return this.last === undefined ? undefined : { at: new Date(this.last.at), serverClockSkewMs: this.last.serverClockSkewMs };
  }

  /** Server clock minus local clock from the latest response, or undefined before the first one. */
  skewMs(): number | undefined {
    return this.last?.serverClockSkewMs;
  }
}
