// Constants and rules of the device protocol that the station and the simulator share. The
// normative text is docs/device-protocol.md; this file must agree with it.
import { createHash } from 'node:crypto';
import { DEVICE_FIELDS, type DeviceField } from '../../shared/domain';
import { encodeFrame, MAX_REQUEST_ID } from './frame';

/** Protocol version this station implements. It talks to any device with the same major. */
export const PROTOCOL_MAJOR = 1;
export const PROTOCOL_MINOR = 1;

/** Smallest maxFrameSize a device may report: the longest COMMIT must fit. */
export const MIN_FRAME_SIZE = 256;

/** A device replies to every request except CONNECT within this time after the request's LF arrives. */
export const DEVICE_REPLY_DEADLINE_MS = 1000;

/**
 * A device replies to CONNECT within this time, because CONNECT waits on the network. A device
 * whose connection attempt is still running by then gives up and reports `network-failed`.
 */
export const DEVICE_CONNECT_DEADLINE_MS = 10_000;

/** Commands, by verb. The lowercase names are the "steps" the simulator's faults refer to. */
export const COMMANDS = ['HELLO', 'WRITE', 'COMMIT', 'VERIFY', 'GENKEY', 'CSR', 'ERASE', 'SIGN', 'CONNECT'] as const;
export type Command = (typeof COMMANDS)[number];

/** Capability names in HELLO's `caps` that announce the optional commands SIGN and CONNECT. */
export const CAPABILITY_SIGN = 'sign';
export const CAPABILITY_CONNECT = 'connect';

/** Size in bytes of the challenge that SIGN carries. */
export const SIGN_CHALLENGE_BYTES = 32;

/** Signature algorithms a device names in its SIGN reply: the key type, always over SHA-256. */
export const SIGNATURE_ALGORITHMS = ['ecdsa-sha256', 'rsa-pkcs1-sha256'] as const;
export type SignatureAlgorithm = (typeof SIGNATURE_ALGORITHMS)[number];

/**
 * Characters and length of the CONNECT nonce. The device copies it into a JSON string, and
 * these characters need no JSON escaping, so firmware can paste it in as it is. A nonce of
 * digits only comes back changed, because ThingsBoard stores a numeric string as a number and
 * drops its leading zeros (the stand-in also loses digits past 2^53), so a station should include a letter.
 */
export const CONNECT_NONCE_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/** Telemetry key under which the device publishes the CONNECT nonce. */
export const CONNECT_NONCE_KEY = 'qaNonce';

export const KEY_ALGORITHMS = ['ec-p256', 'rsa-2048'] as const;

/** Error codes a device sends in `ERR code=...`. */
export const DEVICE_ERROR_CODES = [
  'bad-request',
  'unknown-command',
  'unknown-field',
  'bad-offset',
  'field-too-long',
  'not-staged',
  'digest-mismatch',
  'bad-algorithm',
  'not-stored',
  'no-key',
  'keygen-failed',
  'storage-failed',
  'sign-failed',
  'no-credential',
  'network-failed',
  'tls-failed',
  'connect-refused',
  'publish-failed',
] as const;
export type DeviceErrorCode = (typeof DEVICE_ERROR_CODES)[number];

export function isDeviceField(name: string): name is DeviceField {
  return (DEVICE_FIELDS as readonly string[]).includes(name);
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Computes the digest that COMMIT carries: SHA-256 over one line `name:sha256(value)\n` per
 * field, in the order the COMMIT lists the fields.
 */
export function commitDigest(entries: ReadonlyArray<readonly [name: string, valueDigest: string]>): string {
  return sha256Hex(entries.map(([name, digest]) => `${name}:${digest}\n`).join(''));
}

/**
 * Returns how many value bytes one WRITE of `field` may carry so that the frame, with the
 * largest id and offsets, stays within `maxFrameSize`. Returns 0 when not even one byte fits.
 */
export function writeChunkBytes(field: DeviceField, totalBytes: number, maxFrameSize: number): number {
  const emptyFrame = encodeFrame({
    direction: '>',
    id: MAX_REQUEST_ID,
    verb: 'WRITE',
    args: { f: field, off: String(totalBytes), len: String(totalBytes), d: '' },
  });
  const base64Chars = Math.floor((maxFrameSize - emptyFrame.length) / 4) * 4;
  return Math.max(0, (base64Chars / 4) * 3);
}
