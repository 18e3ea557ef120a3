// The bench's side of device-host.ts: forks that script through tsx and sends it requests. The
// host sends one reply per request, with the request's id.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HOST_SCRIPT = fileURLToPath(new URL('./device-host.ts', import.meta.url));

export interface StartDeviceRequest {
  kind: 'start-device';
  /** Index of the pty pair the device serves. A slot has one device at a time. */
  slot: number;
  devicePath: string;
  stateFile: string;
  hardwareId: string;
  baudRate: number;
}

export interface FinishUnitRequest {
  kind: 'finish-unit';
  slot: number;
  /** Date.now() time from which the unit's job ran. Exchanges before it, such as the probe's HELLO, are left out. */
  jobStartedAt: number;
}

/** Asks for the CPU time the host process has used so far. */
export interface CpuUsageRequest {
  kind: 'cpu-usage';
}

export type HostRequest = (StartDeviceRequest | FinishUnitRequest | CpuUsageRequest) & { id: number };

/** Bytes and timing of one unit's job, counted by the device host on its end of the line. */
export interface UnitTraffic {
  /** Bytes the device received during the job. */
  toDevice: number;
  /** Bytes the device sent during the job. */
  fromDevice: number;
  /** Requests the device received during the job. */
  exchanges: number;
  /** Exchanges before the job started, such as the probe's HELLO that found the unit. */
  exchangesBeforeJob: number;
  /** How much later than the baud rate allows the device's replies left it, summed over the job (UartLine.transmitLateMs). */
  transmitLateMs: number;
}

export type HostReply = { id: number } & (
  | { kind: 'started' }
  | ({ kind: 'finished' } & UnitTraffic)
  | { kind: 'cpu-usage'; cpuMs: number }
  | { kind: 'error'; message: string }
);

export interface DeviceHost {
  startDevice(request: Omit<StartDeviceRequest, 'kind'>): Promise<void>;
  /** Stops the slot's device and returns the traffic of its job. */
  finishUnit(slot: number, jobStartedAt: number): Promise<UnitTraffic>;
  /** Returns the user and system CPU time of the host process so far, in milliseconds. */
  cpuMs(): Promise<number>;
  close(): Promise<void>;
}

/** Forks the device host and waits until it takes requests. */
export async function startDeviceHost(): Promise<DeviceHost> {
  const child = fork(HOST_SCRIPT, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (reply: HostReply) => void; reject: (error: Error) => void }>();
  let nextId = 1;

  child.on('message', (reply: HostReply) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.kind === 'error') {
      waiter?.reject(new Error(`device host: ${reply.message}`));
    } else {
      waiter?.resolve(reply);
    }
  });
  child.on('exit', (code, signal) => {
    for (const waiter of pending.values()) {
      waiter.reject(new Error(`the device host exited (code ${code ?? 'none'}, signal ${signal ?? 'none'}) before it replied`));
    }
    pending.clear();
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });

  const call = (request: StartDeviceRequest | FinishUnitRequest | CpuUsageRequest): Promise<HostReply> => {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      child.send({ ...request, id } satisfies HostRequest);
    });
  };

  return {
    startDevice: async (request) => {
      await call({ kind: 'start-device', ...request });
    },
    finishUnit: async (slot, jobStartedAt) => {
      const reply = await call({ kind: 'finish-unit', slot, jobStartedAt });
      if (reply.kind !== 'finished') {
        throw new Error(`device host replied ${reply.kind} to finish-unit`);
      }
      const { toDevice, fromDevice, exchanges, exchangesBeforeJob, transmitLateMs } = reply;
      return { toDevice, fromDevice, exchanges, exchangesBeforeJob, transmitLateMs };
    },
    cpuMs: async () => {
      const reply = await call({ kind: 'cpu-usage' });
      if (reply.kind !== 'cpu-usage') {
        throw new Error(`device host replied ${reply.kind} to cpu-usage`);
      }
      return reply.cpuMs;
    },
    close: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.disconnect();
  });
}
