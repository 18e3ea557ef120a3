// A port whose hardware flow control never lets data out: every write stays pending, as on a
// line with CTS held low. The request must end with its own reason, not as a lost port.
import type {
  BindingInterface,
  BindingPortInterface,
  OpenOptions,
  PortStatus,
} from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import { describe, expect, it } from 'vitest';
import { openSerialLink } from '../../src/main/device/serial-link';
import { describeReason } from '../../src/shared/messages';
import { isStationError, type StationError } from '../../src/shared/reasons';

class CanceledError extends Error {
  readonly canceled = true;
}

/** A port that opens and reads nothing, and whose writes stay pending until it closes. */
class StalledPort implements BindingPortInterface {
  readonly openOptions: Required<OpenOptions>;
  isOpen = true;
  writes = 0;
  private readonly pending: Array<(error: Error) => void> = [];

  constructor(options: OpenOptions) {
    this.openOptions = { dataBits: 8, lock: true, stopBits: 1, parity: 'none', rtscts: true, xon: false, xoff: false, xany: false, hupcl: true, ...options };
  }

  close(): Promise<void> {
    this.isOpen = false;
    for (const cancel of this.pending.splice(0)) {
      cancel(new CanceledError('port closed'));
    }
    return Promise.resolve();
  }

  read(): Promise<{ buffer: Buffer; bytesRead: number }> {
    return new Promise((_resolve, reject) => this.pending.push(reject));
  }

  write(): Promise<void> {
    this.writes += 1;
    return new Promise((_resolve, reject) => this.pending.push(reject));
  }

  update(): Promise<void> {
    return Promise.resolve();
  }
  set(): Promise<void> {
    return Promise.resolve();
  }
  get(): Promise<PortStatus> {
    return Promise.resolve({ cts: false, dsr: false, dcd: false });
  }
  getBaudRate(): Promise<{ baudRate: number }> {
    return Promise.resolve({ baudRate: this.openOptions.baudRate });
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
  drain(): Promise<void> {
    return new Promise((_resolve, reject) => this.pending.push(reject));
  }
}

function stalledBinding(): { binding: BindingInterface; ports: StalledPort[] } {
  const ports: StalledPort[] = [];
  const binding: BindingInterface = {
    list: () => Promise.resolve([]),
    open: (options: OpenOptions) => {
      const port = new StalledPort(options);
      ports.push(port);
      return Promise.resolve(port);
    },
  };
  return { binding, ports };
}

async function errorOf(promise: Promise<unknown>): Promise<StationError> {
  try {
    await promise;
  } catch (error) {
    if (isStationError(error)) {
      return error;
    }
    throw error;
  }
  throw new Error('the request succeeded on a port that never drains');
}

describe('flow control', () => {
  it('undrained write ends with its reason', async () => {
    const { binding, ports } = stalledBinding();
    const link = await openSerialLink('stalled:1', { binding, writeTimeoutMs: 200, requestTimeoutMs: 5000 });

    try {
      const error = await errorOf(link.hello());

      expect(error.code).toBe('device-not-accepting-data');
      expect(error.detail).toContain('stalled:1');
      expect(describeReason(error.code, error.detail)).toContain('flow control (RTS/CTS)');
      // The reason shows the write deadline ended the request: the reply deadline would give device-timeout.
      expect(ports[0]?.writes).toBe(1);
    } finally {
      await link.close();
    }
  });

  it('later requests keep the reason', async () => {
    const { binding } = stalledBinding();
    const link = await openSerialLink('stalled:2', { binding, writeTimeoutMs: 100 });

    try {
      await errorOf(link.hello());
      const second = await errorOf(link.verify());

      expect(second.code).toBe('device-not-accepting-data');
    } finally {
      await link.close();
    }
  });

  it('closes the port after the reason', async () => {
    const { binding, ports } = stalledBinding();
    const link = await openSerialLink('stalled:3', { binding, writeTimeoutMs: 100 });

    await errorOf(link.hello());
    await link.close();

    expect(ports[0]?.isOpen).toBe(false);
  });
});
