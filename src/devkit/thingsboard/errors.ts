// Errors the stand-in raises from its handlers. The server's error handler turns them into
// ThingsBoard's JSON envelope or, for the telemetry endpoints, into a plain-text body.

/** Numeric `errorCode` values of ThingsBoard's ThingsboardErrorCode enum. */
export const ErrorCode = {
  general: 2,
  authentication: 10,
  jwtTokenExpired: 11,
  permissionDenied: 20,
  badRequestParams: 31,
  itemNotFound: 32,
  tooManyRequests: 33,
  versionConflict: 35,
  entitiesLimitExceeded: 41,
} as const;

/** An error sent as the envelope `{status, message, errorCode, timestamp, ...extra}`. */
export class EnvelopeError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errorCode: number,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'EnvelopeError';
  }
}

/** An error sent as a plain-text body, or an empty one when `message` is ''. */
export class PlainTextError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'PlainTextError';
  }
}

export function badRequest(message: string): EnvelopeError {
  return new EnvelopeError(400, message, ErrorCode.badRequestParams);
}

export function notFound(message: string): EnvelopeError {
  return new EnvelopeError(404, message, ErrorCode.itemNotFound);
}

export function unauthorized(message: string, errorCode: number = ErrorCode.authentication): EnvelopeError {
  return new EnvelopeError(401, message, errorCode);
}

export function permissionDenied(): EnvelopeError {
  return new EnvelopeError(403, "You don't have permission to perform this operation!", ErrorCode.permissionDenied);
}

export function versionConflict(message: string): EnvelopeError {
  return new EnvelopeError(409, message, ErrorCode.versionConflict);
}

/** Maps an HTTP status to the errorCode Spring-level errors get. */
export function errorCodeForStatus(status: number): number {
  if (status === 401) return ErrorCode.authentication;
  if (status === 403) return ErrorCode.permissionDenied;
  if (status === 404) return ErrorCode.itemNotFound;
  if (status === 409) return ErrorCode.versionConflict;
  if (status === 429) return ErrorCode.tooManyRequests;
  if (status >= 400 && status < 500) return ErrorCode.badRequestParams;
  return ErrorCode.general;
}

export function envelopeBody(
  status: number,
  message: string,
  errorCode: number,
  timestamp: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { status, message, errorCode, timestamp, ...extra };
}
