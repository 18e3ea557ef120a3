// `station devkit server` and `station devkit device`: the stand-in and the simulator as
// long-running programs, for tests, demos and firmware work.
import { startSimulatorOnSerial, parseFaultFlags } from '../../devkit/simulator';
import { startThingsboardStandIn } from '../../devkit/thingsboard';
import { EXIT } from '../output';

function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

export async function serverCommand(options: { port: number; accessTokenTtl?: number }): Promise<number> {
  const server = await startThingsboardStandIn({
    port: options.port,
    ...(options.accessTokenTtl === undefined ? {} : { accessTokenTtlSeconds: options.accessTokenTtl }),
  });
  console.log(`ThingsBoard stand-in listening on ${server.url} (tenant@thingsboard.org / tenant)`);
  await untilInterrupted();
  await server.close();
  return EXIT.ok;
}

export interface DeviceCommandOptions {
  serial: string;
  state: string;
  hardwareId?: string;
  model?: string;
  firmware?: string;
  baud: number;
  maxFrameSize?: number;
  fault?: string[];
}

export async function deviceCommand(options: DeviceCommandOptions): Promise<number> {
  const simulator = await startSimulatorOnSerial(options.serial, {
    stateFile: options.state,
    baudRate: options.baud,
    ...(options.hardwareId === undefined ? {} : { hardwareId: options.hardwareId }),
    ...(options.model === undefined ? {} : { model: options.model }),
    ...(options.firmware === undefined ? {} : { firmwareVersion: options.firmware }),
    ...(options.maxFrameSize === undefined ? {} : { maxFrameSize: options.maxFrameSize }),
    ...(options.fault === undefined ? {} : { faults: parseFaultFlags(options.fault) }),
  });
  console.log(`Simulated device serving ${options.serial} (state in ${options.state})`);
  await untilInterrupted();
  await simulator.close();
  return EXIT.ok;
}
