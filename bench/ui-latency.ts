// UI latency benchmark: the time from a device appearing on a port to its card on the
// operator's screen. One `station serve` (set up through the first-run screen, with the
// ThingsBoard stand-in on loopback) and one Chromium page serve every run. Each run starts a
// simulated device on a new pty pair, then links one of the station's listed port paths to
// it: that moment is when the device appears, and the clock starts. A MutationObserver in the
// page takes the time the port's card is added, and the time its result is added. Both clocks
// are Date.now() on this machine, so the times do not include Playwright's polling.
// Needs `npm run build` (out/renderer), /usr/bin/chromium and socat.
// Run: npm run bench:ui -- [--runs N]
import { mkdirSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createPtyPair, type PtyPair } from '../src/devkit/pty-pair';
import { startSimulatorOnSerial, type RunningSimulator } from '../src/devkit/simulator';
import { startThingsboardStandIn, type StandIn } from '../src/devkit/thingsboard';
import { openBrowser, type TestBrowser } from '../test/helpers/browser';
import { parseServeUrl, requireBuiltRenderer, startServe, type ServeProcess } from '../test/helpers/serve-process';
import { ProvisionPage } from '../test/e2e/pages/provision-page';
import { SetupPage } from '../test/e2e/pages/setup-page';
import { KIOSK_VIEWPORT } from '../test/e2e/support/screenshots';
import { parseIntegerOptions } from './support/options';

const options = parseIntegerOptions('Usage: npm run bench:ui -- [options]', [{ name: 'runs', default: 5, minimum: 1, help: 'devices to plug in, one per run' }]);
const runCount = options.runs ?? 5;

/** The stand-in's tenant user. */
const TENANT = { username: 'tenant@thingsboard.org', password: 'tenant' };
/** Maximum wait for a card or a result. A run that takes longer fails the benchmark. */
const WAIT_MS = 60_000;
/**
 * Upper bound of a random pause before each plug-in. A technician plugs a unit in at any moment,
 * not in step with the port watcher's 500 ms poll, but back-to-back runs would each start at
 * about the same point of that poll and repeat one delay.
 */
const PLUG_JITTER_MS = 1000;

interface RunTimes {
  /** Port path linked to the card on the page: the port watcher's poll, the job's first event, the WebSocket and React. */
  cardMs: number;
  /** Port path linked to PASS on the card: the whole job at 115200 baud and its sync. */
  passMs: number;
}

/** Everything the benchmark started, so the end can stop it whether the runs passed or not. */
interface Bench {
  dir: string;
  server?: StandIn;
  station?: ServeProcess;
  browser?: TestBrowser;
  devices: Array<{ pair: PtyPair; simulator?: RunningSimulator }>;
}

async function setUpStation(bench: Bench, ports: string[]): Promise<ProvisionPage> {
  bench.server = await startThingsboardStandIn({ host: '127.0.0.1', port: 0 });
  bench.station = startServe(['--db', join(bench.dir, 'station.db'), '--port', '0']);
  const url = parseServeUrl(await bench.station.firstLine);
  bench.browser = await openBrowser();
  const { page } = bench.browser;
  page.setDefaultTimeout(WAIT_MS);
  await page.setViewportSize(KIOSK_VIEWPORT);
  await page.goto(url.href);

  const setup = new SetupPage(page);
  await setup.waitForFirstRun();
  await setup.fill({
    stationId: 'BENCH-UI',
    server: { url: bench.server.url, ...TENANT },
    credentialType: 'token',
    naming: { rule: 'BENCH-{hardwareId}' },
    portPaths: ports,
    pin: '2468',
  });
  await setup.saveFirstRun();
  const provision = new ProvisionPage(page);
  await provision.waitForScreen();
  return provision;
}

async function measureOnce(bench: Bench, provision: ProvisionPage, port: string, run: number): Promise<RunTimes> {
  const pair = await createPtyPair();
  const device: Bench['devices'][number] = { pair };
  bench.devices.push(device);
  device.simulator = await startSimulatorOnSerial(pair.devicePath, { stateFile: join(bench.dir, `device-${run}.json`), hardwareId: `HW-${run}` });

  const times = await provision.watchCard(port);
  await delay(Math.random() * PLUG_JITTER_MS);
  // Date.now() here and in the page read the same system clock.
  const appearedAt = Date.now();
  symlinkSync(pair.stationPath, port);
  const card = await provision.waitForResult(port);
  const { addedAt, resultAt } = await times.settled();

  if (card.result !== 'passed') {
    throw new Error(`run ${run}: the unit on ${port} did not pass: ${card.reasonText ?? 'no reason shown'}`);
  }
  return { cardMs: addedAt - appearedAt, passMs: resultAt - appearedAt };
}

async function stop(bench: Bench): Promise<void> {
  await bench.browser?.close();
  await bench.station?.stop('SIGTERM');
  for (const { pair, simulator } of bench.devices) {
    await simulator?.close();
    await pair.close();
  }
  await bench.server?.close();
  await rm(bench.dir, { recursive: true, force: true });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function formatRow(label: string, times: RunTimes): string {
  return `${label.padEnd(8)}${[times.cardMs, times.passMs].map((ms) => ms.toFixed(0).padStart(10)).join('')}`;
}

requireBuiltRenderer();
const bench: Bench = { dir: await mkdtemp(join(tmpdir(), 'station-bench-ui-')), devices: [] };
try {
  const portFolder = join(bench.dir, 'serial-by-id');
  mkdirSync(portFolder);
  const ports = Array.from({ length: runCount }, (_, index) => join(portFolder, `unit-port-${index + 1}`));
  const provision = await setUpStation(bench, ports);

  console.log(`device appearing to its card in Chromium, ${runCount} runs`);
  console.log(`${'run'.padEnd(8)}${['card ms', 'PASS ms'].map((name) => name.padStart(10)).join('')}`);
  const runs: RunTimes[] = [];
  for (const [index, port] of ports.entries()) {
    const times = await measureOnce(bench, provision, port, index + 1);
    runs.push(times);
    console.log(formatRow(String(index + 1), times));
  }
  console.log(formatRow('median', { cardMs: median(runs.map((times) => times.cardMs)), passMs: median(runs.map((times) => times.passMs)) }));
} finally {
  await stop(bench);
}
