// Starts a simulated device and a station link to it, over a socat pty pair or over the
// in-process virtual binding, each with its own temp folder for the simulator's state file.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceLink } from '../../src/main/device/link';
import { openSerialLink, type SerialLinkOptions } from '../../src/main/device/serial-link';
import { createPtyPair, isSocatAvailable, type PtyPair } from '../../src/devkit/pty-pair';
import { startSimulatorOnSerial, type SimulatorOptions } from '../../src/devkit/simulator';
import { attachVirtualDevice } from '../../src/devkit/virtual-serial';

export type Transport = 'pty' | 'virtual';

export const socatAvailable = await isSocatAvailable();

type DeviceSettings = Omit<SimulatorOptions, 'stateFile'>;

export interface Harness {
  link: DeviceLink;
  stateFile: string;
  /** Stops the simulated device and starts it again on the same line and state file. */
  restartDevice(settings?: DeviceSettings): Promise<void>;
  /** Opens one more station link to the same line. */
  openLink(options?: SerialLinkOptions): Promise<DeviceLink>;
  readState(): Promise<{ hardwareId: string; stored: Record<string, string> }>;
  close(): Promise<void>;
}

let virtualCount = 0;

export async function startHarness(
  transport: Transport,
  settings: DeviceSettings = {},
  linkOptions: SerialLinkOptions = {},
): Promise<Harness> {
  const folder = await mkdtemp(join(tmpdir(), 'station-device-test-'));
  const stateFile = join(folder, 'device.json');
  const cleanups: Array<() => Promise<void>> = [() => rm(folder, { recursive: true, force: true })];
  const links: DeviceLink[] = [];

  virtualCount += 1;
  const virtualName = `test-${process.pid}-${virtualCount}`;
  let pair: PtyPair | undefined;
  let stationPath: string;
  let binding: SerialLinkOptions['binding'];
  let stopDevice: () => Promise<void>;

  const startDevice = async (deviceSettings: DeviceSettings): Promise<void> => {
    const options = { ...deviceSettings, stateFile };
    if (pair !== undefined) {
      const simulator = await startSimulatorOnSerial(pair.devicePath, options);
      stopDevice = () => simulator.close();
    } else {
      const device = await attachVirtualDevice(virtualName, options);
      stationPath = device.path;
      binding = device.binding;
      stopDevice = () => device.close();
    }
  };

  if (transport === 'pty') {
    pair = await createPtyPair();
    stationPath = pair.stationPath;
  }
  await startDevice(settings);

  const openLink = async (options: SerialLinkOptions = {}): Promise<DeviceLink> => {
    const link = await openSerialLink(stationPath, { ...linkOptions, ...options, binding });
    links.push(link);
    return link;
  };
  const link = await openLink();

  return {
    link,
    stateFile,
    openLink,
    restartDevice: async (next = settings) => {
      await stopDevice();
      await startDevice(next);
    },
    readState: async () => JSON.parse(await readFile(stateFile, 'utf8')) as { hardwareId: string; stored: Record<string, string> },
    close: async () => {
      for (const open of links) {
        await open.close();
      }
      await stopDevice();
      await pair?.close();
      for (const cleanup of cleanups) {
        await cleanup();
      }
    },
  };
}
