// The station side of the device protocol: a DeviceLink over any byte channel. Each request
// waits for its reply up to a deadline. When the reply is missing or damaged, the request is
// sent again with the same id, which is safe because every request is idempotent on the device.
import { randomInt } from 'node:crypto';
import { DEVICE_FIELDS, type DeviceField, type DeviceFields, type DeviceHello } from '../../shared/domain';
import { isStationError, StationError } from '../../shared/reasons';
import { getLogger } from '../log';
import { decodeList, encodeFrame, encodeList, LineSplitter, MAX_REQUEST_ID, parseLine, type Frame } from './frame';
import type { DeviceLink, KeyAlgorithm, SignatureAlgorithm } from './link';
import {
  CAPABILITY_CONNECT,
  CAPABILITY_SIGN,
  commitDigest,
  isDeviceField,
  MIN_FRAME_SIZE,
  PROTOCOL_MAJOR,
  sha256Hex,
  writeChunkBytes,
  type Command,
} from './protocol';
import { connectTest, requireCapability, signChallenge, type RequestOptions } from './qa-requests';

const log = getLogger('device');

/** A duplex byte stream, such as an open serial port. */
export interface ByteChannel {
  write(data: Buffer): Promise<void>;
  onData(listener: (chunk: Buffer) => void): void;
  /** Runs once when the channel is gone, whether closed by us or lost. */
  onClose(listener: (error?: Error) => void): void;
  close(): Promise<void>;
}

export interface ProtocolClientOptions {
  /** Time to wait for a reply, on top of the time the bytes need on the wire. */
  requestTimeoutMs?: number;
  /** How many times a request is sent again after a missing or damaged reply. */
  retries?: number;
  /** Line speed, used to add the transmission time of the request and reply to the deadline. */
  baudRate?: number;
  /** Maximum time to keep polling a device that replies BUSY, such as during key generation. */
  busyTimeoutMs?: number;
  /**
   * Time to wait for the reply to CONNECT, on top of the wire time; default 15000 ms. The device
   * has 10000 ms to connect and publish, so this leaves it a margin.
   */
  connectTimeoutMs?: number;
}

// Replies longer than this are not frames of this protocol; the limit keeps noise from
// growing the line buffer without bound.
const MAX_REPLY_LINE_BYTES = 64 * 1024;
const MAX_BUSY_RETRY_MS = 2000;

type Outcome =
  | { kind: 'reply'; frame: Frame }
  | { kind: 'damaged'; reason: string }
  | { kind: 'timeout' }
  | { kind: 'closed'; error?: Error };

export class ProtocolClient implements DeviceLink {
  private readonly requestTimeoutMs: number;
  private readonly retries: number;
  private readonly baudRate: number;
  private readonly busyTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private nextId = randomInt(1, MAX_REQUEST_ID);
  private closed: { error?: Error } | undefined;
  private waiter: ((outcome: Outcome) => void) | undefined;
  private waitingForId = -1;
  private queue: Promise<unknown> = Promise.resolve();
  private deviceHello: DeviceHello | undefined;

  constructor(
    readonly path: string,
    private readonly channel: ByteChannel,
    options: ProtocolClientOptions = {},
  ) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? 2000;
    this.retries = options.retries ?? 3;
    this.baudRate = options.baudRate ?? 0;
    this.busyTimeoutMs = options.busyTimeoutMs ?? 60_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 15_000;

    const splitter = new LineSplitter(MAX_REPLY_LINE_BYTES, (line) => this.handleLine(line));
    channel.onData((chunk) => splitter.push(chunk));
    channel.onClose((error) => this.handleClose(error));
  }

  async hello(): Promise<DeviceHello> {
    const reply = await this.request('HELLO', {});
    const hello = parseHello(reply, this.path);

    if (hello.protocolVersion !== PROTOCOL_MAJOR) {
      throw new StationError(
        'device-protocol-unsupported',
        `${this.path}: device speaks protocol ${reply.args.proto ?? '?'}, this station speaks ${PROTOCOL_MAJOR}.x`,
      );
    }
    if (hello.maxFrameSize < MIN_FRAME_SIZE) {
      throw new StationError(
        'device-frame-too-small',
        `${this.path}: device accepts frames of ${hello.maxFrameSize} bytes, at least ${MIN_FRAME_SIZE} are needed`,
      );
    }

    this.deviceHello = hello;
    // Debug level: an unattended station sends HELLO to every idle port once a second.
    log.debug({ path: this.path, model: hello.model, hardwareId: hello.hardwareId, firmware: hello.firmwareVersion }, 'device hello');
    return hello;
  }

  /** Writes the fields and commits them; the committed set replaces every stored field. */
  async writeFields(fields: DeviceFields, onProgress?: (fraction: number) => void): Promise<void> {
    const entries = fieldEntries(fields);
    const maxFrameSize = (await this.ensureHello()).maxFrameSize;
    const totalBytes = entries.reduce((sum, [, value]) => sum + Buffer.byteLength(value, 'utf8'), 0);
    let writtenBytes = 0;

    for (const [field, value] of entries) {
      await this.writeField(field, Buffer.from(value, 'utf8'), maxFrameSize, (chunkBytes) => {
        writtenBytes += chunkBytes;
        onProgress?.(writtenBytes / totalBytes);
      });
    }

    const names = entries.map(([field]) => field);
    const digest = commitDigest(entries.map(([field, value]) => [field, sha256Hex(Buffer.from(value, 'utf8'))]));
    await this.request('COMMIT', { f: encodeList(names), sha: digest });
    log.info({ path: this.path, fields: names }, 'fields committed');
  }

  async verify(): Promise<DeviceFields> {
    await this.ensureHello();
    const listing = await this.request('VERIFY', {});
    const digests: DeviceFields = {};

    for (const name of decodeList(listing.args.fields ?? '')) {
      if (!isDeviceField(name)) {
        // A newer device may store fields this station does not know; they are not ours to check.
        log.warn({ path: this.path, field: name }, 'device lists an unknown field');
        continue;
      }
      const reply = await this.request('VERIFY', { f: name });
      const digest = reply.args.sha;
      if (digest === undefined || !/^[0-9a-f]{64}$/.test(digest)) {
        throw new StationError('device-error', `${this.path}: VERIFY of ${name} returned no valid SHA-256 digest`);
      }
      digests[name] = digest;
    }
    return digests;
  }

  async generateKey(request: { algorithm: KeyAlgorithm; commonName: string }): Promise<{ csrPem: string }> {
    await this.ensureHello();
    const reply = await this.request('GENKEY', { alg: request.algorithm, cn: request.commonName });
    const length = Number(reply.args.len);
    const expectedDigest = reply.args.sha;
    if (!Number.isInteger(length) || length <= 0 || expectedDigest === undefined) {
      throw new StationError('device-error', `${this.path}: GENKEY reply lacks the CSR length or digest`);
    }

    const chunks: Buffer[] = [];
    let offset = 0;
    while (offset < length) {
      const part = await this.request('CSR', { off: String(offset) });
      const data = Buffer.from(part.args.d ?? '', 'base64');
      if (Number(part.args.off) !== offset || data.length === 0) {
        throw new StationError('device-error', `${this.path}: CSR read at offset ${offset} returned no data`);
      }
      chunks.push(data);
      offset += data.length;
    }

    const csr = Buffer.concat(chunks);
    if (csr.length !== length || sha256Hex(csr) !== expectedDigest) {
      throw new StationError('device-error', `${this.path}: CSR read back does not match its SHA-256 digest`);
    }
    return { csrPem: csr.toString('utf8') };
  }

  async erase(): Promise<void> {
    await this.ensureHello();
    await this.request('ERASE', {});
    log.info({ path: this.path }, 'device erased');
  }

  async signChallenge(challenge: Buffer): Promise<{ signature: Buffer; algorithm: SignatureAlgorithm }> {
    requireCapability(this.path, await this.ensureHello(), CAPABILITY_SIGN, 'SIGN');
    const result = await signChallenge((verb, args, options) => this.request(verb, args, options), this.path, challenge);
    log.info({ path: this.path, algorithm: result.algorithm, bytes: result.signature.length }, 'device signed the challenge');
    return result;
  }

  async connectTest(nonce: string): Promise<{ transport: string }> {
    requireCapability(this.path, await this.ensureHello(), CAPABILITY_CONNECT, 'CONNECT');
    const result = await connectTest((verb, args, options) => this.request(verb, args, options), this.path, nonce, this.connectTimeoutMs);
    log.info({ path: this.path, transport: result.transport }, 'device connected to its server and published');
    return result;
  }

  async close(): Promise<void> {
    if (this.closed === undefined) {
      this.closed = {};
    }
    // A pending request ends now, not when the port's close callback comes, which may be late
    // on a port that has vanished.
    this.waiter?.({ kind: 'closed' });
    await this.channel.close();
  }

  private async ensureHello(): Promise<DeviceHello> {
    return this.deviceHello ?? (await this.hello());
  }

  private async writeField(field: DeviceField, value: Buffer, maxFrameSize: number, onChunk: (bytes: number) => void): Promise<void> {
    const chunkBytes = writeChunkBytes(field, value.length, maxFrameSize);
    let offset = 0;
    do {
      const data = value.subarray(offset, offset + chunkBytes);
      const reply = await this.request('WRITE', {
        f: field,
        off: String(offset),
        len: String(value.length),
        d: data.toString('base64'),
      });
      offset += data.length;
      if (Number(reply.args.have) !== offset) {
        throw new StationError('device-error', `${this.path}: device staged ${reply.args.have ?? '?'} bytes of ${field}, expected ${offset}`);
      }
      onChunk(data.length);
    } while (offset < value.length);
  }

  /** Sends one request, one at a time per link, and returns its OK reply. */
  private request(verb: Command, args: Record<string, string>, options: RequestOptions = {}): Promise<Frame> {
    const result = this.queue.then(() => this.exchange(verb, args, options));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async exchange(verb: Command, args: Record<string, string>, options: RequestOptions): Promise<Frame> {
    const id = this.takeId();
    const line = Buffer.from(encodeFrame({ direction: '>', id, verb, args }), 'latin1');
    const deadlineMs = (options.timeoutMs ?? this.requestTimeoutMs) + this.wireTimeMs(line.length + (this.deviceHello?.maxFrameSize ?? MIN_FRAME_SIZE));
    const busySince = Date.now();
    let lastFailure: 'timeout' | 'damaged' = 'timeout';
    let attempt = 0;

    while (attempt <= this.retries) {
      const outcome = await this.sendAndWait(id, line, deadlineMs);

      if (outcome.kind === 'closed') {
        // The channel may close with a reason of its own, such as a write that never drained.
        if (isStationError(outcome.error)) {
          throw outcome.error;
        }
        throw new StationError('port-closed', `${this.path}: the port closed during ${verb}`, { cause: outcome.error });
      }
      if (outcome.kind === 'reply') {
        const frame = outcome.frame;
        if (frame.verb === 'OK') {
          return frame;
        }
        if (frame.verb === 'ERR') {
          const code = frame.args.code ?? 'no code';
          throw options.rejectWith?.(code, frame.args.detail) ?? new StationError('device-error', `${this.path}: ${verb} failed on the device: ${code}`);
        }
        if (frame.verb === 'BUSY') {
          await this.waitWhileBusy(verb, frame, busySince);
          continue;
        }
        throw new StationError('device-error', `${this.path}: ${verb} got an unknown reply ${frame.verb}`);
      }

      lastFailure = outcome.kind;
      attempt += 1;
      log.warn({ path: this.path, verb, id, attempt, failure: outcome.kind }, 'no valid reply, sending the request again');
    }

    if (lastFailure === 'damaged') {
      throw new StationError('device-corrupt-reply', `${this.path}: every reply to ${verb} was damaged after ${this.retries + 1} tries`);
    }
    throw new StationError('device-timeout', `${this.path}: no reply to ${verb} after ${this.retries + 1} ${this.retries === 0 ? 'try' : 'tries'} of ${deadlineMs} ms each`);
  }

  private async waitWhileBusy(verb: Command, frame: Frame, busySince: number): Promise<void> {
    if (Date.now() - busySince > this.busyTimeoutMs) {
      throw new StationError('device-busy', `${this.path}: device still busy with ${verb} after ${this.busyTimeoutMs} ms`);
    }
    const retryMs = Math.min(Math.max(Number(frame.args.retry) || 100, 10), MAX_BUSY_RETRY_MS);
    await new Promise((resolve) => setTimeout(resolve, retryMs));
  }

  private sendAndWait(id: number, line: Buffer, deadlineMs: number): Promise<Outcome> {
    if (this.closed !== undefined) {
      return Promise.resolve({ kind: 'closed', error: this.closed.error });
    }

    return new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => finish({ kind: 'timeout' }), deadlineMs);
      const finish = (outcome: Outcome): void => {
        clearTimeout(timer);
        this.waiter = undefined;
        resolve(outcome);
      };
      this.waiter = finish;
      this.waitingForId = id;

      // A failed write means the port is gone: serialport may report a vanished pty only here.
      this.channel.write(line).catch((error: unknown) => {
        this.handleClose(error instanceof Error ? error : new Error(String(error)));
      });
    });
  }

  private handleLine(line: string): void {
    const parsed = parseLine(line);
    if (parsed.kind === 'noise') {
      log.debug({ path: this.path, bytes: line.length }, 'skipped a line that is not a frame');
      return;
    }
    if (parsed.kind === 'damaged') {
      log.warn({ path: this.path, reason: parsed.reason }, 'damaged frame');
      this.waiter?.({ kind: 'damaged', reason: parsed.reason });
      return;
    }
    if (parsed.frame.direction !== '<' || parsed.frame.id !== this.waitingForId) {
      log.debug({ path: this.path, id: parsed.frame.id }, 'skipped a reply to another request');
      return;
    }
    this.waiter?.({ kind: 'reply', frame: parsed.frame });
  }

  private handleClose(error?: Error): void {
    if (this.closed === undefined) {
      this.closed = { error };
      log.warn({ path: this.path, err: error }, 'port closed');
    }
    this.waiter?.({ kind: 'closed', error });
  }

  private takeId(): number {
    const id = this.nextId;
    this.nextId = id >= MAX_REQUEST_ID ? 1 : id + 1;
    return id;
  }

  private wireTimeMs(bytes: number): number {
    return this.baudRate > 0 ? Math.ceil((bytes * 10 * 1000) / this.baudRate) : 0;
  }
}

function fieldEntries(fields: DeviceFields): Array<[DeviceField, string]> {
  for (const name of Object.keys(fields)) {
    if (!isDeviceField(name)) {
      throw new StationError('invalid-argument', `unknown device field "${name}"; known fields: ${DEVICE_FIELDS.join(', ')}`);
    }
  }
  const entries: Array<[DeviceField, string]> = [];
  for (const field of DEVICE_FIELDS) {
    const value = fields[field];
    if (value !== undefined) {
      entries.push([field, value]);
    }
  }
  if (entries.length === 0) {
    throw new StationError('invalid-argument', 'writeFields needs at least one field');
  }
  return entries;
}

function parseHello(reply: Frame, path: string): DeviceHello {
  const { proto, model, fw, hwid, caps, max } = reply.args;
  const major = Number((proto ?? '').split('.')[0]);
  const maxFrameSize = Number(max);
  if (!Number.isInteger(major) || model === undefined || fw === undefined || hwid === undefined || !Number.isInteger(maxFrameSize)) {
    throw new StationError('device-error', `${path}: HELLO reply lacks proto, model, fw, hwid or max`);
  }
  return {
    protocolVersion: major,
    model,
    firmwareVersion: fw,
    hardwareId: hwid,
    capabilities: decodeList(caps ?? ''),
    maxFrameSize,
  };
}
