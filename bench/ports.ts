// Multi-port benchmark: units per hour of the station runner with 1, 2, 4 and 8 simulated
// devices at once, each on its own socat pty pair and paced at 115200 baud in both directions.
// The simulators run in one child process (support/device-host.ts), so their CPU time is not
// spent in the station's process. Every port takes a fixed number of units in a row: after each
// job the bench restarts that port's simulator with a new hardware id and state file, and the
// runner's HELLO probe finds the next unit. The wire time is what the job's bytes need at 115200
// baud (10 bits per byte, both directions, counted by the device host). Each port count also
// runs a bare-client round (support/bare-client.ts) before and after the station's round: the
// same exchanges made by the station's protocol client alone, which measures what the rig takes
// without the station's own work.
// Run: npm run bench:ports -- [--units-per-port N] [--probe-interval-ms MS]
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createPtyPair, isSocatAvailable, type PtyPair } from '../src/devkit/pty-pair';
import { PortWatcher } from '../src/main/device/port-watcher';
import { configureLogging } from '../src/main/log';
import { openSerialLink } from '../src/main/device/serial-link';
import { StationRunner, type UnitReport } from '../src/main/provisioning/station-runner';
import { Store } from '../src/main/store/store';
import type { DeviceLink } from '../src/main/device/link';
import { runBareRound, type BareUnit } from './support/bare-client';
import { startDeviceHost, type DeviceHost, type UnitTraffic } from './support/device-host-client';
import { parseIntegerOptions } from './support/options';

const BAUD_RATE = 115_200;
const BITS_PER_BYTE = 10;
const PORT_COUNTS = [1, 2, 4, 8];
/** HELLO deadline of a probe, as `station run` sets it. */
const PROBE_TIMEOUT_MS = 300;
/**
 * Slack when the bench works out when a job started from its end and durationMs, both whole
 * milliseconds. The probe's HELLO that found the unit reached the device at least the wire time
 * of its request and reply (more than 10 ms) before the job started, so it stays outside.
 */
const JOB_START_SLACK_MS = 3;

const options = parseIntegerOptions('Usage: npm run bench:ports -- [options]', [
  { name: 'units-per-port', default: 20, minimum: 1, help: 'units each port provisions in a row' },
  { name: 'probe-interval-ms', default: 100, minimum: 10, help: 'time between HELLO probes of a port whose unit is done' },
]);

interface PortSlot {
  pair: PtyPair;
  index: number;
  unitsDone: number;
}

/** Opens a port as the bench's station does: a probe gets the short deadline and no retries of `station run`. */
function openLink(path: string, probe: boolean): Promise<DeviceLink> {
  return openSerialLink(path, { baudRate: BAUD_RATE, ...(probe ? { requestTimeoutMs: PROBE_TIMEOUT_MS, retries: 0 } : {}) });
}

interface RoundResult {
  ports: number;
  units: number;
  failed: number;
  wallMs: number;
  jobMs: number;
  wireMs: number;
  transmitLateMs: number;
  /** Time the station process's event loop was busy, including the waits for fsync and the bench's own bookkeeping. */
  loopBusyMs: number;
  /** CPU time of the station process, its libuv threads and the bench's bookkeeping included. */
  stationCpuMs: number;
  /** CPU time of the device host process. */
  hostCpuMs: number;
  /** Units whose count of exchanges before the job was not the expected 0 (first unit) or 1 (the probe's HELLO). */
  misattributed: number;
  /** Requests the devices received during the jobs. */
  exchanges: number;
}

/** Per-unit means over bare-client rounds. */
interface BareResult {
  jobMs: number;
  wireMs: number;
  exchanges: number;
  failed: number;
  misattributed: number;
}

async function runRound(host: DeviceHost, portCount: number, unitsPerPort: number): Promise<RoundResult> {
  const dir = await mkdtemp(join(tmpdir(), 'station-bench-ports-'));
  const store = new Store(join(dir, 'station.db'));
  const pairs = await Promise.all(Array.from({ length: portCount }, () => createPtyPair()));
  const slots = new Map<string, PortSlot>();
  const result: RoundResult = { ports: portCount, units: 0, failed: 0, wallMs: 0, jobMs: 0, wireMs: 0, transmitLateMs: 0, loopBusyMs: 0, stationCpuMs: 0, hostCpuMs: 0, misattributed: 0, exchanges: 0 };

  for (const [index, pair] of pairs.entries()) {
    const slot: PortSlot = { pair, index, unitsDone: 0 };
    await startUnit(host, index, 0, pair, dir);
    slots.set(pair.stationPath, slot);
  }

  let finish: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => (finish = resolve));
  const swaps: Array<Promise<void>> = [];

  const countTraffic = (traffic: UnitTraffic, firstOnPort: boolean): void => {
    result.wireMs += wireMs(traffic);
    result.transmitLateMs += traffic.transmitLateMs;
    result.exchanges += traffic.exchanges;
    result.misattributed += isMisattributed(traffic, firstOnPort) ? 1 : 0;
  };

  const onUnit = (report: UnitReport): void => {
    const slot = slots.get(report.port);
    if (slot === undefined) {
      return;
    }
    const jobStartedAt = Date.now() - report.durationMs - JOB_START_SLACK_MS;
    const firstOnPort = slot.unitsDone === 0;
    result.units += 1;
    result.failed += report.result === 'failed' ? 1 : 0;
    result.jobMs += report.durationMs;
    slot.unitsDone += 1;

    const more = slot.unitsDone < unitsPerPort;
    swaps.push(
      host.finishUnit(slot.index, jobStartedAt).then(async (traffic) => {
        countTraffic(traffic, firstOnPort);
        if (more) {
          await startUnit(host, slot.index, slot.unitsDone, slot.pair, dir);
        }
      }),
    );
    if (result.units === portCount * unitsPerPort) {
      finish();
    }
  };

  const runner = new StationRunner({
    store,
    watcher: new PortWatcher({ selection: { paths: pairs.map((pair) => pair.stationPath), matches: [], pathPatterns: [] } }),
    openLink,
    credentialType: 'token',
    probeIntervalMs: options['probe-interval-ms'],
    onUnit,
  });

  const hostCpuBefore = await host.cpuMs();
  const loopBefore = performance.eventLoopUtilization();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  runner.start();
  await allDone;
  result.wallMs = performance.now() - started;
  result.loopBusyMs = performance.eventLoopUtilization(loopBefore).active;
  const cpu = process.cpuUsage(cpuBefore);
  result.stationCpuMs = (cpu.user + cpu.system) / 1000;
  result.hostCpuMs = (await host.cpuMs()) - hostCpuBefore;

  await runner.stop();
  await Promise.all(swaps);
  for (const pair of pairs) {
    await pair.close();
  }
  store.close();
  await rm(dir, { recursive: true, force: true });
  return result;
}

/** Starts the next unit on a port, as an operator swapping the device behind a fixed cable would. */
function startUnit(host: DeviceHost, port: number, unit: number, pair: PtyPair, dir: string): Promise<void> {
  return host.startDevice({
    slot: port,
    devicePath: pair.devicePath,
    stateFile: join(dir, `p${port}-u${unit}.json`),
    hardwareId: `BENCH-P${port}-U${unit}`,
    baudRate: BAUD_RATE,
  });
}

/** Runs one bare-client round with the same port count, units and probe interval as a station round. */
async function runBareBaseline(host: DeviceHost, portCount: number, unitsPerPort: number): Promise<BareUnit[]> {
  const dir = await mkdtemp(join(tmpdir(), 'station-bench-bare-'));
  let units: BareUnit[];
  try {
    units = await runBareRound({
      host,
      portCount,
      unitsPerPort,
      probeIntervalMs: options['probe-interval-ms'] ?? 100,
      openLink,
      startUnit: (port, unit, pair) => startUnit(host, port, unit, pair, dir),
      jobStartSlackMs: JOB_START_SLACK_MS,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return units;
}

/** Returns the per-unit means over the units of bare-client rounds. */
function summarizeBare(units: BareUnit[]): BareResult {
  const mean = (value: (unit: BareUnit) => number): number => units.reduce((sum, unit) => sum + value(unit), 0) / units.length;
  return {
    jobMs: mean((unit) => unit.jobMs),
    wireMs: mean((unit) => wireMs(unit.traffic)),
    exchanges: mean((unit) => unit.traffic.exchanges),
    failed: units.filter((unit) => !unit.verified).length,
    misattributed: units.filter((unit) => isMisattributed(unit.traffic, unit.firstOnPort)).length,
  };
}

/** Milliseconds the bytes of a job need on the wire, both directions. */
function wireMs(traffic: UnitTraffic): number {
  return ((traffic.toDevice + traffic.fromDevice) * BITS_PER_BYTE * 1000) / BAUD_RATE;
}

/** True when a job saw other exchanges before it than 0 (the port's first unit) or 1 (the probe's HELLO). */
function isMisattributed(traffic: UnitTraffic, firstOnPort: boolean): boolean {
  return traffic.exchangesBeforeJob !== (firstOnPort ? 0 : 1);
}

const COLUMNS = [
  'ports', 'units', 'failed', 'units/hour', 'vs 1 port', 'job ms', 'wire ms', 'bare ms', 'station overhead',
  'overhead vs wire', 'sim late ms', 'w/o sim late', 'loop ms', 'cpu ms', 'sim cpu ms',
];

const COLUMN_NOTES = [
  "job ms: mean time per unit from the job's start (opening the port, or right after the probe's HELLO that found the unit) to its end, without sync",
  `wire ms: the job's bytes to and from the device x ${BITS_PER_BYTE} bits / ${BAUD_RATE} baud, which the simulator paces in both directions`,
  "bare ms: the same per unit for the bare client, which makes the job's exchanges with the station's protocol client on the same kind of pty pair and simulator, without the runner, the journal or the database; the mean of a bare round right before and one right after the station's round",
  "station overhead: (job ms - bare ms) / wire ms, the time the station's own work adds per unit",
  'overhead vs wire: (job ms - wire ms) / wire ms, which also counts what the simulator, socat and the protocol client add',
  'sim late ms: part of job ms where the simulator sent replies later than the baud rate allows, because its timers fired late or its process waited for CPU',
  'w/o sim late: (job ms - wire ms - sim late ms) / wire ms',
  "loop ms, cpu ms: per unit, the time the station process's event loop was busy (fsync waits included) and the station process's CPU time, the bench's bookkeeping included",
  "sim cpu ms: per unit, the CPU time of the simulators' process",
];

/** Right-aligns each cell under its column's header. */
function formatRow(cells: Array<string | number>): string {
  return cells.map((cell, column) => String(cell).padStart(Math.max(COLUMNS[column]?.length ?? 0, 7))).join('  ');
}

function percent(part: number, whole: number): string {
  return `${((part / whole) * 100).toFixed(1)}%`;
}

if (!(await isSocatAvailable())) {
  console.error('socat is missing; install it (apt-get install socat) to run this benchmark');
  process.exit(1);
}

const unitsPerPort = options['units-per-port'] ?? 20;
// The station logs at info level to a file, as `station run` does by default.
const logDir = await mkdtemp(join(tmpdir(), 'station-bench-log-'));
configureLogging({ level: 'info', destination: join(logDir, 'station.log') });
const host = await startDeviceHost();
console.log(
  `station runner, token credential, ${unitsPerPort} units per port, pty pairs paced at ${BAUD_RATE} baud both ways, simulators in one child process, probe every ${options['probe-interval-ms']} ms, ${availableParallelism()} CPUs, load average ${loadavg()[0]?.toFixed(2)} at start`,
);
for (const note of COLUMN_NOTES) {
  console.log(note);
}
console.log(formatRow(COLUMNS));

// Unreported rounds first, so module loading and JIT warm-up do not slow the one-port rounds.
await runRound(host, 1, 2);
await runBareBaseline(host, 1, 2);

let baseline: number | undefined;
const warnings: string[] = [];
for (const portCount of PORT_COUNTS) {
  // A bare-client round right before the station's round and one right after it, because in
  // trial runs whichever of the two kinds ran second came out faster. Their mean offsets that.
  const bareBefore = await runBareBaseline(host, portCount, unitsPerPort);
  const round = await runRound(host, portCount, unitsPerPort);
  const bareAfter = await runBareBaseline(host, portCount, unitsPerPort);
  const bare = summarizeBare([...bareBefore, ...bareAfter]);
  const unitsPerHour = (round.units / round.wallMs) * 3_600_000;
  baseline ??= unitsPerHour;
  const jobMs = round.jobMs / round.units;
  const wireMs = round.wireMs / round.units;
  const lateMs = round.transmitLateMs / round.units;
  console.log(
    formatRow([
      portCount,
      round.units,
      round.failed,
      Math.round(unitsPerHour),
      `${(unitsPerHour / baseline).toFixed(2)}x`,
      jobMs.toFixed(1),
      wireMs.toFixed(1),
      bare.jobMs.toFixed(1),
      percent(jobMs - bare.jobMs, wireMs),
      percent(jobMs - wireMs, wireMs),
      lateMs.toFixed(1),
      percent(jobMs - wireMs - lateMs, wireMs),
      (round.loopBusyMs / round.units).toFixed(1),
      (round.stationCpuMs / round.units).toFixed(1),
      (round.hostCpuMs / round.units).toFixed(1),
    ]),
  );
  warnings.push(...roundWarnings(portCount, round, bare));
}
await host.close();
await rm(logDir, { recursive: true, force: true });

for (const warning of warnings) {
  console.log(`warning: ${warning}`);
}

/**
 * Lists what makes a round's figures doubtful: units whose exchanges before the job were not the
 * probe's HELLO, a bare client that failed, or one whose exchanges or bytes differ from the jobs'.
 */
function roundWarnings(portCount: number, round: RoundResult, bare: BareResult): string[] {
  const warnings: string[] = [];
  const prefix = `${portCount} port(s):`;
  if (round.misattributed + bare.misattributed > 0) {
    warnings.push(`${prefix} ${round.misattributed} station and ${bare.misattributed} bare-client units had other exchanges before their job than the probe's HELLO; their wire ms may be off`);
  }
  if (bare.failed > 0) {
    warnings.push(`${prefix} ${bare.failed} bare-client units read back other digests than were written`);
  }
  const stationExchanges = round.exchanges / round.units;
  const stationWireMs = round.wireMs / round.units;
  if (Math.abs(stationExchanges - bare.exchanges) > 0.05 || Math.abs(stationWireMs - bare.wireMs) > 0.01 * stationWireMs) {
    warnings.push(
      `${prefix} the bare client made ${bare.exchanges.toFixed(2)} exchanges and ${bare.wireMs.toFixed(1)} ms of wire time per unit, the station ${stationExchanges.toFixed(2)} and ${stationWireMs.toFixed(1)} ms, so bare ms is not the same work`,
    );
  }
  return warnings;
}
