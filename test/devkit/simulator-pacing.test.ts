// The simulated device paces both directions on a fake clock: it serves a request only once the
// request's bytes would have arrived at the baud rate, and sends the reply at the baud rate.
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SimulatedDevice } from '../../src/devkit/simulator';
import { encodeFrame, parseLine } from '../../src/main/device/frame';
import { useTempDir } from '../helpers/temp-dir';

const BAUD_RATE = 115_200;
const BYTE_MS = 10_000 / BAUD_RATE;

const tempDir = useTempDir();
afterEach(() => {
  vi.useRealTimers();
});

async function startDevice(baudRate: number): Promise<{ device: SimulatedDevice; written: Array<{ at: number; bytes: Buffer }> }> {
  const written: Array<{ at: number; bytes: Buffer }> = [];
  const device = await SimulatedDevice.create(
    { stateFile: join(tempDir(), 'device.json'), hardwareId: 'HW-PACE', baudRate },
    {
      write: (bytes) => {
        written.push({ at: performance.now(), bytes: Buffer.from(bytes) });
        return Promise.resolve();
      },
      hangUp: () => Promise.resolve(),
    },
  );
  return { device, written };
}

const HELLO = Buffer.from(encodeFrame({ direction: '>', id: 7, verb: 'HELLO', args: {} }), 'latin1');

describe('simulator pacing', () => {
  it('serves a request once its bytes arrived', async () => {
    const { device, written } = await startDevice(BAUD_RATE);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const receivedAt = performance.now() + HELLO.length * BYTE_MS;

    device.receive(HELLO);
    await vi.advanceTimersByTimeAsync(HELLO.length * BYTE_MS - 0.05);
    expect(written).toEqual([]);

    await vi.advanceTimersByTimeAsync(100);
    const reply = Buffer.concat(written.map((entry) => entry.bytes));
    const parsed = parseLine(reply.toString('latin1').trimEnd());
    expect(parsed.kind).toBe('frame');
    expect(parsed.kind === 'frame' ? parsed.frame : undefined).toMatchObject({ direction: '<', id: 7, verb: 'OK' });

    // The reply's first chunk of 16 bytes and its last byte leave no earlier than a UART allows.
    expect(written[0]?.at).toBeGreaterThanOrEqual(receivedAt + 16 * BYTE_MS);
    expect(written.at(-1)?.at).toBeGreaterThanOrEqual(receivedAt + reply.length * BYTE_MS);
    device.stop();
  });

  it('serves at once at baud rate 0', async () => {
    const { device, written } = await startDevice(0);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });

    device.receive(HELLO);
    await device.idle();

    expect(written).toHaveLength(1);
    expect(written[0]?.at).toBe(performance.now());
    device.stop();
  });
});
