// Start-up benchmark of the headless kiosk: the time from spawning `station serve` on a new
// database to an interactive page in Chromium, that is the first-run screen (or the provision
// screen) drawn with the setup that setupGet returned over the WebSocket. Chromium is started
// before the clock runs, because a kiosk's browser is already up; each run gets a fresh
// profile and database. Needs `npm run build` (out/renderer) and /usr/bin/chromium.
// Run: npm run bench:serve -- [--runs N]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openBrowser } from '../test/helpers/browser';
import { parseServeUrl, requireBuiltRenderer, startServe } from '../test/helpers/serve-process';
import { parseIntegerOptions } from './support/options';

/** The screens App draws once setupGet resolved; either one means the page is interactive. */
const READY_SELECTOR = '[data-testid="first-run"], [data-testid="provision-screen"]';

const options = parseIntegerOptions('Usage: npm run bench:serve -- [options]', [{ name: 'runs', default: 5, minimum: 1, help: 'start-ups to measure' }]);

interface RunTimes {
  /** Spawn to the URL line on stdout: Node.js, tsx, the database and the HTTP server. */
  urlMs: number;
  /** URL line to the ready screen: page load, WebSocket upgrade, appInfo and setupGet. */
  pageMs: number;
  totalMs: number;
  /** SIGTERM to exit. */
  stopMs: number;
}

async function measureOnce(): Promise<RunTimes> {
  const dir = await mkdtemp(join(tmpdir(), 'station-bench-serve-'));
  const browser = await openBrowser();
  try {
    const started = performance.now();
    const station = startServe(['--db', join(dir, 'station.db'), '--port', '0']);
    const url = parseServeUrl(await station.firstLine);
    const urlAt = performance.now();

    await browser.page.goto(url.href);
    await browser.page.locator(READY_SELECTOR).first().waitFor({ timeout: 60_000 });
    const readyAt = performance.now();

    const exit = await station.stop('SIGTERM');
    const stoppedAt = performance.now();
    if (exit.code !== 0) {
      throw new Error(`station serve exited with ${exit.code ?? exit.signal}; stderr: ${exit.stderr}`);
    }
    return { urlMs: urlAt - started, pageMs: readyAt - urlAt, totalMs: readyAt - started, stopMs: stoppedAt - readyAt };
  } finally {
    await browser.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function formatRow(label: string, times: RunTimes): string {
  const cells = [times.urlMs, times.pageMs, times.totalMs, times.stopMs].map((ms) => ms.toFixed(0).padStart(9));
  return `${label.padEnd(8)}${cells.join('')}`;
}

requireBuiltRenderer();
console.log(`station serve start-up to an interactive page in Chromium, ${options.runs} runs`);
console.log(`${'run'.padEnd(8)}${['url ms', 'page ms', 'total ms', 'stop ms'].map((name) => name.padStart(9)).join('')}`);

const runs: RunTimes[] = [];
for (let run = 1; run <= (options.runs ?? 5); run += 1) {
  const times = await measureOnce();
  runs.push(times);
  console.log(formatRow(String(run), times));
}

console.log(
  formatRow('median', {
    urlMs: median(runs.map((times) => times.urlMs)),
    pageMs: median(runs.map((times) => times.pageMs)),
    totalMs: median(runs.map((times) => times.totalMs)),
    stopMs: median(runs.map((times) => times.stopMs)),
  }),
);
