// The station side of SIGN and CONNECT, the two requests with which a QA station proves that a
// finished unit holds its credential. ProtocolClient sends the frames; these functions check
// the arguments and replies and turn the device's errors into reason codes.
import type { DeviceHello } from '../../shared/domain';
import { StationError, type ReasonCode } from '../../shared/reasons';
import type { Frame } from './frame';
import {
  CONNECT_NONCE_PATTERN,
  SIGN_CHALLENGE_BYTES,
  SIGNATURE_ALGORITHMS,
  type Command,
  type SignatureAlgorithm,
} from './protocol';

export interface RequestOptions {
  /** Time to wait for each reply, on top of the wire time; default the client's requestTimeoutMs. */
  timeoutMs?: number;
  /** Returns the error for an ERR reply, or undefined to report the generic `device-error`. */
  rejectWith?: (code: string, detail: string | undefined) => StationError | undefined;
}

export type SendRequest = (verb: Command, args: Record<string, string>, options?: RequestOptions) => Promise<Frame>;

/** Device error codes that mean "this unit cannot sign", as opposed to a protocol fault. */
const SIGN_FAILURES = new Set(['no-key', 'sign-failed']);
/** Device error codes that mean "this unit could not reach the server with its credential". */
const CONNECT_FAILURES = new Set(['no-credential', 'network-failed', 'tls-failed', 'connect-refused', 'publish-failed']);

/** Maximum length, in characters, of the device's detail kept in an error message. */
const MAX_DETAIL_CHARS = 200;
/** Maximum signature length in bytes that a device may return; RSA-4096 gives 512. */
const MAX_SIGNATURE_BYTES = 1024;

/** Throws `device-protocol-unsupported` unless the device listed `capability` in its HELLO. */
export function requireCapability(path: string, hello: DeviceHello, capability: string, verb: Command): void {
  if (!hello.capabilities.includes(capability)) {
    throw new StationError('device-protocol-unsupported', `${path}: the device does not support ${verb} (no "${capability}" in its capabilities)`);
  }
}

/** Sends SIGN for each chunk of the signature and returns the whole signature. */
export async function signChallenge(send: SendRequest, path: string, challenge: Buffer): Promise<{ signature: Buffer; algorithm: SignatureAlgorithm }> {
  if (challenge.length !== SIGN_CHALLENGE_BYTES) {
    throw new StationError('invalid-argument', `the SIGN challenge must be ${SIGN_CHALLENGE_BYTES} bytes, got ${challenge.length}`);
  }
  const encodedChallenge = challenge.toString('base64');
  const rejectWith = failureMapper(path, 'device-sign-failed', SIGN_FAILURES);

  const chunks: Buffer[] = [];
  let offset = 0;
  let total = 0;
  let algorithm: SignatureAlgorithm | undefined;
  do {
    const reply = await send('SIGN', { c: encodedChallenge, off: String(offset) }, { rejectWith });
    const replyAlgorithm = SIGNATURE_ALGORITHMS.find((candidate) => candidate === reply.args.alg);
    const length = Number(reply.args.len);
    const data = Buffer.from(reply.args.d ?? '', 'base64');

    if (replyAlgorithm === undefined || !Number.isInteger(length) || length <= 0 || length > MAX_SIGNATURE_BYTES) {
      throw new StationError('device-error', `${path}: SIGN reply lacks a known alg or a valid len`);
    }
    if ((algorithm !== undefined && replyAlgorithm !== algorithm) || (total !== 0 && length !== total)) {
      throw new StationError('device-error', `${path}: SIGN replies disagree on the signature's algorithm or length`);
    }
    if (Number(reply.args.off) !== offset || data.length === 0 || offset + data.length > length) {
      throw new StationError('device-error', `${path}: SIGN read at offset ${offset} returned no data or too much`);
    }

    algorithm = replyAlgorithm;
    total = length;
    chunks.push(data);
    offset += data.length;
  } while (offset < total);

  return { signature: Buffer.concat(chunks), algorithm };
}

/** Sends CONNECT with the nonce and returns the transport the device reports. */
export async function connectTest(send: SendRequest, path: string, nonce: string, timeoutMs: number): Promise<{ transport: string }> {
  if (!CONNECT_NONCE_PATTERN.test(nonce)) {
    throw new StationError('invalid-argument', `the CONNECT nonce must be 8 to 64 letters, digits, "-" or "_"`);
  }
  const reply = await send('CONNECT', { n: nonce }, { timeoutMs, rejectWith: failureMapper(path, 'device-connect-failed', CONNECT_FAILURES) });
  const transport = reply.args.transport;
  if (transport === undefined || transport === '') {
    throw new StationError('device-error', `${path}: CONNECT reply lacks the transport`);
  }
  return { transport };
}

function failureMapper(path: string, reason: ReasonCode, codes: ReadonlySet<string>): RequestOptions['rejectWith'] {
  return (code, detail) => {
    if (!codes.has(code)) {
      return undefined;
    }
    const text = detail === undefined ? '' : cleanDetail(detail);
    return new StationError(reason, text === '' ? `${path}: ${code}` : `${path}: ${code}: ${text}`);
  };
}

/** Keeps a device's free-text detail to one printable line of bounded length. */
function cleanDetail(detail: string): string {
  // eslint-disable-next-line no-control-regex -- the point is to drop control characters
  const printable = detail.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return printable.length > MAX_DETAIL_CHARS ? `${printable.slice(0, MAX_DETAIL_CHARS)}…` : printable;
}
