// The crash harness's real parts: the ThingsBoard stand-in on 127.0.0.1, and simulated devices
// on socat pty pairs, all in one temp folder that close() removes again.
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPtyPair } from '../../src/devkit/pty-pair';
import { startSimulatorOnSerial } from '../../src/devkit/simulator';
import { startThingsboardStandIn, type StandIn } from '../../src/devkit/thingsboard';

/** The stand-in's tenant account. */
export const TENANT = { username: 'tenant@thingsboard.org', password: 'tenant' };

/** The model the simulator reports by default; the station's default naming rule is {model}-{hardwareId}. */
const SIMULATOR_MODEL = 'PS-SIM-1';

export interface RigUnit {
  hardwareId: string;
  /** The device name the default naming rule gives this unit. */
  name: string;
  /** The pty the station opens. */
  stationPath: string;
  /** The simulator's flash. */
  stateFile: string;
}

export interface CrashRig {
  folder: string;
  server: StandIn;
  /** Starts a simulated device with this hardware id on a new pty pair. */
  addUnit(hardwareId: string): Promise<RigUnit>;
  /** Stops every simulator, socat and the stand-in, and removes the temp folder; safe to call twice. */
  close(): Promise<void>;
}

export async function startCrashRig(): Promise<CrashRig> {
  const folder = await mkdtemp(join(tmpdir(), 'station-crash-'));
  const cleanups: Array<() => Promise<void>> = [() => rm(folder, { recursive: true, force: true })];
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) => process.stderr.write(`cleanup failed: ${String(error)}\n`));
    }
  };

  try {
    const server = await startThingsboardStandIn({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => server.close());

    const addUnit = async (hardwareId: string): Promise<RigUnit> => {
      const pair = await createPtyPair();
      cleanups.push(() => pair.close());
      const stateFile = join(folder, `${hardwareId}.json`);
      const simulator = await startSimulatorOnSerial(pair.devicePath, { stateFile, hardwareId, baudRate: 0 });
      cleanups.push(() => simulator.close());
      return { hardwareId, name: `${SIMULATOR_MODEL}-${hardwareId}`, stationPath: pair.stationPath, stateFile };
    };
    return { folder, server, addUnit, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Reads the access token the simulated device has committed to its flash, if any. */
export async function storedToken(unit: RigUnit): Promise<string | undefined> {
  const state = JSON.parse(await readFile(unit.stateFile, 'utf8')) as { stored: Record<string, string> };
  return state.stored.token;
}
