// Drain benchmark: the rate at which the sync engine empties an outbox of queued access-token
// units into the ThingsBoard stand-in when every authenticated REST call takes 20 ms longer.
// A one-unit-at-a-time baseline (concurrency 1) drains a smaller sample in the same run.
// Each drain has its own database in a temp folder and its own stand-in on 127.0.0.1.
// Run: npm run bench:drain -- [--units U] [--concurrency C] [--baseline-units B]
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startThingsboardStandIn } from '../src/devkit/thingsboard';
import { deviceFieldsFor, digestFields, generateAccessToken } from '../src/main/credentials/generate';
import { Store, type CredentialSecret } from '../src/main/store/store';
import { SyncEngine } from '../src/main/sync/sync';
import { ThingsboardClient } from '../src/main/thingsboard/client';
import { parseIntegerOptions } from './support/options';
import { readServerDevices } from './support/server-inventory';

const TENANT = { username: 'tenant@thingsboard.org', password: 'tenant' };
/** Latency added to every authenticated REST call. Sign-in and token refresh are not delayed. */
const ADDED_LATENCY_MS = 20;
/** Routes that sign in rather than upload, left out of requests per unit. */
const SIGN_IN_ROUTES = new Set(['POST /api/auth/login', 'POST /api/auth/token']);
/** runOnce leaves an entry queued after a retryable failure, so a drain may take more than one run. */
const MAX_RUNS = 5;

const options = parseIntegerOptions('Usage: npm run bench:drain -- [options]', [
  { name: 'units', default: 10_000, minimum: 1, help: 'queued units the engine drains' },
  { name: 'concurrency', default: 4, minimum: 1, help: 'units the engine uploads at once' },
  { name: 'baseline-units', default: 500, minimum: 1, help: 'queued units the one-at-a-time baseline drains' },
]);

interface DrainResult {
  units: number;
  concurrency: number;
  seconds: number;
  unitsPerSecond: number;
  requestsPerUnit: number;
  runs: number;
  /** One line on the devices the server contains after the drain. */
  serverCheck: string;
  /** Problems found when the server's devices were compared with the station's units. */
  problems: string[];
}

const folder = await mkdtemp(join(tmpdir(), 'station-drain-'));
try {
  console.log(`Drain benchmark: Node ${process.version}, ${availableParallelism()} cores, ${ADDED_LATENCY_MS} ms added to every authenticated REST call`);
  const baseline = await drain(join(folder, 'baseline.db'), options['baseline-units'] ?? 500, 1);
  printResult('baseline (one unit at a time)', baseline);
  const engine = await drain(join(folder, 'engine.db'), options.units ?? 10_000, options.concurrency ?? 4);
  printResult(`engine (concurrency ${engine.concurrency})`, engine);
  console.log(`speed-up engine / baseline: ${(engine.unitsPerSecond / baseline.unitsPerSecond).toFixed(2)}×`);

  const problems = [...baseline.problems, ...engine.problems];
  for (const problem of problems) console.log(`  - ${problem}`);
  process.exitCode = problems.length > 0 ? 1 : 0;
} finally {
  await rm(folder, { recursive: true, force: true });
}

/** Fills a new database with `units` queued units, drains it into a new stand-in, and checks the server. */
async function drain(database: string, units: number, concurrency: number): Promise<DrainResult> {
  const store = new Store(database);
  const server = await startThingsboardStandIn({ host: '127.0.0.1', port: 0 });
  try {
    const tokens = queueUnits(store, units);
    server.faults.delay(ADDED_LATENCY_MS);
    const client = new ThingsboardClient({ baseUrl: server.url, ...TENANT });
    const engine = new SyncEngine(store, client, { concurrency });

    const started = performance.now();
    let runs = 0;
    let queued = units;
    while (queued > 0 && runs < MAX_RUNS) {
      const summary = await engine.runOnce({ ignoreBackoff: true });
      runs += 1;
      queued = summary.queued;
    }
    const seconds = (performance.now() - started) / 1000;

    const requests = Object.entries(server.faults.requestCounts())
      .filter(([route]) => !SIGN_IN_ROUTES.has(route))
      .reduce((total, [, count]) => total + count, 0);
    server.faults.latency(0);
    const { serverCheck, problems } = await compareServer(server.url, tokens, store, queued);
    return { units, concurrency, seconds, unitsPerSecond: units / seconds, requestsPerUnit: requests / units, runs, serverCheck, problems };
  } finally {
    await server.close();
    store.close();
  }
}

/**
 * Creates each unit, commits an access token and releases its upload, as a passed provisioning
 * job does. Returns the token per device name. One transaction for all units, because with
 * synchronous=FULL one commit per unit would measure the disk, not the sync.
 */
function queueUnits(store: Store, units: number): Map<string, string> {
  const tokens = new Map<string, string>();
  store.database.transaction(() => {
    for (let index = 0; index < units; index += 1) {
      const hardwareId = `DRAIN-${String(index).padStart(6, '0')}`;
      const unit = store.createUnit({ hardwareId, name: `PS-SIM-1-${hardwareId}`, model: 'PS-SIM-1', firmwareVersion: '1.0.0' });
      const secret: CredentialSecret = generateAccessToken();
      store.commitCredential(unit.id, secret, digestFields(deviceFieldsFor(secret, undefined)));
      store.releaseUploads(unit.id);
      if (secret.type === 'token') tokens.set(unit.name, secret.token);
    }
  })();
  return tokens;
}

/** Checks that the server has exactly one device per unit, with the unit's token as its credentials. */
async function compareServer(url: string, tokens: Map<string, string>, store: Store, queued: number): Promise<{ serverCheck: string; problems: string[] }> {
  const problems: string[] = [];
  const counts = store.outboxCounts();
  if (queued > 0 || counts.parked > 0) {
    problems.push(`${store.path}: ${counts.queued} uploads still queued and ${counts.parked} parked after ${MAX_RUNS} sync runs`);
  }

  const devices = await readServerDevices(url, TENANT);
  const seen = new Map<string, number>();
  for (const device of devices) {
    seen.set(device.name, (seen.get(device.name) ?? 0) + 1);
    const token = tokens.get(device.name);
    if (token === undefined) {
      problems.push(`server device ${device.name} belongs to no queued unit`);
    } else if (device.credentialsId !== token) {
      problems.push(`server device ${device.name} holds other credentials than the station's token`);
    }
  }
  const duplicated = [...seen].filter(([, count]) => count > 1).length;
  const missing = [...tokens.keys()].filter((name) => !seen.has(name)).length;
  if (duplicated > 0) problems.push(`${duplicated} device names appear more than once on the server`);
  if (missing > 0) problems.push(`${missing} units have no server device`);

  return { serverCheck: `server contains ${devices.length} devices for ${tokens.size} units: ${missing} missing, ${duplicated} duplicated`, problems };
}

function printResult(label: string, result: DrainResult): void {
  console.log(
    `${label}: ${result.units} units in ${result.seconds.toFixed(1)} s (${result.runs} sync run${result.runs === 1 ? '' : 's'}), ` +
      `${result.unitsPerSecond.toFixed(1)} units/s, ${result.requestsPerUnit.toFixed(2)} requests per unit (sign-in excluded)`,
  );
  console.log(`  ${result.serverCheck}`);
}
