// One operator session per test: a real `station serve` on a database in the test's own temp
// folder, and Debian's Chromium open on its URL at the kiosk screen size. The page modules
// wrap the page; the session only starts and stops the processes.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach } from 'vitest';
import { openBrowser, type TestBrowser } from '../../helpers/browser';
import { parseServeUrl, startServe, type ServeProcess } from '../../helpers/serve-process';
import { HistoryPage } from '../pages/history-page';
import { Header } from '../pages/header';
import { ProvisionPage } from '../pages/provision-page';
import { QueuePage } from '../pages/queue-page';
import { SettingsPage } from '../pages/settings-page';
import { SetupPage } from '../pages/setup-page';
import { artifactsFolder, KIOSK_VIEWPORT } from './screenshots';

/**
 * Wait for anything the station does in the background: a job, a sync, a port poll. Generous,
 * because the tests share two cores with other suites; a passing wait ends as soon as it can.
 */
export const UI_TIMEOUT_MS = 60_000;

/** How long `station serve` may take to stop on SIGTERM (its runner lets jobs finish for 5 s). */
const STOP_TIMEOUT_MS = 15_000;

export interface StationUi {
  /** The test's data folder, with station.db and the serve log station.db.log. */
  dataDir: string;
  page: Page;
  header: Header;
  setup: SetupPage;
  provision: ProvisionPage;
  queue: QueuePage;
  history: HistoryPage;
  settings: SettingsPage;
}

/**
 * Returns a function that starts `station serve` on `dataDir` and opens the page. Everything
 * it starts stops after the test. When a test fails, the serve log is copied to the artifacts
 * folder, because the data folder is removed with the test.
 */
export function useStationUi(): (dataDir: string) => Promise<StationUi> {
  const running: Array<{ station: ServeProcess; dbPath: string; browser?: TestBrowser }> = [];
  afterEach(async ({ task }) => {
    const failed = task.result?.state === 'fail';
    for (const { station, dbPath, browser } of running.splice(0)) {
      if (failed && browser !== undefined) {
        await saveFailureScreenshot(browser.page, task.name);
      }
      await browser?.close();
      await stopStation(station);
      if (failed) {
        keepServeLog(`${dbPath}.log`, task.name);
      }
    }
  });

  return async (dataDir) => {
    const dbPath = join(dataDir, 'station.db');
    const station = startServe(['--db', dbPath, '--port', '0']);
    const session: { station: ServeProcess; dbPath: string; browser?: TestBrowser } = { station, dbPath };
    running.push(session);

    const url = parseServeUrl(await station.firstLine);
    const browser = await openBrowser();
    session.browser = browser;
    const { page } = browser;
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    await page.setViewportSize(KIOSK_VIEWPORT);
    await page.goto(url.href);

    return {
      dataDir,
      page,
      header: new Header(page),
      setup: new SetupPage(page),
      provision: new ProvisionPage(page),
      queue: new QueuePage(page),
      history: new HistoryPage(page),
      settings: new SettingsPage(page),
    };
  };
}

/** Sends SIGTERM, and SIGKILL when the station has not stopped in time. */
async function stopStation(station: ServeProcess): Promise<void> {
  const timer = setTimeout(() => station.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  try {
    await station.stop('SIGTERM');
  } finally {
    clearTimeout(timer);
  }
}

/** Returns a path in the failures folder, named after the test, and creates the folder. */
function failureFile(testName: string, extension: string): string {
  const folder = join(artifactsFolder(), 'failures');
  mkdirSync(folder, { recursive: true });
  return join(folder, `${testName.replace(/[^A-Za-z0-9_-]+/g, '-')}.${extension}`);
}

function keepServeLog(logPath: string, testName: string): void {
  if (existsSync(logPath)) {
    copyFileSync(logPath, failureFile(testName, 'log'));
  }
}

/** Saves what the page showed when the test failed; a page that cannot draw any more is skipped. */
async function saveFailureScreenshot(page: Page, testName: string): Promise<void> {
  await page.screenshot({ path: failureFile(testName, 'png'), timeout: 10_000 }).catch(() => undefined);
}
