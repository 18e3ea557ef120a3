// Electron's main process: one hardened window on the renderer, and the StationApi over IPC.
// The station services themselves are plain Node.js modules that never import Electron. This
// file is the only one that touches safeStorage, and the window rules live in ./window.
import { join } from 'node:path';
import { app, BrowserWindow, safeStorage, session } from 'electron';
import { registerStationApi } from './ipc';
import { configureLogging, getLogger } from './log';
import { openStationService, type StationService } from './service/station-service';
import { unavailableService } from './service/unavailable-service';
import { acquireDatabaseLock, type DatabaseLock } from './store/database-lock';
import { exportDataKey, keyProtectionStatus, openDesktopDataKey } from './store/data-key-provider';
import { IssuerStore } from './store/issuer-store';
import { moveIssuerKeyToKeychain } from './credentials/x509/issuer-protection';
import { guardAllWebContents, hardenSession, openMainWindow } from './window/main-window';
import { appEntryFor, isTrustedSender, type AppEntry } from './window/navigation';

const log = getLogger('app');

const DATABASE_FILE = 'station.db';
const EXPORT_KEY_SWITCH = '--export-data-key=';

let service: StationService | undefined;
let databaseLock: DatabaseLock | undefined;
let mainWindow: BrowserWindow | undefined;

function databasePath(): string {
  return join(app.getPath('userData'), DATABASE_FILE);
}

/**
 * Opens the station services on the database in the user-data folder, after taking its lock.
 * STATION_SQLITE_BINDING may name a better-sqlite3 addon built for Electron, kept beside the
 * one npm built for Node.js (scripts/prepare-electron.mjs makes it). When the services cannot
 * start, the window still opens and shows why.
 */
async function openServices(): Promise<StationService> {
  const binding = process.env.STATION_SQLITE_BINDING;
  try {
    databaseLock = acquireDatabaseLock(databasePath(), { program: 'the Provisioning Station desktop app' });
    const dataKey = openDesktopDataKey(databasePath(), safeStorage);
    const protection = keyProtectionStatus(safeStorage);
    const passphrase = process.env.STATION_ISSUER_PASSPHRASE;
    if (protection.available) {
      // A passphrase-sealed CA key moves to the keychain once the operator gives the passphrase.
      const issuers = IssuerStore.open(databasePath(), binding === undefined ? {} : { nativeBinding: binding });
      try {
        await moveIssuerKeyToKeychain(issuers, safeStorage, passphrase === '' ? undefined : passphrase);
      } finally {
        issuers.close();
      }
    }
    return await openStationService({
      dbPath: databasePath(),
      transport: 'ipc',
      appName: app.getName(),
      appVersion: app.getVersion(),
      dataKey: dataKey.key,
      safeStorage,
      ...(protection.available ? {} : { notice: `The station keys are kept in files readable by this OS user: ${protection.reason ?? 'no OS keychain'}.` }),
      ...(binding === undefined ? {} : { nativeBinding: binding }),
    });
  } catch (error) {
    log.error({ err: error }, 'the station services could not start');
    return unavailableService(app.getName(), app.getVersion(), error instanceof Error ? error.message : String(error));
  }
}

/** Logs how the station keys are kept: sealed with the OS keychain, or in files. */
function reportKeyProtection(): void {
  const status = keyProtectionStatus(safeStorage);
  if (status.available) {
    log.info({ backend: status.backend }, 'the OS keychain is available to safeStorage');
  } else {
    log.warn({ backend: status.backend, reason: status.reason }, 'the OS keychain is not available; the station keys stay in files readable by this OS user');
  }
}

function focusMainWindow(): void {
  if (mainWindow === undefined || mainWindow.isDestroyed()) {
    return;
  }
  if (mainWindow.isMinimized()) {
    mainWindow.restore();
  }
  mainWindow.show();
  mainWindow.focus();
}

async function startDesktop(entry: AppEntry): Promise<void> {
  await configureLogging({ level: process.env.STATION_LOG_LEVEL ?? 'info', rotation: { folder: app.getPath('logs') } });
  log.info({ version: app.getVersion(), electron: process.versions.electron, userData: app.getPath('userData') }, 'desktop app starting');

  hardenSession(session.defaultSession, entry);
  reportKeyProtection();
  service = await openServices();
  registerStationApi(service, (frameUrl) => isTrustedSender(frameUrl, entry));
  mainWindow = openMainWindow(entry, join(import.meta.dirname, '../preload/index.cjs'));
}

/**
 * `--export-data-key=FILE` writes the station data key to FILE as a plain key file and quits,
 * for a move to another PC or OS user, whose keychain cannot open this one's seal.
 */
async function exportKeyAndQuit(target: string): Promise<void> {
  await app.whenReady();
  try {
    exportDataKey(databasePath(), safeStorage, target);
    process.stdout.write(`Wrote the station data key to ${target}. Keep it as safe as the database itself.\n`);
    app.exit(0);
  } catch (error) {
    process.stderr.write(`Export failed: ${error instanceof Error ? error.message : String(error)}\n`);
    app.exit(1);
  }
}

function main(): void {
  // A separate station on the same PC, or a test, keeps its database and lock in its own folder.
  const userDataDir = process.env.STATION_USER_DATA_DIR;
  if (userDataDir !== undefined && userDataDir !== '') {
    app.setPath('userData', userDataDir);
  }

  const exportTarget = process.argv.find((argument) => argument.startsWith(EXPORT_KEY_SWITCH))?.slice(EXPORT_KEY_SWITCH.length);
  if (exportTarget !== undefined) {
    void exportKeyAndQuit(exportTarget);
    return;
  }

  // One instance per user-data folder (Electron keys the lock on it); a second launch brings the
  // first window forward.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', focusMainWindow);

  const entry = appEntryFor({ devServerUrl: process.env.ELECTRON_RENDERER_URL, rendererFile: join(import.meta.dirname, '../renderer/index.html') });
  // Registered before the first window exists, so every web contents gets the guards.
  guardAllWebContents(entry);

  app
    .whenReady()
    .then(() => startDesktop(entry))
    .catch((error: unknown) => {
      log.error({ err: error }, 'the application failed to start');
      app.quit();
    });

  app.on('window-all-closed', () => {
    void (service?.close() ?? Promise.resolve()).finally(() => {
      databaseLock?.release();
      app.quit();
    });
  });
}

main();
