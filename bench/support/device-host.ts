// Child process of `npm run bench:ports` (forked by device-host-client.ts): serves the paced
// simulated devices on the device ends of the pty pairs, so their CPU time is spent outside the
// station's process and event loop. It counts the bytes of every exchange on each line, so the
// bench can work out the wire time of each job. It exits when the bench disconnects.
import { SerialPort } from 'serialport';
import { SimulatedDevice } from '../../src/devkit/simulator';
import type { FinishUnitRequest, HostReply, HostRequest, StartDeviceRequest, UnitTraffic } from './device-host-client';

/** One request from the station and the reply bytes that followed it. */
interface Exchange {
  /** Date.now() time the request's bytes reached this process. */
  at: number;
  toDevice: number;
  fromDevice: number;
  /** The device's transmitLateMs when the request came in. */
  lateMsBefore: number;
}

interface HostedDevice {
  device: SimulatedDevice;
  exchanges: Exchange[];
  close(): Promise<void>;
}

const devices = new Map<number, HostedDevice>();

async function startDevice(request: StartDeviceRequest): Promise<void> {
  if (devices.has(request.slot)) {
    throw new Error(`slot ${request.slot} already has a device; finish its unit first`);
  }
  const port = new SerialPort({ path: request.devicePath, baudRate: request.baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  const closePort = (): Promise<void> => new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
  const exchanges: Exchange[] = [];

  const device = await SimulatedDevice.create(
    { stateFile: request.stateFile, hardwareId: request.hardwareId, baudRate: request.baudRate },
    {
      write: (chunk) => {
        const exchange = exchanges.at(-1);
        if (exchange !== undefined) {
          exchange.fromDevice += chunk.length;
        }
        return new Promise((resolve, reject) => port.write(chunk, (error) => (error ? reject(error) : resolve())));
      },
      hangUp: closePort,
    },
  );
  port.on('data', (chunk: Buffer) => {
    // The station sends one request and waits for its reply, so each chunk starts an exchange.
    exchanges.push({ at: Date.now(), toDevice: chunk.length, fromDevice: 0, lateMsBefore: device.transmitLateMs });
    device.receive(chunk);
  });

  devices.set(request.slot, {
    device,
    exchanges,
    close: async () => {
      device.stop();
      await closePort();
    },
  });
}

async function finishUnit(request: FinishUnitRequest): Promise<UnitTraffic> {
  const hosted = devices.get(request.slot);
  if (hosted === undefined) {
    throw new Error(`slot ${request.slot} has no device`);
  }
  devices.delete(request.slot);
  await hosted.close();

  const job = hosted.exchanges.filter((exchange) => exchange.at >= request.jobStartedAt);
  const lateMsAtStart = job[0]?.lateMsBefore ?? hosted.device.transmitLateMs;
  return {
    toDevice: job.reduce((sum, exchange) => sum + exchange.toDevice, 0),
    fromDevice: job.reduce((sum, exchange) => sum + exchange.fromDevice, 0),
    exchanges: job.length,
    exchangesBeforeJob: hosted.exchanges.length - job.length,
    transmitLateMs: hosted.device.transmitLateMs - lateMsAtStart,
  };
}

async function handle(request: HostRequest): Promise<HostReply> {
  try {
    switch (request.kind) {
      case 'start-device':
        await startDevice(request);
        return { id: request.id, kind: 'started' };
      case 'finish-unit':
        return { id: request.id, kind: 'finished', ...(await finishUnit(request)) };
      case 'cpu-usage': {
        const usage = process.cpuUsage();
        return { id: request.id, kind: 'cpu-usage', cpuMs: (usage.user + usage.system) / 1000 };
      }
    }
  } catch (error) {
    return { id: request.id, kind: 'error', message: error instanceof Error ? error.message : String(error) };
  }
}

process.on('message', (request: HostRequest) => {
  void handle(request).then((reply) => process.send?.(reply));
});

process.on('disconnect', () => {
  void Promise.all([...devices.values()].map((hosted) => hosted.close())).then(() => process.exit(0));
});
