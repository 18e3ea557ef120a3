// Electron's main process: one hardened window on the renderer, and the StationApi over IPC.
// The station services themselves are plain Node.js modules that never import Electron.
import { join } from 'node:path';
import { app, BrowserWindow } from 'electron';
import { registerStationApi } from './ipc';
import { getLogger } from './log';
import { openStationService, type StationService } from './service/station-service';
import { unavailableService } from './service/unavailable-service';

const log = getLogger('app');

function createWindow(): void {
  const window = new BrowserWindow({
    width: 1366,
    height: 768,
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

/**
 * Opens the station services on the database in the user-data folder. STATION_SQLITE_BINDING
 * may name a better-sqlite3 addon built for Electron, kept beside the one npm built for Node.js.
 * When they cannot start, the window still opens and shows why.
 */
async function openServices(): Promise<StationService> {
  const binding = process.env.STATION_SQLITE_BINDING;
  try {
    return await openStationService({
      dbPath: join(app.getPath('userData'), 'station.db'),
      transport: 'ipc',
      appName: app.getName(),
      appVersion: app.getVersion(),
      ...(binding === undefined ? {} : { nativeBinding: binding }),
    });
  } catch (error) {
    log.error({ err: error }, 'the station services could not start');
    return unavailableService(app.getName(), app.getVersion(), error instanceof Error ? error.message : String(error));
  }
}

let service: StationService | undefined;

app
  .whenReady()
  .then(async () => {
    service = await openServices();
    registerStationApi(service);
    createWindow();
  })
  .catch((error: unknown) => {
    log.error({ err: error }, 'the application failed to start');
    app.quit();
  });

app.on('window-all-closed', () => {
  void (service?.close() ?? Promise.resolve()).finally(() => app.quit());
});
