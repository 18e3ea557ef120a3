// The desktop app end to end: Playwright starts the built app in Electron with a fresh data
// folder, the test sets up the station through window.station, a simulated unit on a pty pair
// is provisioned, and the window shows PASS. It runs wherever the Electron binary and the
// better-sqlite3 build for Electron (scripts/prepare-electron.js) are present; elsewhere it is
// skipped with the reason printed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, type ElectronApplication } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { StationApi } from '../../src/shared/api';
import type { SetupInput } from '../../src/shared/setup';
import { useTempDir } from '../helpers/temp-dir';
import { useRig } from '../integration/rig';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN_ENTRY = join(ROOT, 'out/main/index.js');

interface Readiness {
  electronPath?: string;
  sqliteBinding?: string;
  skipReason?: string;
}

/** Finds the Electron binary and the Electron build of better-sqlite3, or names the one that is missing. */
function checkReadiness(): Readiness {
  const require = createRequire(import.meta.url);
  let electronPath: string;
  try {
    electronPath = require('electron') as string;
  } catch {
    return { skipReason: 'the Electron binary is not installed (node_modules/electron/dist is missing; its download needs internet)' };
  }
  if (!existsSync(electronPath)) {
    return { skipReason: `the Electron binary is not installed (${electronPath} is missing; its download needs internet)` };
  }
  const version = spawnSync(electronPath, ['--version'], { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  if (version.status !== 0) {
    return { skipReason: `the Electron binary at ${electronPath} does not run: ${version.stderr.trim() || String(version.error)}` };
  }

  const electronVersion = (JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;
  const sqliteBinding = join(ROOT, 'build/electron-native', `electron-${electronVersion}-${process.platform}-${process.arch}`, 'better-sqlite3/build/Release/better_sqlite3.node');
  if (!existsSync(sqliteBinding)) {
    return { skipReason: `better-sqlite3 is not built for Electron ${electronVersion} (${sqliteBinding} is missing; run node scripts/prepare-electron.js --no-launch)` };
  }
  if (process.platform === 'linux' && (process.env.DISPLAY ?? '') === '' && (process.env.WAYLAND_DISPLAY ?? '') === '') {
    return { skipReason: 'no display to open the window on (DISPLAY is not set; run the tests under xvfb-run)' };
  }
  return { electronPath, sqliteBinding };
}

const readiness = checkReadiness();
if (readiness.skipReason !== undefined) {
  // Printed on purpose, so a run that skips this test shows the reason.
  // eslint-disable-next-line no-console
  console.log(`Electron smoke test skipped: ${readiness.skipReason}`);
}

const tempDir = useTempDir();
const rig = useRig();
let app: ElectronApplication | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

function offlineSetup(port: string): SetupInput {
  return {
    stationId: 'SMOKE-ST1',
    server: { mode: 'offline' },
    deviceProfile: null,
    credentialType: 'token',
    x509Mode: 'self-signed',
    keyAlgorithm: 'ec-p256',
    naming: { mode: 'rule', rule: 'smoke-{hardwareId}' },
    ports: { paths: [port], matches: [], patterns: [] },
  };
}

describe.skipIf(readiness.skipReason !== undefined)('desktop app', () => {
  it('provisions one unit and shows PASS', async () => {
    expect(existsSync(MAIN_ENTRY), `${MAIN_ENTRY} is missing; run npm run build first`).toBe(true);
    const dir = tempDir();
    const device = await rig.device(dir, 'smoke-unit');
    // Chromium refuses to start as root with its sandbox on, as CI machines run.
    const sandboxArgs = process.getuid?.() === 0 ? ['--no-sandbox'] : [];

    app = await electron.launch({
      executablePath: readiness.electronPath,
      args: [...sandboxArgs, MAIN_ENTRY],
      env: { ...process.env, STATION_USER_DATA_DIR: join(dir, 'user-data'), STATION_SQLITE_BINDING: readiness.sqliteBinding ?? '' },
    });
    const page = await app.firstWindow();

    const info = await page.evaluate(() => (window as unknown as { station: StationApi }).station.appInfo());
    expect(info).toMatchObject({ servicesReady: true, transport: 'ipc' });
    const saved = await page.evaluate((setup) => (window as unknown as { station: StationApi }).station.setupSave(setup), offlineSetup(device.stationPath));
    expect(saved.ok).toBe(true);

    const result = page.getByTestId('port-card-result');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.getAttribute('data-result')).toBe('passed');
    expect(await result.textContent()).toMatch(/PASS/);
    expect(device.state().stored.token?.length ?? 0).toBeGreaterThan(0);
    expect(await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
  });
});
