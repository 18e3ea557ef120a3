// Electron's main process: one hardened window on the renderer, and the StationApi over IPC.
// The station services themselves are plain Node.js modules that never import Electron.
import { join } from 'node:path';
import { app, BrowserWindow } from 'electron';
import type { AppInfo, StationApi } from '../shared/api';
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

const service: StationApi = {
  appInfo(): Promise<AppInfo> {
    return Promise.resolve({ name: app.getName(), version: app.getVersion(), servicesReady: true });
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
  app.quit();
});
