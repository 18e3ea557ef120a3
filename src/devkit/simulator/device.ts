// The simulated device: bytes in, bytes out. It splits lines as a UART buffer of maxFrameSize
// would, runs one request at a time, applies the configured faults and paces both directions at
// the configured baud rate: a request is handled once its last byte would have arrived, and the
// reply starts from then. Transports (a pty, the virtual binding) only move the bytes.
import { LineSplitter, encodeFrame, parseLine, type Frame } from '../../main/device/frame';
import { getLogger } from '../../main/log';
import { DeviceCommands, type Reply } from './commands';
import { DEFAULT_FIRMWARE_VERSION, DEFAULT_MODEL, simulatorOptionsSchema, type FaultTarget, type ResolvedSimulatorOptions, type SimulatorOptions, type SimulatorStep } from './options';
import { loadDeviceState, newHardwareId, saveDeviceState, type DeviceState } from './state';
import { UartLine } from './uart-line';

const log = getLogger('devkit');

/** Sink for the bytes the device transmits. */
export interface DeviceOutput {
  write(bytes: Buffer): Promise<void>;
  /** Closes the device's end of the line, as unplugging it would. */
  hangUp(): Promise<void>;
}

const BOOT_LINES = [
  'ets Jun  8 2016 00:22:57',
  'rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)',
  'I (31) boot: ESP-IDF v5.1 2nd stage bootloader',
  'I (212) cpu_start: Starting scheduler.',
];

export class SimulatedDevice {
  readonly commands: DeviceCommands;
  private readonly splitter: LineSplitter;
  private readonly line: UartLine;
  /** When the last byte of the line being split arrived. Its reply is paced from then. */
  private lineReceivedAt = 0;
  private readonly firedFaults = new Set<string>();
  private requestCount = 0;
  private work: Promise<void> = Promise.resolve();
  private writing: Promise<void> = Promise.resolve();
  private corruptingAll = false;
  private hungUp = false;

  private constructor(
    private readonly options: ResolvedSimulatorOptions,
    state: DeviceState,
    private readonly output: DeviceOutput,
  ) {
    this.commands = new DeviceCommands(state, options, (next) => saveDeviceState(options.stateFile, next));
    this.splitter = new LineSplitter(
      options.maxFrameSize,
      (line) => this.handleLine(line),
      () => log.warn({ maxFrameSize: options.maxFrameSize }, 'simulator discarded a line longer than its receive buffer'),
    );
    this.line = new UartLine(options.baudRate, (bytes, receivedAt) => {
      this.lineReceivedAt = receivedAt;
      this.splitter.push(bytes);
    });
  }

  /** Loads or creates the state file, and prints the boot log when boot noise is on. */
  static async create(input: SimulatorOptions, output: DeviceOutput): Promise<SimulatedDevice> {
    const options = simulatorOptionsSchema.parse(input);
    const saved = await loadDeviceState(options.stateFile);
    const state: DeviceState = {
      hardwareId: options.hardwareId ?? saved?.hardwareId ?? newHardwareId(),
      model: options.model ?? saved?.model ?? DEFAULT_MODEL,
      firmwareVersion: options.firmwareVersion ?? saved?.firmwareVersion ?? DEFAULT_FIRMWARE_VERSION,
      stored: saved?.stored ?? {},
      deviceKeyInstalled: saved?.deviceKeyInstalled ?? false,
      pendingKey: saved?.pendingKey ?? null,
    };
    await saveDeviceState(options.stateFile, state);

    const device = new SimulatedDevice(options, state, output);
    if (options.faults.bootNoise === true) {
      device.send(BOOT_LINES.join('\r\n') + '\r\n');
    }
    log.info({ hardwareId: state.hardwareId, stateFile: options.stateFile }, 'simulator started');
    return device;
  }

  /** Feeds bytes that the transport delivered. They reach the device at the baud rate. */
  receive(chunk: Buffer): void {
    if (!this.hungUp) {
      this.line.receive(chunk);
    }
  }

  /** Stops serving: requests still arriving, queued or waiting on a fault's delay get no reply. */
  stop(): void {
    this.hangUpLine();
  }

  /** Milliseconds by which replies reached the output later than the baud rate allows; see UartLine.transmitLateMs. */
  get transmitLateMs(): number {
    return this.line.transmitLateMs;
  }

  /** Resolves when every request that has fully arrived has been served and its reply written. */
  async idle(): Promise<void> {
    await this.work;
    await this.writing;
  }

  private handleLine(line: string): void {
    const parsed = parseLine(line);
    if (parsed.kind !== 'frame' || parsed.frame.direction !== '>') {
      // Damaged requests get no reply: the station's deadline and retry recover them.
      log.debug({ kind: parsed.kind }, 'simulator ignored a line');
      return;
    }
    const frame = parsed.frame;
    const receivedAt = this.lineReceivedAt;
    this.work = this.work.then(() => this.serve(frame, receivedAt)).catch((error: unknown) => {
      log.error({ err: error, verb: frame.verb }, 'simulator failed to serve a request');
    });
  }

  private async serve(frame: Frame, receivedAt: number): Promise<void> {
    if (this.hungUp) {
      return;
    }
    this.requestCount += 1;
    const number = this.requestCount;
    const step = frame.verb.toLowerCase();
    const faults = this.options.faults;

    if (faults.hangUpAt === step) {
      log.info({ step }, 'simulator hangs up as configured');
      this.hangUpLine();
      await this.output.hangUp();
      return;
    }

    const reply = await this.commands.handle(frame);
    if (faults.silent === true || this.fireOnce('drop', faults.dropReply, number, step)) {
      log.info({ request: number, step }, 'simulator drops a reply as configured');
      return;
    }

    let text = encodeFrame({ direction: '<', id: frame.id, verb: reply.verb, args: reply.args });
    if (this.shouldCorrupt(number, step)) {
      text = flipByte(text);
    }
    if (faults.lateReplyMs !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, faults.lateReplyMs));
    }

    if (this.hungUp) {
      return;
    }
    // A device that replies at once starts its reply when the request's last byte is in, so
    // the time the simulator itself took is not added to the line's.
    this.send(text, receivedAt + (faults.lateReplyMs ?? 0));
    if (faults.bootNoise === true) {
      this.send(`I (${number * 1000}) app: served ${step}, heap free ${40_000 - number}\r\n`);
    }
    logReply(reply, step);
  }

  private shouldCorrupt(number: number, step: string): boolean {
    const fault = this.options.faults.corruptReply;
    if (this.corruptingAll) {
      return true;
    }
    if (!this.fireOnce('corrupt', fault, number, step)) {
      return false;
    }
    this.corruptingAll = fault?.always === true;
    return true;
  }

  private fireOnce(name: string, target: FaultTarget | undefined, number: number, step: string): boolean {
    if (target === undefined || this.firedFaults.has(name)) {
      return false;
    }
    const matchesCommand = target.command === undefined || target.command === (step as SimulatorStep);
    const matchesNumber = target.request === undefined ? target.command !== undefined || number === 1 : target.request === number;
    if (!matchesCommand || !matchesNumber) {
      return false;
    }
    this.firedFaults.add(name);
    return true;
  }

  /** Queues text for output, paced like a UART at the configured baud rate from `notBefore` on. */
  private send(text: string, notBefore = performance.now()): void {
    const bytes = Buffer.from(text, 'latin1');
    this.writing = this.writing
      .then(() => this.line.transmit(bytes, notBefore, (chunk) => this.output.write(chunk)))
      .catch((error: unknown) => log.warn({ err: error }, 'simulator write failed'));
  }

  private hangUpLine(): void {
    this.hungUp = true;
    this.line.stop();
  }
}

/** Flips one bit in the middle of a frame, so the line still looks like a frame but fails its checksum. */
function flipByte(text: string): string {
  const index = Math.floor(text.length / 2);
  return text.slice(0, index) + String.fromCharCode(text.charCodeAt(index) ^ 0x01) + text.slice(index + 1);
}

function logReply(reply: Reply, step: string): void {
  // Replies carry digests and CSR chunks, never stored values, so the verb and code are enough.
  log.debug({ step, verb: reply.verb, code: reply.args.code }, 'simulator replied');
}
