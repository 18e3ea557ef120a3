// Crash harness: kills the real `station provision` and `station sync` processes with SIGKILL at
// random moments, then lets every unit finish and checks that no credential was lost and no
// unit became two server devices. Parts: the ThingsBoard stand-in on 127.0.0.1, simulated
// devices on socat pty pairs, and one station database, all in a temp folder.
// Run: npm run crash-harness -- [--kill-points K] [--units N] [--seed S]
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomInt } from 'node:crypto';
import { startCrashRig, storedToken, TENANT, type CrashRig, type RigUnit } from './support/crash-rig';
import { parseIntegerOptions } from './support/options';
import { randomIndex, seededRandom } from './support/random';
import { readServerDevices, type ServerDevice } from './support/server-inventory';
import { stopStations, runStation, type StationRun } from './support/station-process';

/** Kills are drawn uniformly from [0, KILL_WINDOW × a normal run's duration]. */
const KILL_WINDOW = 1.2;
/** The kill phase gives up after this many attempts per kill point, so it ends even when few kills land. */
const MAX_ATTEMPTS_PER_KILL_POINT = 4;
/** Any run not killed on purpose is killed after this long and reported as timed out. */
const RUN_TIME_LIMIT_MS = 60_000;
const MAX_FINAL_SYNCS = 5;

type Action = 'provision' | 'sync';

const options = parseIntegerOptions('Usage: npm run crash-harness -- [options]', [
  { name: 'kill-points', default: 200, minimum: 1, help: 'SIGKILLs that must land in a running station process' },
  { name: 'units', default: 8, minimum: 1, help: 'simulated devices' },
  { name: 'seed', default: randomInt(2 ** 31), defaultText: 'random, printed', minimum: 0, help: 'seed of the choices of unit, action and kill delay; process timing still varies' },
]);
const killPoints = options['kill-points'] ?? 200;
const unitCount = options.units ?? 8;
const seed = options.seed ?? 0;

const started = performance.now();
const rig = await startCrashRig();
let interrupted = false;
const interrupt = (): void => {
  interrupted = true;
  process.stderr.write('interrupted: stopping the station processes, simulators and stand-in\n');
  stopStations();
  void rig.close().finally(() => process.exit(130));
};
process.once('SIGINT', interrupt);
process.once('SIGTERM', interrupt);

try {
  const exitCode = await runHarness(rig);
  await rig.close();
  process.exitCode = exitCode;
} catch (error) {
  stopStations();
  await rig.close();
  if (!interrupted) {
    process.stderr.write(`crash harness failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  }
}

async function runHarness(rig: CrashRig): Promise<number> {
  const database = join(rig.folder, 'station.db');
  const units: RigUnit[] = [];
  for (let index = 0; index < unitCount; index += 1) {
    units.push(await rig.addUnit(`CRASH-${String(index).padStart(3, '0')}`));
  }
  const commands = stationCommands(rig.server.url, database);

  const normal = await measureNormalRuns(rig, join(rig.folder, 'calibration.db'));
  console.log(`Crash harness: ${unitCount} units, seed ${seed}, Node ${process.version}, ${availableParallelism()} cores`);
  console.log(`normal run (one unit, unkilled): provision ${seconds(normal.provision)}, sync ${seconds(normal.sync)}`);

  const kills = await killPhase(units, commands, normal);
  const final = await finishPhase(units, commands);
  const check = await checkServer(rig, units);

  const operator = [...final.failedUnits, ...check.withoutCredential, ...final.outboxProblems];
  console.log(`kill points                ${kills.landed} landed / ${kills.attempted} attempted (provision ${kills.byAction.provision}, sync ${kills.byAction.sync})`);
  console.log(`runs that ended before their kill: ${kills.attempted - kills.landed} (${tally(kills.unkilledOutcomes)})`);
  console.log(`units                      ${unitCount}`);
  console.log(`final provision passed     ${unitCount - final.failedUnits.length} of ${unitCount}; syncs to drain the outbox ${final.syncRuns}`);
  console.log(`credentials lost           ${check.lost.length} (goal 0)`);
  printList(check.lost);
  console.log(`server duplicates          ${check.duplicates.length} (goal 0)`);
  printList(check.duplicates);
  console.log(`units needing an operator  ${operator.length}`);
  printList(operator);
  console.log(`wall time                  ${seconds(performance.now() - started)}`);
  return check.lost.length > 0 || check.duplicates.length > 0 ? 1 : 0;
}

interface StationCommands {
  provision(unit: RigUnit): string[];
  sync(): string[];
  outbox(): string[];
}

function stationCommands(serverUrl: string, database: string): StationCommands {
  const server = ['--server', serverUrl, '--username', TENANT.username, '--password', TENANT.password];
  return {
    provision: (unit) => ['provision', '--port', unit.stationPath, '--db', database, ...server, '--json'],
    sync: () => ['sync', '--db', database, ...server, '--json'],
    outbox: () => ['outbox', '--db', database, '--json'],
  };
}

/**
 * Times one unkilled first provisioning and one unkilled sync of one queued unit, on two extra
 * units and a database of their own, so the units under test start with empty flash.
 */
async function measureNormalRuns(rig: CrashRig, database: string): Promise<Record<Action, number>> {
  const commands = stationCommands(rig.server.url, database);
  const first = await rig.addUnit('CALIBRATE-1');
  const second = await rig.addUnit('CALIBRATE-2');

  const provision = await runStation(commands.provision(first), { timeLimitMs: RUN_TIME_LIMIT_MS });
  requireSuccess('provision', provision);
  const offline = await runStation(['provision', '--port', second.stationPath, '--db', database, '--json'], { timeLimitMs: RUN_TIME_LIMIT_MS });
  requireSuccess('offline provision', offline);
  const sync = await runStation(commands.sync(), { timeLimitMs: RUN_TIME_LIMIT_MS });
  requireSuccess('sync', sync);
  return { provision: provision.durationMs, sync: sync.durationMs };
}

function requireSuccess(what: string, run: StationRun): void {
  if (run.code !== 0) {
    throw new Error(`the unkilled ${what} used to time a normal run failed with exit ${String(run.code ?? run.signal)}: ${run.stderr.trim()}`);
  }
}

interface KillPhaseResult {
  attempted: number;
  landed: number;
  byAction: Record<Action, number>;
  /** Outcome of each run that finished before its kill, e.g. "provision exit 0". */
  unkilledOutcomes: string[];
}

async function killPhase(units: RigUnit[], commands: StationCommands, normal: Record<Action, number>): Promise<KillPhaseResult> {
  const random = seededRandom(seed);
  const result: KillPhaseResult = { attempted: 0, landed: 0, byAction: { provision: 0, sync: 0 }, unkilledOutcomes: [] };

  while (result.landed < killPoints && result.attempted < killPoints * MAX_ATTEMPTS_PER_KILL_POINT && !interrupted) {
    const unit = units[randomIndex(random, units.length)] as RigUnit;
    const action: Action = random() < 0.5 ? 'provision' : 'sync';
    const killAfterMs = Math.round(random() * KILL_WINDOW * normal[action]);
    const run = await runStation(action === 'provision' ? commands.provision(unit) : commands.sync(), {
      killAfterMs,
      timeLimitMs: RUN_TIME_LIMIT_MS,
    });

    result.attempted += 1;
    if (run.killed) {
      result.landed += 1;
      result.byAction[action] += 1;
    } else {
      result.unkilledOutcomes.push(describeOutcome(action, run));
    }
  }
  return result;
}

function describeOutcome(action: Action, run: StationRun): string {
  if (run.timedOut) {
    return `${action} timed out`;
  }
  const reasonCode = run.json?.reasonCode ?? run.json?.syncReasonCode;
  return `${action} exit ${String(run.code)}${typeof reasonCode === 'string' ? ` ${reasonCode}` : ''}`;
}

interface FinishPhaseResult {
  /** "unit: reason" for each unit whose final provisioning did not pass. */
  failedUnits: string[];
  syncRuns: number;
  /** "device: state, reason" for each outbox entry still parked, held or queued. */
  outboxProblems: string[];
}

async function finishPhase(units: RigUnit[], commands: StationCommands): Promise<FinishPhaseResult> {
  const failedUnits: string[] = [];
  for (const unit of units) {
    const run = await runStation(commands.provision(unit), { timeLimitMs: RUN_TIME_LIMIT_MS });
    if (run.json?.result !== 'passed') {
      const reason = typeof run.json?.reason === 'string' ? run.json.reason : run.timedOut ? 'timed out' : run.stderr.trim();
      failedUnits.push(`${unit.name}: final provisioning did not pass: ${reason}`);
    }
  }

  let syncRuns = 0;
  for (; syncRuns < MAX_FINAL_SYNCS; ) {
    const run = await runStation(commands.sync(), { timeLimitMs: RUN_TIME_LIMIT_MS });
    syncRuns += 1;
    if (run.json?.queued === 0) {
      break;
    }
  }

  const outbox = await runStation(commands.outbox(), { timeLimitMs: RUN_TIME_LIMIT_MS });
  const entries = (outbox.json?.entries ?? []) as Array<{ device: string; state: string; lastError: string }>;
  const outboxProblems = entries
    .filter((entry) => entry.state === 'parked' || entry.state === 'held' || entry.state === 'queued')
    .map((entry) => `${entry.device}: outbox entry ${entry.state}${entry.lastError === '' ? '' : `: ${entry.lastError}`}`);
  return { failedUnits, syncRuns, outboxProblems };
}

interface ServerCheck {
  lost: string[];
  duplicates: string[];
  withoutCredential: string[];
}

/** Compares each device's flash with the server, and looks for units registered more than once. */
async function checkServer(rig: CrashRig, units: RigUnit[]): Promise<ServerCheck> {
  const devices = await readServerDevices(rig.server.url, { ...TENANT, readHardwareIds: true });
  const check: ServerCheck = { lost: [], duplicates: [], withoutCredential: [] };

  const byName = groupBy(devices, (device) => device.name);
  const byHardwareId = groupBy(devices, (device) => device.hardwareId ?? `(none) ${device.name}`);
  for (const [name, group] of byName) {
    if (group.length > 1) check.duplicates.push(`name ${name}: ${group.length} server devices`);
  }
  for (const [hardwareId, group] of byHardwareId) {
    if (group.length > 1) check.duplicates.push(`hardware id ${hardwareId}: ${group.length} server devices (${group.map((device) => device.name).join(', ')})`);
  }

  for (const unit of units) {
    const token = await storedToken(unit);
    const server = byName.get(unit.name) ?? [];
    if (token === undefined) {
      check.withoutCredential.push(`${unit.name}: the device holds no token`);
    } else if (!server.some((device) => device.credentialsType === 'ACCESS_TOKEN' && device.credentialsId === token)) {
      const held = server.length === 0 ? 'no server device has that name' : `the server device holds ${server.map((device) => device.credentialsType ?? 'no credentials').join(', ')} credentials that differ`;
      check.lost.push(`${unit.name}: the device holds a token the server does not have for it; ${held}`);
    }
  }
  return check;
}

function groupBy(devices: ServerDevice[], key: (device: ServerDevice) => string): Map<string, ServerDevice[]> {
  const groups = new Map<string, ServerDevice[]>();
  for (const device of devices) {
    groups.set(key(device), [...(groups.get(key(device)) ?? []), device]);
  }
  return groups;
}

function tally(values: string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].map(([value, count]) => `${value} ×${count}`).join(', ') || 'none';
}

function printList(lines: string[]): void {
  for (const line of lines) console.log(`  - ${line}`);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
