// Electron's main process: one hardened window on the renderer, and the StationApi over IPC.
// The station services themselves are plain Node.js modules that never import Electron.
import { join } from 'node:path';
import { app, BrowserWindow } from 'electron';
import type { AppInfo, PortJob, StationApi, SyncStatus } from '../shared/api';
import { Store } from './store/store';
import { readSyncStatus } from './sync/status';
import { registerStationApi } from './ipc';
import { getLogger } from './log';

const log = getLogger('app');

function createWindow(): void {
  const window = new BrowserWindow({
    width: 1200,
    height: 800,
    title: 'Provisioning Station',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
    },
  });

  const devServerUrl = process.env.ELECTRON_RENDERER_URL;
  if (devServerUrl !== undefined) {
    void window.loadURL(devServerUrl);
  } else {
    void window.loadFile(join(import.meta.dirname, '../renderer/index.html'));
  }
}

let store: Store | undefined;
let storeError: string | undefined;

/**
 * Opens the station database in the user-data folder. STATION_SQLITE_BINDING may name a
 * better-sqlite3 addon built for Electron, kept beside the one npm built for Node.js.
 */
function openStore(): Store | undefined {
  if (store === undefined && storeError === undefined) {
    try {
      const binding = process.env.STATION_SQLITE_BINDING;
      store = new Store(join(app.getPath('userData'), 'station.db'), binding === undefined ? {} : { nativeBinding: binding });
    } catch (error) {
      storeError = error instanceof Error ? error.message : String(error);
      log.error({ err: error }, 'the station database could not be opened');
    }
  }
  return store;
}

const service: StationApi = {
  appInfo(): Promise<AppInfo> {
    const ready = openStore() !== undefined;
    const info: AppInfo = { name: app.getName(), version: app.getVersion(), servicesReady: ready };
    if (!ready && storeError !== undefined) {
      info.reason = storeError;
    }
    return Promise.resolve(info);
  },
  syncStatus(): Promise<SyncStatus> {
    const opened = openStore();
    if (opened === undefined) {
      return Promise.reject(new Error('the station database is not open'));
    }
    return Promise.resolve(readSyncStatus(opened));
  },
  portJobs(): Promise<PortJob[]> {
    // NOTE: the desktop app does not start a StationRunner yet, so no port has a job here.
    // Once it does, this returns runner.portJobs(), as `station run` fills it.
    return Promise.resolve([]);
  },
};

app
  .whenReady()
  .then(() => {
    registerStationApi(service);
    createWindow();
  })
  .catch((error: unknown) => {
    log.error({ err: error }, 'the application failed to start');
    app.quit();
  });

app.on('window-all-closed', () => {
  store?.close();
  app.quit();
});
