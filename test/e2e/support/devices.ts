// Simulated units plugged into ports the station already watches. A pty pair gets a random
// folder (/tmp/station-pty-XXXX/station), so the setup cannot name it in advance. Instead the
// setup lists fixed paths in the test's folder, and plugging a unit in links one of them to a
// new pty pair, as udev links /dev/serial/by-id/... to the tty of a USB adapter. The station
// watches a listed path that does not exist yet until it appears.
import { mkdirSync, symlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { SimulatorOptions } from '../../../src/devkit/simulator';
import type { RigDevice, useRig } from '../../integration/rig';

type Rig = ReturnType<typeof useRig>;

/** Returns `count` port paths in `dataDir`, none of which exists yet. */
export function portPaths(dataDir: string, count: number): string[] {
  const folder = join(dataDir, 'serial-by-id');
  mkdirSync(folder, { recursive: true });
  return Array.from({ length: count }, (_, index) => join(folder, `unit-port-${index + 1}`));
}

/**
 * Starts a simulated device on a new pty pair, then makes `port` point at the station's end, so
 * the port appears with the device already replying. The rig stops the device after the test.
 */
export async function plugDevice(rig: Rig, port: string, options: Partial<SimulatorOptions> = {}): Promise<RigDevice> {
  const device = await rig.device(dirname(port), basename(port), options);
  symlinkSync(device.stationPath, port);
  return device;
}
