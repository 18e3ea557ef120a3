// ThingsBoard failures as StationErrors with a reason code, plus the predicates and the
// classification sync uses to decide between retrying, backing off, reconciling and parking.
import { StationError, type ReasonCode } from '../../shared/reasons';

const NAME_EXISTS_MESSAGE = 'Device with such name already exists!';
const CREDENTIALS_TAKEN_MESSAGES = [
  'Device credentials are already assigned to another device!',
  'Specified credentials are already registered!',
];
const QUOTA_ERROR_CODE = 41;

/** A failed ThingsBoard call. `status` is undefined when no HTTP response arrived. */
export class ThingsboardError extends StationError {
  readonly status: number | undefined;
  readonly errorCode: number | undefined;
  /** The server's message, from the JSON envelope or the plain-text body. */
  readonly serverMessage: string | undefined;
  /** True when the request may have been applied although no success came back. */
  readonly unknownOutcome: boolean;

  constructor(
    code: ReasonCode,
    detail: string,
    fields: { status?: number; errorCode?: number; serverMessage?: string; unknownOutcome?: boolean; cause?: unknown } = {},
  ) {
    super(code, detail, { cause: fields.cause });
    this.name = 'ThingsboardError';
    this.status = fields.status;
    this.errorCode = fields.errorCode;
    this.serverMessage = fields.serverMessage;
    this.unknownOutcome = fields.unknownOutcome ?? false;
  }
}

/** Picks the reason code for an HTTP error response. */
export function reasonForStatus(status: number, errorCode: number | undefined, serverMessage: string | undefined): ReasonCode {
  if (status === 401) return 'server-auth-failed';
  if (status === 429) return 'server-rate-limited';
  if (status === 403) return errorCode === QUOTA_ERROR_CODE ? 'server-quota-exceeded' : 'server-permission-denied';
  if (status === 400 && serverMessage !== undefined && CREDENTIALS_TAKEN_MESSAGES.includes(serverMessage)) {
    return 'server-credential-taken';
  }
  if (status >= 500) return 'server-error';
  return 'server-rejected';
}

/** True for ThingsBoard's 400 "Device with such name already exists!". */
export function isNameExistsError(error: unknown): boolean {
  return error instanceof ThingsboardError && error.status === 400 && error.serverMessage === NAME_EXISTS_MESSAGE;
}

/**
 * True when the request may or may not have been applied: a timeout or a connection lost
 * after the request was sent, or a 5xx response. A refused connection or a 4xx is not.
 */
export function isUnknownOutcome(error: unknown): boolean {
  return error instanceof ThingsboardError && error.unknownOutcome;
}

/**
 * What sync should do after a failed call:
 * - 'retry': no response (network error, timeout) or a 5xx, so try again later.
 * - 'tenant-backoff': a 429. The limit is shared by every client of the tenant, so all uploads wait.
 * - 'needs-sign-in': the server rejected the sign-in (a 401 on login or with an API key, or 2FA
 *   required). No call succeeds until a person fixes the account or the key.
 * - 'park': anything else, such as the device quota (403/41) or another 4xx. A retry gets the
 *   same response, so the upload waits for a person.
 */
export type FailureClass = 'retry' | 'tenant-backoff' | 'needs-sign-in' | 'park';

/** Sorts a failure into a FailureClass; errors that are not ThingsboardErrors are 'park'. */
export function classifyFailure(error: unknown): FailureClass {
  if (!(error instanceof ThingsboardError)) return 'park';
  if (error.code === 'server-unreachable') return 'retry';
  if (error.status !== undefined && error.status >= 500) return 'retry';
  if (error.code === 'server-rate-limited') return 'tenant-backoff';
  if (error.code === 'server-auth-failed' || error.code === 'server-2fa-required') return 'needs-sign-in';
  return 'park';
}
