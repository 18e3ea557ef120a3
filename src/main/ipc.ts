// The Electron IPC adapter: the only file in main that touches ipcMain. Every call goes through
// dispatchCall, which checks its arguments against the StationApi schema before the service
// acts; events go to every window's renderer on one channel.
import { BrowserWindow, ipcMain } from 'electron';
import { CALL_NAMES, EVENT_CHANNEL, callChannel, type StationApi } from '../shared/api';
import { dispatchCall } from './service/dispatch';

/** Registers one handler per call, and forwards the service's events until the app quits. */
export function registerStationApi(service: StationApi): () => void {
  for (const name of CALL_NAMES) {
    ipcMain.handle(callChannel(name), (_event, ...args: unknown[]) => dispatchCall(service, name, args));
  }

  return service.onEvent((event) => {
    for (const window of BrowserWindow.getAllWindows()) {
      if (!window.isDestroyed()) {
        window.webContents.send(EVENT_CHANNEL, event);
      }
    }
  });
}
