// Opens a serial port and runs the protocol client on it. Real ports use serialport's native
// binding; tests and the devkit pass another binding (such as the in-process virtual one).
// The package's "exports" map points ESM at a file without types; its CommonJS entry has them.
import type { BindingInterface } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import { readdir, readFile, realpath } from 'node:fs/promises';
import { SerialPortStream } from '@serialport/stream';
import { SerialPort } from 'serialport';
import { StationError } from '../../shared/reasons';
import { getLogger } from '../log';
import { listSerialPorts } from './discovery';
import type { DeviceLink } from './link';
import { ProtocolClient, type ByteChannel } from './protocol-client';

const log = getLogger('serial');

export interface SerialLinkOptions {
  baudRate?: number;
  /** Time to wait for each reply, on top of the time its bytes need on the wire. */
  requestTimeoutMs?: number;
  /** How many times a request is sent again after a missing or damaged reply. */
  retries?: number;
  /**
   * Time a write may take to drain, on top of its wire time at the baud rate. A port whose
   * hardware flow control keeps the line blocked (CTS low) never drains.
   */
  writeTimeoutMs?: number;
  binding?: BindingInterface;
}

const DEFAULT_WRITE_TIMEOUT_MS = 2000;

export async function openSerialLink(path: string, options: SerialLinkOptions = {}): Promise<DeviceLink> {
  const baudRate = options.baudRate ?? 115_200;
  const port =
    options.binding === undefined
      ? new SerialPort({ path, baudRate, autoOpen: false })
      : new SerialPortStream({ binding: options.binding, path, baudRate, autoOpen: false });

  await openPort(port, path);
  log.debug({ path, baudRate }, 'port opened');

  const writeDeadline = { baudRate, marginMs: options.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS };
  return new ProtocolClient(path, serialChannel(port, path, writeDeadline), {
    baudRate,
    requestTimeoutMs: options.requestTimeoutMs,
    retries: options.retries,
  });
}

function openPort(port: SerialPortStream, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    port.open((error) => {
      if (error === null || error === undefined) {
        resolve();
        return;
      }
      openError(error, path).then(reject, reject);
    });
  });
}

/** Maps serialport's open errors, which carry the OS message in their text, to reason codes. */
async function openError(error: Error, path: string): Promise<StationError> {
  const message = error.message;
  if (/ENOENT|No such file or directory|cannot find the file/i.test(message)) {
    return new StationError('port-not-found', path, { cause: error });
  }
  if (/ENOTTY|Inappropriate ioctl/i.test(message)) {
    return new StationError('port-not-serial', path, { cause: error });
  }
  if (/EACCES|Permission denied/i.test(message)) {
    return new StationError('port-permission-denied', path, { cause: error });
  }
  // "Access denied" is how Windows reports a COM port that another program has open.
  if (/EBUSY|Resource busy|Resource temporarily unavailable|Cannot lock port|Access denied/i.test(message)) {
    if (await isModemManagerRunning()) {
      return new StationError('port-held-by-modem-manager', `${path}; udev rule: ${await modemManagerIgnoreRule(path)}`, { cause: error });
    }
    return new StationError('port-busy', path, { cause: error });
  }
  return new StationError('port-open-failed', `${path}: ${message}`, { cause: error });
}

/**
 * ModemManager (Linux) may open a newly plugged USB serial port for some seconds to probe for
 * a modem, so an open that fails as busy while it runs is likely its probe.
 */
async function isModemManagerRunning(): Promise<boolean> {
  if (process.platform !== 'linux') {
    return false;
  }
  const entries = await readdir('/proc').catch(() => []);
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    const name = await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '');
    if (name.trim() === 'ModemManager') {
      return true;
    }
  }
  return false;
}

/** Builds the udev rule that makes ModemManager skip this USB device. VVVV and PPPP remain when the listing lacks the ids. */
async function modemManagerIgnoreRule(path: string): Promise<string> {
  let vendorId = 'VVVV';
  let productId = 'PPPP';
  try {
    const target = await realpath(path);
    const ports = await listSerialPorts();
    const listed = ports.find((port) => port.path === path || port.path === target);
    vendorId = listed?.vendorId ?? vendorId;
    productId = listed?.productId ?? productId;
  } catch (error) {
    log.debug({ path, err: error }, 'listing ports for the udev rule failed');
  }
  return `ATTRS{idVendor}=="${vendorId}", ATTRS{idProduct}=="${productId}", ENV{ID_MM_DEVICE_IGNORE}="1"`;
}

function serialChannel(port: SerialPortStream, path: string, writeDeadline: { baudRate: number; marginMs: number }): ByteChannel {
  const closeListeners: Array<(error?: Error) => void> = [];
  let closed = false;

  const markClosed = (error?: Error): void => {
    if (closed) {
      return;
    }
    closed = true;
    for (const listener of closeListeners) {
      listener(error);
    }
  };

  port.on('close', (error: Error | null) => markClosed(error ?? undefined));
  port.on('error', (error: Error) => {
    // Read and write failures on a vanished pty arrive here, sometimes with no 'close' event.
    log.warn({ path, err: error }, 'port error, treating the port as closed');
    markClosed(error);
  });

  return {
    write: (data) =>
      new Promise((resolve, reject) => {
        if (closed || !port.isOpen) {
          reject(new Error(`${path} is closed`));
          return;
        }

        // A write that never drains would leave the request waiting on a port that looks open,
        // so after its deadline the channel counts as closed with a reason of its own.
        const wireMs = writeDeadline.baudRate > 0 ? Math.ceil((data.length * 10 * 1000) / writeDeadline.baudRate) : 0;
        const deadlineMs = writeDeadline.marginMs + wireMs;
        const timer = setTimeout(() => {
          const error = new StationError('device-not-accepting-data', `${path}: a write of ${data.length} bytes did not drain within ${deadlineMs} ms`);
          log.warn({ path, bytes: data.length, deadlineMs }, 'write did not drain, treating the port as closed');
          markClosed(error);
          reject(error);
        }, deadlineMs);

        port.write(data, (error) => {
          clearTimeout(timer);
          if (error) {
            reject(error);
          } else {
            resolve();
          }
        });
      }),
    onData: (listener) => port.on('data', listener),
    onClose: (listener) => closeListeners.push(listener),
    close: () =>
      new Promise((resolve) => {
        if (!port.isOpen) {
          markClosed();
          resolve();
          return;
        }
        port.close((error) => {
          if (error) {
            log.warn({ path, err: error }, 'closing the port failed');
          }
          markClosed();
          resolve();
        });
      }),
  };
}
