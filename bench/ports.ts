// Multi-port benchmark: units per hour of the station runner with 1, 2, 4 and 8 simulated
// devices at once, each on its own socat pty pair and paced at 115200 baud. Every port takes
// a fixed number of units in a row: after each job the bench restarts that port's simulator
// with a new hardware id and state file, and the runner's HELLO probe finds the next unit.
// The station's overhead is the job time beyond the wire time that the bytes of the job need
// at 115200 baud (10 bits per byte, both directions counted at the simulator).
// Run: npm run bench:ports -- [--units-per-port N] [--probe-interval-ms MS]
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SerialPort } from 'serialport';
import { createPtyPair, isSocatAvailable, type PtyPair } from '../src/devkit/pty-pair';
import { SimulatedDevice } from '../src/devkit/simulator';
import { PortWatcher } from '../src/main/device/port-watcher';
import { openSerialLink } from '../src/main/device/serial-link';
import { StationRunner, type UnitReport } from '../src/main/provisioning/station-runner';
import { Store } from '../src/main/store/store';
import { parseIntegerOptions } from './support/options';

const BAUD_RATE = 115_200;
const PORT_COUNTS = [1, 2, 4, 8];
/** HELLO deadline of a probe, as `station run` sets it. */
const PROBE_TIMEOUT_MS = 300;

const options = parseIntegerOptions('Usage: npm run bench:ports -- [options]', [
  { name: 'units-per-port', default: 10, minimum: 1, help: 'units each port provisions in a row' },
  { name: 'probe-interval-ms', default: 100, minimum: 10, help: 'time between HELLO probes of a port whose unit is done' },
]);

/** Bytes one simulated unit received and sent. */
interface ByteCount {
  toDevice: number;
  fromDevice: number;
}

interface CountedDevice {
  bytes: ByteCount;
  close(): Promise<void>;
}

/** Serves a paced simulator on the device end of a pty pair and counts the bytes on its line. */
async function startCountedDevice(pair: PtyPair, stateFile: string, hardwareId: string): Promise<CountedDevice> {
  const port = new SerialPort({ path: pair.devicePath, baudRate: BAUD_RATE, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  const closePort = (): Promise<void> => new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
  const bytes: ByteCount = { toDevice: 0, fromDevice: 0 };

  const device = await SimulatedDevice.create(
    { stateFile, hardwareId, baudRate: BAUD_RATE },
    {
      write: (chunk) => {
        bytes.fromDevice += chunk.length;
        return new Promise((resolve, reject) => port.write(chunk, (error) => (error ? reject(error) : resolve())));
      },
      hangUp: closePort,
    },
  );
  port.on('data', (chunk: Buffer) => {
    bytes.toDevice += chunk.length;
    device.receive(chunk);
  });

  return {
    bytes,
    close: async () => {
      device.stop();
      await closePort();
    },
  };
}

interface RoundResult {
  ports: number;
  units: number;
  failed: number;
  wallMs: number;
  jobMs: number;
  wireMs: number;
  /** Wire time of the device's replies alone, the only direction the simulator paces. */
  pacedMs: number;
}

async function runRound(portCount: number, unitsPerPort: number): Promise<RoundResult> {
  const dir = await mkdtemp(join(tmpdir(), 'station-bench-ports-'));
  const store = new Store(join(dir, 'station.db'));
  const pairs = await Promise.all(Array.from({ length: portCount }, () => createPtyPair()));
  const devices = new Map<string, { pair: PtyPair; index: number; unitsDone: number; current: CountedDevice }>();
  const result: RoundResult = { ports: portCount, units: 0, failed: 0, wallMs: 0, jobMs: 0, wireMs: 0, pacedMs: 0 };

  for (const [index, pair] of pairs.entries()) {
    const current = await startCountedDevice(pair, join(dir, `p${index}-u0.json`), `BENCH-P${index}-U0`);
    devices.set(pair.stationPath, { pair, index, unitsDone: 0, current });
  }

  let finish: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => (finish = resolve));
  const swaps: Array<Promise<void>> = [];

  const onUnit = (report: UnitReport): void => {
    const slot = devices.get(report.port);
    if (slot === undefined) {
      return;
    }
    const bytes = slot.current.bytes;
    result.units += 1;
    result.failed += report.result === 'failed' ? 1 : 0;
    result.jobMs += report.durationMs;
    result.wireMs += ((bytes.toDevice + bytes.fromDevice) * 10 * 1000) / BAUD_RATE;
    result.pacedMs += (bytes.fromDevice * 10 * 1000) / BAUD_RATE;
    slot.unitsDone += 1;

    if (result.units === portCount * unitsPerPort) {
      finish();
    } else if (slot.unitsDone < unitsPerPort) {
      swaps.push(swapUnit(slot, dir));
    }
  };

  const runner = new StationRunner({
    store,
    watcher: new PortWatcher({ selection: { paths: pairs.map((pair) => pair.stationPath), matches: [], pathPatterns: [] } }),
    openLink: (path, probe) => openSerialLink(path, { baudRate: BAUD_RATE, ...(probe ? { requestTimeoutMs: PROBE_TIMEOUT_MS, retries: 0 } : {}) }),
    credentialType: 'token',
    probeIntervalMs: options['probe-interval-ms'],
    onUnit,
  });

  const started = performance.now();
  runner.start();
  await allDone;
  result.wallMs = performance.now() - started;

  await runner.stop();
  await Promise.all(swaps);
  for (const slot of devices.values()) {
    await slot.current.close();
    await slot.pair.close();
  }
  store.close();
  await rm(dir, { recursive: true, force: true });
  return result;
}

/** Replaces the unit on a port, as an operator swapping the device behind a fixed cable would. */
async function swapUnit(slot: { pair: PtyPair; index: number; unitsDone: number; current: CountedDevice }, dir: string): Promise<void> {
  await slot.current.close();
  const unit = slot.unitsDone;
  slot.current = await startCountedDevice(slot.pair, join(dir, `p${slot.index}-u${unit}.json`), `BENCH-P${slot.index}-U${unit}`);
}

function formatRow(cells: Array<string | number>): string {
  return cells.map((cell, column) => String(cell).padStart(column === 0 ? 5 : 12)).join(' ');
}

if (!(await isSocatAvailable())) {
  console.error('socat is missing; install it (apt-get install socat) to run this benchmark');
  process.exit(1);
}

const unitsPerPort = options['units-per-port'] ?? 10;
console.log(
  `station runner, token credential, ${unitsPerPort} units per port, pty pairs paced at ${BAUD_RATE} baud, probe every ${options['probe-interval-ms']} ms, ${availableParallelism()} CPUs`,
);
console.log(formatRow(['ports', 'units', 'failed', 'units/hour', 'vs 1 port', 'job ms', 'wire ms', 'overhead', 'paced ms', 'vs paced']));

// An unreported round first, so module loading and JIT warm-up do not slow the one-port baseline.
await runRound(1, 2);

let baseline: number | undefined;
for (const portCount of PORT_COUNTS) {
  const round = await runRound(portCount, unitsPerPort);
  const unitsPerHour = (round.units / round.wallMs) * 3_600_000;
  baseline ??= unitsPerHour;
  const jobMs = round.jobMs / round.units;
  const wireMs = round.wireMs / round.units;
  const pacedMs = round.pacedMs / round.units;
  console.log(
    formatRow([
      portCount,
      round.units,
      round.failed,
      Math.round(unitsPerHour),
      `${(unitsPerHour / baseline).toFixed(2)}x`,
      jobMs.toFixed(1),
      wireMs.toFixed(1),
      `${(((jobMs - wireMs) / wireMs) * 100).toFixed(1)}%`,
      pacedMs.toFixed(1),
      `${(((jobMs - pacedMs) / pacedMs) * 100).toFixed(1)}%`,
    ]),
  );
}
console.log('job ms: mean time per unit from opening the port (or the probe that found the unit) to the end of the job, without sync');
console.log('wire ms: bytes to and from the device x 10 bits / 115200 baud; overhead: (job ms - wire ms) / wire ms');
console.log('paced ms: the device replies alone, because a pty delivers the station writes at once and only the simulator paces');
