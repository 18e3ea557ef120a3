// The timing of the simulated device's UART at its baud rate, 10 bits per byte (a start bit,
// 8 data bits and a stop bit). A pty or the virtual binding moves bytes at once, so this class
// delays each received line until its last byte would have arrived, and spaces transmitted bytes
// as the line would. Times are performance.now() milliseconds. Baud rate 0 means no pacing.
const BITS_PER_BYTE = 10;
const NEWLINE = 0x0a;
/** Bytes handed to the output at once when transmitting. The line then waits until they would have been sent. */
const TRANSMIT_CHUNK_BYTES = 16;

/** Received bytes that the line delivers at `at`, when their last byte would have arrived. */
interface Arrival {
  bytes: Buffer;
  at: number;
}

export class UartLine {
  /** Wire time of one byte in milliseconds, or 0 without pacing. */
  private readonly byteMs: number;
  private readonly arrivals: Arrival[] = [];
  private arrivalTimer: NodeJS.Timeout | undefined;
  private receiveFreeAt = 0;
  private transmitFreeAt = 0;
  private stopped = false;
  private lateMs = 0;

  /**
   * @param deliver called with received bytes once they have fully arrived, in order, and the
   *   time their last byte arrived. Called synchronously from receive() without pacing.
   */
  constructor(
    baudRate: number,
    private readonly deliver: (bytes: Buffer, receivedAt: number) => void,
  ) {
    this.byteMs = baudRate > 0 ? (BITS_PER_BYTE * 1000) / baudRate : 0;
  }

  /**
   * Sum over transmissions of how much later than the baud rate allows their last byte was
   * handed to the output, in milliseconds. It grows when the simulator's timers fire late or its
   * process gets no CPU, so it is time the station spends waiting on the simulator, not on the wire.
   */
  get transmitLateMs(): number {
    return this.lateMs;
  }

  /** Takes bytes the station sent. They arrive one after another, from the end of the bytes before them. */
  receive(chunk: Buffer): void {
    if (this.stopped) {
      return;
    }
    if (this.byteMs === 0) {
      this.deliver(chunk, performance.now());
      return;
    }

    // Each line is cut off at its newline, so it is delivered when its own last byte arrives,
    // not when the rest of the chunk does.
    const start = Math.max(performance.now(), this.receiveFreeAt);
    let from = 0;
    for (let index = 0; index < chunk.length; index++) {
      if (chunk[index] === NEWLINE || index === chunk.length - 1) {
        this.arrivals.push({ bytes: Buffer.from(chunk.subarray(from, index + 1)), at: start + (index + 1) * this.byteMs });
        from = index + 1;
      }
    }
    this.receiveFreeAt = start + chunk.length * this.byteMs;
    this.scheduleArrival();
  }

  /**
   * Writes bytes no earlier than the line allows: the first byte starts at `notBefore` or when
   * the previous transmission ends, whichever is later. When the simulator runs behind that
   * schedule, the chunks that are already due go out at once.
   */
  async transmit(bytes: Buffer, notBefore: number, write: (chunk: Buffer) => Promise<void>): Promise<void> {
    if (this.byteMs === 0) {
      await write(bytes);
      return;
    }

    const start = Math.max(notBefore, this.transmitFreeAt);
    this.transmitFreeAt = start + bytes.length * this.byteMs;
    for (let offset = 0; offset < bytes.length && !this.stopped; offset += TRANSMIT_CHUNK_BYTES) {
      const chunk = bytes.subarray(offset, offset + TRANSMIT_CHUNK_BYTES);
      const dueAt = start + (offset + chunk.length) * this.byteMs;
      await sleepUntil(dueAt);
      if (offset + chunk.length >= bytes.length) {
        this.lateMs += Math.max(0, performance.now() - dueAt);
      }
      await write(chunk);
    }
  }

  /** Drops bytes still arriving and ends transmissions after their current chunk. */
  stop(): void {
    this.stopped = true;
    this.arrivals.length = 0;
    clearTimeout(this.arrivalTimer);
    this.arrivalTimer = undefined;
  }

  private scheduleArrival(): void {
    const next = this.arrivals[0];
    if (this.arrivalTimer !== undefined || next === undefined) {
      return;
    }
    this.arrivalTimer = setTimeout(() => {
      this.arrivalTimer = undefined;
      this.deliverArrived();
    }, timerDelay(next.at));
  }

  private deliverArrived(): void {
    const now = performance.now();
    // A timer may fire up to a millisecond early; bytes not yet due wait for the next one.
    while (!this.stopped && this.arrivals[0] !== undefined && this.arrivals[0].at <= now) {
      const arrival = this.arrivals.shift() as Arrival;
      this.deliver(arrival.bytes, arrival.at);
    }
    this.scheduleArrival();
  }
}

/**
 * Returns a setTimeout delay for a time `at`. Node runs timers by its loop's clock, which has
 * whole milliseconds and may lag performance.now(), so a timer can fire up to a millisecond
 * early, and a delay under 1 ms is 1 ms anyway. Callers check the time again when it fires.
 */
function timerDelay(at: number): number {
  return Math.max(1, at - performance.now());
}

/** Resolves once performance.now() has reached `at`. */
async function sleepUntil(at: number): Promise<void> {
  while (performance.now() < at) {
    await new Promise((resolve) => setTimeout(resolve, timerDelay(at)));
  }
}
