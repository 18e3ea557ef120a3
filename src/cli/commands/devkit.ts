// `station devkit server` and `station devkit device`: the stand-in and the simulator as
// long-running programs, for tests, demos and firmware work.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseFaultFlags, startSimulatorOnSerial, type SimulatorOptions } from '../../devkit/simulator';
import { isStationError, StationError } from '../../shared/reasons';
import { startThingsboardStandIn } from '../../devkit/thingsboard';
import { EXIT } from '../output';

/**
 * Resolves on Ctrl+C or SIGTERM. A timer keeps the process alive meanwhile, because a simulated
 * device that hung up (fault hang-up) leaves nothing else running.
 */
function untilInterrupted(): Promise<void> {
  const keepAlive = setInterval(() => undefined, 60_000);
  return new Promise((resolve) => {
    const stop = (): void => {
      clearInterval(keepAlive);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export interface ServerCommandOptions {
  port: number;
  mqttPort: number;
  mqttsPort: number;
  /** File to write the PEM CA certificate of the MQTT over TLS listener to. */
  mqttCaFile?: string;
  accessTokenTtl?: number;
}

export async function serverCommand(options: ServerCommandOptions): Promise<number> {
  const server = await startThingsboardStandIn({
    port: options.port,
    mqttPort: options.mqttPort,
    mqttsPort: options.mqttsPort,
    ...(options.accessTokenTtl === undefined ? {} : { accessTokenTtlSeconds: options.accessTokenTtl }),
  });
  console.log(`ThingsBoard stand-in listening on ${server.url} (tenant@thingsboard.org / tenant)`);
  console.log(`MQTT on port ${server.mqttPort}, MQTT over TLS on port ${server.mqttsPort} (a throwaway certificate for 127.0.0.1 and localhost)`);
  if (options.mqttCaFile !== undefined) {
    writeFileSync(options.mqttCaFile, server.mqttTlsCaPem);
    console.log(`The CA certificate of the MQTT over TLS listener is in ${options.mqttCaFile} (for devkit device --server-ca)`);
  }
  await untilInterrupted();
  await server.close();
  console.log('ThingsBoard stand-in stopped; its data, kept in memory only, is gone.');
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
  /** PEM file of the CA that CONNECT trusts for the server's TLS certificate. */
  serverCa?: string;
  insecureTls?: boolean;
}

export async function deviceCommand(options: DeviceCommandOptions): Promise<number> {
  const simulator = await startSimulatorOnSerial(options.serial, simulatorOptions(options)).catch((error: unknown) => {
    if (isStationError(error)) {
      throw error;
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new StationError('port-open-failed', `${options.serial} (${message}); check --serial, e.g. the far end of a socat pty pair`, { cause: error });
  });
  console.log(`Simulated device serving ${options.serial} (state in ${options.state})`);
  await untilInterrupted();
  await simulator.close();
  console.log('Simulated device stopped; its flash is kept in the state file.');
  return EXIT.ok;
}

function simulatorOptions(options: DeviceCommandOptions): SimulatorOptions {
  return {
    stateFile: options.state,
    baudRate: options.baud,
    ...(options.hardwareId === undefined ? {} : { hardwareId: options.hardwareId }),
    ...(options.model === undefined ? {} : { model: options.model }),
    ...(options.firmware === undefined ? {} : { firmwareVersion: options.firmware }),
    ...(options.maxFrameSize === undefined ? {} : { maxFrameSize: options.maxFrameSize }),
    ...(options.fault === undefined ? {} : { faults: parseFaultFlags(options.fault) }),
    ...(options.serverCa === undefined ? {} : { serverCaPem: readServerCa(options.serverCa) }),
    ...(options.insecureTls === true ? { insecureTls: true } : {}),
  };
}

function readServerCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new StationError('invalid-argument', `--server-ca ${file} cannot be read (${message}); give a PEM file, e.g. from devkit server --mqtt-ca-file`, { cause: error });
  }
}
