// Decides whether a WebSocket upgrade request may reach the StationApi. The token is the
// authentication. The Origin and Host checks stop other web pages in the same browser, including
// DNS-rebinding pages, from driving the station with a token they might have learned.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Path of the WebSocket endpoint, on the same port as the renderer's files. */
export const API_PATH = '/api';

/** Query parameter of the WebSocket URL that carries the token: /api?token=TOKEN. */
export const TOKEN_PARAMETER = 'token';

/** Creates a per-run token: 32 random bytes from the CSPRNG, base64url-encoded (43 characters). */
export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

export interface UpgradeExpectation {
  /** The server's own origin, such as http://127.0.0.1:41234. */
  origin: string;
  /** The Host header a client of this server sends, such as 127.0.0.1:41234. */
  host: string;
  token: string;
}

export type UpgradeVerdict = { ok: true } | { ok: false; status: 401 | 403 | 404; reason: string };

/**
 * Checks the path, Host, Origin and token of an upgrade request, in that order.
 *
 * A request without an Origin header is accepted when its token is right. Browsers always send
 * Origin on a WebSocket handshake, so a missing Origin means a non-browser client (a script, a
 * test, a kiosk supervisor), and such a client could send any Origin it liked anyway.
 */
export function checkUpgrade(request: { url?: string | undefined; headers: IncomingHttpHeaders }, expected: UpgradeExpectation): UpgradeVerdict {
  const url = new URL(request.url ?? '/', expected.origin);
  if (url.pathname !== API_PATH) {
    return { ok: false, status: 404, reason: `no WebSocket endpoint at this path; use ${API_PATH}` };
  }

  if (request.headers.host !== expected.host) {
    return { ok: false, status: 403, reason: `the Host header must be ${expected.host}` };
  }

  const origin = request.headers.origin;
  if (origin !== undefined && origin !== expected.origin) {
    return { ok: false, status: 403, reason: `the Origin must be ${expected.origin}` };
  }

  const token = url.searchParams.get(TOKEN_PARAMETER);
  if (token === null || token === '') {
    return { ok: false, status: 401, reason: `the token is missing; open the URL that \`station serve\` printed` };
  }
  if (!tokensEqual(token, expected.token)) {
    return { ok: false, status: 401, reason: 'the token is wrong; open the URL that `station serve` printed by this run' };
  }

  return { ok: true };
}

/**
 * Compares in constant time. Hashing first gives both sides the same length, so neither the
 * comparison time nor an early length check reveals how long the expected token is.
 */
function tokensEqual(given: string, expected: string): boolean {
  const givenDigest = createHash('sha256').update(given).digest();
  const expectedDigest = createHash('sha256').update(expected).digest();
  return timingSafeEqual(givenDigest, expectedDigest);
}
