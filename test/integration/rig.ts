// A test rig of real parts: socat pty pairs with simulated devices on the far ends, the
// ThingsBoard stand-in on loopback, and a temp folder for the station database.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { createPtyPair } from '../../src/devkit/pty-pair';
import { startSimulatorOnSerial, type SimulatorOptions } from '../../src/devkit/simulator';
import { startThingsboardStandIn, type StandIn } from '../../src/devkit/thingsboard';

export const TENANT = { username: 'tenant@thingsboard.org', password: 'tenant' };

export interface RigDevice {
  stationPath: string;
  stateFile: string;
  /** Stops the simulator but keeps the pty pair, so it can be started again on the same port. */
  restart(options?: Partial<SimulatorOptions>): Promise<void>;
  /** Empties the stored fields while the simulator is stopped, as a firmware reflash would. */
  wipe(): Promise<void>;
  /** The device's flash as the simulator keeps it. */
  state(): { hardwareId: string; stored: Record<string, string> };
}

export function useRig() {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup();
    }
  });

  return {
    async server(options: Parameters<typeof startThingsboardStandIn>[0] = {}): Promise<StandIn> {
      const server = await startThingsboardStandIn({ host: '127.0.0.1', port: 0, ...options });
      cleanups.push(() => server.close());
      return server;
    },

    async device(dir: string, name: string, options: Partial<SimulatorOptions> = {}): Promise<RigDevice> {
      const pair = await createPtyPair();
      const stateFile = join(dir, `${name}.json`);
      let simulator = await startSimulatorOnSerial(pair.devicePath, { stateFile, baudRate: 0, ...options });
      cleanups.push(async () => {
        await simulator.close();
        await pair.close();
      });
      return {
        stationPath: pair.stationPath,
        stateFile,
        async restart(next = {}) {
          await simulator.close();
          simulator = await startSimulatorOnSerial(pair.devicePath, { stateFile, baudRate: 0, ...options, ...next });
        },
        async wipe() {
          await simulator.close();
          const state = JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, unknown>;
          writeFileSync(stateFile, JSON.stringify({ ...state, stored: {} }));
          simulator = await startSimulatorOnSerial(pair.devicePath, { stateFile, baudRate: 0, ...options });
        },
        state() {
          return JSON.parse(readFileSync(stateFile, 'utf8')) as { hardwareId: string; stored: Record<string, string> };
        },
      };
    },
  };
}

/** Signs in to the stand-in over plain HTTP, as any REST client would. */
async function signIn(server: StandIn): Promise<string> {
  const response = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(TENANT),
  });
  return ((await response.json()) as { token: string }).token;
}

async function getJson(server: StandIn, token: string, path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(server.url + path, { headers: { 'X-Authorization': `Bearer ${token}` } });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** Reads the server's devices and their credentials through the stand-in's REST API. */
export async function serverDevices(server: StandIn): Promise<Array<{ name: string; id: string; credentialsType: string; credentialsId: string }>> {
  const token = await signIn(server);
  const page = await getJson(server, token, '/api/tenant/devices?pageSize=1000&page=0');
  const devices = (page.body as { data: Array<{ name: string; id: { id: string } }> }).data;
  const result = [];
  for (const device of devices) {
    const credentials = await getJson(server, token, `/api/device/${device.id.id}/credentials`);
    const body = credentials.body as { credentialsType: string; credentialsId: string };
    result.push({ name: device.name, id: device.id.id, credentialsType: body.credentialsType, credentialsId: body.credentialsId });
  }
  return result;
}

export function serverArgs(server: StandIn): string[] {
  return ['--server', server.url, '--username', TENANT.username, '--password', TENANT.password];
}
