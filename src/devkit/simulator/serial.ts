// Serves a simulated device on a serial path, normally the device end of a socat pty pair.
import { SerialPort } from 'serialport';
import { getLogger } from '../../main/log';
import { SimulatedDevice } from './device';
import type { SimulatorOptions } from './options';

const log = getLogger('devkit');

export interface RunningSimulator {
  readonly device: SimulatedDevice;
  close(): Promise<void>;
}

export async function startSimulatorOnSerial(path: string, options: SimulatorOptions): Promise<RunningSimulator> {
  // The pty ignores the line speed; the simulator paces its own output instead.
  const port = new SerialPort({ path, baudRate: 115_200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));

  const closePort = (): Promise<void> =>
    new Promise((resolve) => {
      if (!port.isOpen) {
        resolve();
        return;
      }
      port.close(() => resolve());
    });

  const device = await SimulatedDevice.create(options, {
    write: (bytes) =>
      new Promise((resolve, reject) => {
        if (!port.isOpen) {
          reject(new Error(`${path} is closed`));
          return;
        }
        port.write(bytes, (error) => (error ? reject(error) : resolve()));
      }),
    hangUp: closePort,
  });
  port.on('data', (chunk: Buffer) => device.receive(chunk));
  port.on('error', (error: Error) => log.warn({ path, err: error }, 'simulator port error'));
  log.info({ path }, 'simulator serving serial port');

  return {
    device,
    close: async () => {
      device.stop();
      await closePort();
      log.info({ path }, 'simulator stopped');
    },
  };
}
