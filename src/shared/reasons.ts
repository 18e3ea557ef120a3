// Reason codes: every failure the station reports carries one. The user-facing text for each
// code lives in messages.ts so the UI can be translated in one place.

export const REASON_CODES = [
  // Serial port and device link
  'port-not-found',
  'port-not-serial',
  'port-busy',
  'port-open-failed',
  'port-closed',
  'device-timeout',
  'device-corrupt-reply',
  'device-error',
  'device-protocol-unsupported',
  'device-frame-too-small',
  'device-busy',
  'device-not-accepting-data',
  // Provisioning workflow
  'verify-mismatch',
  'name-invalid',
  'credential-type-unsupported',
  'unit-name-taken',
  'unit-has-other-name',
  'station-clock-wrong',
  // ThingsBoard server
  'server-unreachable',
  'server-auth-failed',
  'server-2fa-required',
  'server-rate-limited',
  'server-quota-exceeded',
  'server-permission-denied',
  'server-rejected',
  'server-error',
  'server-credential-conflict',
  'server-credential-taken',
  // Station store and input
  'store-failed',
  'store-key-missing',
  'store-in-use',
  'invalid-argument',
  'internal',
  // X.509 certificates and the station's issuing CA
  'issuer-missing',
  'issuer-unreadable',
  'issuer-key-unsupported',
  'issuer-not-ca',
  'issuer-no-key-cert-sign',
  'issuer-not-yet-valid',
  'issuer-expired',
  'issuer-expires-too-soon',
  'issuer-key-mismatch',
  'issuer-chain-invalid',
  'issuer-passphrase-wrong',
  'issuer-protection-unavailable',
  'certificate-name-rejected',
  'csr-invalid',
  'csr-name-mismatch',
  // Serial port access on the station's operating system
  'port-permission-denied',
  'port-held-by-modem-manager',
  // QA checks of a finished unit
  'device-sign-failed',
  'device-connect-failed',
  'qa-unit-unknown',
  'qa-identity-mismatch',
  'qa-credential-mismatch',
  'qa-server-device-missing',
  'qa-server-credential-mismatch',
  'qa-certificate-untrusted',
  'qa-certificate-expired',
  'qa-certificate-name-mismatch',
  'qa-certificate-usage',
  'qa-signature-invalid',
  'qa-no-server-activity',
  'qa-server-unreachable',
  // The operator's station
  'settings-locked',
  'station-not-configured',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/**
 * An expected failure with a reason code. `detail` may name a port, a device name or a server
 * status, but never a secret.
 */
export class StationError extends Error {
  readonly code: ReasonCode;
  readonly detail: string | undefined;

  constructor(code: ReasonCode, detail?: string, options?: { cause?: unknown }) {
    super(detail === undefined ? code : `${code}: ${detail}`, options);
    this.name = 'StationError';
    this.code = code;
    this.detail = detail;
  }
}

export function isStationError(error: unknown): error is StationError {
  return error instanceof StationError;
}
