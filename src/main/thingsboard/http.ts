// One HTTP exchange with ThingsBoard: timeout, network-failure classification and error-body
// parsing. Authentication and retries live in the client.
import { ThingsboardError } from './errors';

export interface HttpReply {
  status: number;
  text: string;
  /** The `Date` response header, when present. */
  date?: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: URL;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Network errors that prove the request never reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const MAX_MESSAGE_LENGTH = 300;

function errorCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function networkError(error: unknown, request: HttpRequest, timedOut: boolean, timeoutMs: number): ThingsboardError {
  const server = request.url.host;
  if (timedOut) {
    return new ThingsboardError('server-unreachable', `timed out after ${timeoutMs} ms waiting for ${server}`, {
      unknownOutcome: true,
      cause: error,
    });
  }
  const code = errorCodeOf(error) ?? 'network error';
  if (NOT_SENT_CODES.has(code)) {
    return new ThingsboardError('server-unreachable', `cannot connect to ${server} (${code})`, { cause: error });
  }
  return new ThingsboardError('server-unreachable', `connection to ${server} was lost during ${request.method} ${request.url.pathname} (${code})`, {
    unknownOutcome: true,
    cause: error,
  });
}

/** Sends one request and reads the whole body; network failures become 'server-unreachable'. */
export async function exchange(fetchImpl: typeof fetch, request: HttpRequest, timeoutMs: number): Promise<HttpReply> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);

  try {
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    let body: string | undefined;
    if (request.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.body);
    }
    const response = await fetchImpl(request.url, { method: request.method, headers, body, signal: controller.signal });
    const text = await response.text();
    return { status: response.status, text, date: response.headers.get('date') ?? undefined };
  } catch (error) {
    throw networkError(error, request, timedOut, timeoutMs);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads `message` and `errorCode` from ThingsBoard's error envelope, or the plain-text body. */
export function parseErrorBody(text: string): { serverMessage: string | undefined; errorCode: number | undefined } {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object') {
      const record = parsed as Record<string, unknown>;
      return {
        serverMessage: typeof record.message === 'string' ? record.message : undefined,
        errorCode: typeof record.errorCode === 'number' ? record.errorCode : undefined,
      };
    }
  } catch {
    // Not JSON: the telemetry controller and proxies respond in plain text.
  }
  const trimmed = text.trim();
  return { serverMessage: trimmed === '' ? undefined : trimmed.slice(0, MAX_MESSAGE_LENGTH), errorCode: undefined };
}
