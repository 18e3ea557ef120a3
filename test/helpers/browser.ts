// Debian's Chromium driven by playwright-core, for browser tests of the real renderer.
// Playwright's own browser builds cannot be downloaded here, so it starts /usr/bin/chromium
// (installed by scripts/setup.sh). Each call gets a fresh profile folder, removed on close, so
// no test reads another test's storage.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags for a quiet, offline, headless run. --no-sandbox because the tests run as root, where
 * Chromium refuses its sandbox. The others stop background traffic (component updates, sync,
 * QUIC probes) so the browser talks to nothing but the page's loopback server.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface TestBrowser {
  context: BrowserContext;
  /** The first tab, open on about:blank. */
  page: Page;
  /** Closes the browser and removes its profile folder. */
  close(): Promise<void>;
}

/** Throws with the fix when Debian's Chromium is not installed. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing; run scripts/setup.sh (it installs Debian's chromium package)`);
  }
}

/** Starts headless Chromium with a fresh temp profile (--user-data-dir). */
export async function openBrowser(): Promise<TestBrowser> {
  requireChromium();
  const profileDir = mkdtempSync(join(tmpdir(), 'station-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  } catch (error) {
    rmSync(profileDir, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());

  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}
