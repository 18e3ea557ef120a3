// The simulated device's UART timing, on a fake clock: received lines wait for their last byte,
// transmitted bytes go out at the baud rate, and baud rate 0 turns pacing off.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UartLine } from '../../src/devkit/simulator/uart-line';

const BAUD_RATE = 115_200;
/** Wire time of one byte at 115200 baud, 10 bits per byte. */
const BYTE_MS = 10_000 / BAUD_RATE;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

function receiver(baudRate = BAUD_RATE): { line: UartLine; delivered: Array<{ text: string; at: number }> } {
  const delivered: Array<{ text: string; at: number }> = [];
  const line = new UartLine(baudRate, (bytes, receivedAt) => delivered.push({ text: bytes.toString('latin1'), at: receivedAt }));
  return { line, delivered };
}

describe('UartLine receive', () => {
  it('holds a line until its last byte arrives', async () => {
    const { line, delivered } = receiver();
    const text = '>1 HELLO*0123ABCD\n';

    line.receive(Buffer.from(text, 'latin1'));
    await vi.advanceTimersByTimeAsync(text.length * BYTE_MS - 0.05);
    expect(delivered).toEqual([]);

    // Timers have whole milliseconds, so delivery may come up to 1 ms later. `at` stays exact.
    await vi.advanceTimersByTimeAsync(1);
    expect(delivered.map((entry) => entry.text)).toEqual([text]);
    expect(delivered[0]?.at).toBeCloseTo(text.length * BYTE_MS, 6);
  });

  it('delivers each line of a chunk at its own newline', async () => {
    const { line, delivered } = receiver();

    line.receive(Buffer.from('A\nBBBB\n', 'latin1'));
    await vi.advanceTimersByTimeAsync(10);

    expect(delivered.map((entry) => entry.text)).toEqual(['A\n', 'BBBB\n']);
    expect(delivered[0]?.at).toBeCloseTo(2 * BYTE_MS, 6);
    expect(delivered[1]?.at).toBeCloseTo(7 * BYTE_MS, 6);
  });

  it('queues a chunk behind bytes still arriving', async () => {
    const { line, delivered } = receiver();

    line.receive(Buffer.from('0123456789', 'latin1'));
    line.receive(Buffer.from('abcdefghi\n', 'latin1'));
    await vi.advanceTimersByTimeAsync(10);

    expect(delivered.map((entry) => entry.text)).toEqual(['0123456789', 'abcdefghi\n']);
    expect(delivered[1]?.at).toBeCloseTo(20 * BYTE_MS, 6);
  });

  it('delivers at once at baud rate 0', () => {
    const { line, delivered } = receiver(0);

    line.receive(Buffer.from('>1 HELLO*0123ABCD\n', 'latin1'));

    expect(delivered).toHaveLength(1);
  });

  it('drops bytes still arriving when stopped', async () => {
    const { line, delivered } = receiver();

    line.receive(Buffer.from('>1 HELLO*0123ABCD\n', 'latin1'));
    line.stop();
    await vi.advanceTimersByTimeAsync(10);

    expect(delivered).toEqual([]);
  });
});

describe('UartLine transmit', () => {
  function transmitter(baudRate = BAUD_RATE): { line: UartLine; written: Array<{ bytes: number; at: number }>; write: (chunk: Buffer) => Promise<void> } {
    const written: Array<{ bytes: number; at: number }> = [];
    const line = new UartLine(baudRate, () => undefined);
    const write = (chunk: Buffer): Promise<void> => {
      written.push({ bytes: chunk.length, at: performance.now() });
      return Promise.resolve();
    };
    return { line, written, write };
  }

  it('writes each chunk once its bytes are sent', async () => {
    const { line, written, write } = transmitter();

    const done = line.transmit(Buffer.alloc(40, 0x41), performance.now(), write);
    await vi.advanceTimersByTimeAsync(10);
    await done;

    expect(written.map((entry) => entry.bytes)).toEqual([16, 16, 8]);
    expect(written[0]?.at).toBeGreaterThanOrEqual(16 * BYTE_MS);
    expect(written[1]?.at).toBeGreaterThanOrEqual(32 * BYTE_MS);
    expect(written[2]?.at).toBeGreaterThanOrEqual(40 * BYTE_MS);
    expect(line.transmitLateMs).toBeLessThan(1);
  });

  it('starts after the previous transmission', async () => {
    const { line, written, write } = transmitter();

    const first = line.transmit(Buffer.alloc(16, 0x41), performance.now(), write);
    const second = line.transmit(Buffer.alloc(16, 0x42), performance.now(), write);
    await vi.advanceTimersByTimeAsync(10);
    await Promise.all([first, second]);

    expect(written[1]?.at).toBeGreaterThanOrEqual(32 * BYTE_MS);
  });

  it('catches up and counts lateness', async () => {
    const { line, written, write } = transmitter();
    await vi.advanceTimersByTimeAsync(20);

    // The reply should have started 10 ms ago, so every chunk is already due.
    await line.transmit(Buffer.alloc(40, 0x41), performance.now() - 10, write);

    expect(written).toHaveLength(3);
    expect(written.every((entry) => entry.at === 20)).toBe(true);
    expect(line.transmitLateMs).toBeCloseTo(10 - 40 * BYTE_MS, 6);
  });

  it('writes at once at baud rate 0', async () => {
    const { line, written, write } = transmitter(0);

    await line.transmit(Buffer.alloc(40, 0x41), performance.now(), write);

    expect(written).toEqual([{ bytes: 40, at: 0 }]);
  });
});
