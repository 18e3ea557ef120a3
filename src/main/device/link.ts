// The device link: an open serial port plus the protocol session on it. Workflows talk to a
// device only through this interface, so tests can run them over a pty pair or in-process.
import type { DeviceFields, DeviceHello } from '../../shared/domain';
import type { SignatureAlgorithm } from './protocol';

export type KeyAlgorithm = 'ec-p256' | 'rsa-2048';
export type { SignatureAlgorithm } from './protocol';

export interface DeviceLink {
  /** The port path, or a virtual name for an in-process device. */
  readonly path: string;

  /** Sends HELLO and returns what the device reports; also learns the device's frame size. */
  hello(): Promise<DeviceHello>;

  /**
   * Writes the fields in chunks that fit the device's frame size, then commits them so the
   * device replaces its stored fields in one step. Safe to repeat after any failure.
   * `onProgress` receives the share of the bytes the device has staged, from 0 to 1.
   */
  writeFields(fields: DeviceFields, onProgress?: (fraction: number) => void): Promise<void>;

  /** Returns the lowercase hex SHA-256 of each field the device stores, keyed by field name. */
  verify(): Promise<DeviceFields>;

  /** Asks the device to generate a key pair it keeps, and returns a PEM CSR for it. */
  generateKey(request: { algorithm: KeyAlgorithm; commonName: string }): Promise<{ csrPem: string }>;

  /** Erases every stored field, for rework. */
  erase(): Promise<void>;

  /**
   * Asks the device to sign `challenge` (32 random bytes) with the private key of its stored
   * certificate, over SHA-256. An ECDSA signature is DER-encoded, which is what Node's
   * crypto.verify expects by default. The key itself never crosses the wire. Throws
   * `device-sign-failed` when the device has no key or cannot sign, and
   * `device-protocol-unsupported` when its HELLO lacks the `sign` capability.
   */
  signChallenge(challenge: Buffer): Promise<{ signature: Buffer; algorithm: SignatureAlgorithm }>;

  /**
   * Asks the device to connect to its stored server with its stored credential and publish one
   * telemetry message `{"qaNonce": nonce}`. Resolves with the transport it used (`mqtt` or
   * `mqtts`). Throws `device-connect-failed` with the failure the device reported, and
   * `device-protocol-unsupported` when its HELLO lacks the `connect` capability.
   */
  connectTest(nonce: string): Promise<{ transport: string }>;

  /** Closes the port; safe to call twice. */
  close(): Promise<void>;
}
