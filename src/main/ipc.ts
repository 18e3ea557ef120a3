// The Electron IPC adapter: the only file in main that touches ipcMain. Every call goes through
// dispatchCall, which checks its arguments against the StationApi schema before the service
// acts. Events go to every window's renderer on one channel.
import { BrowserWindow, ipcMain } from 'electron';
import { CALL_NAMES, EVENT_CHANNEL, callChannel, type CallReply, type StationApi } from '../shared/api';
import { getLogger } from './log';
import { dispatchCall } from './service/dispatch';

const log = getLogger('api');

const UNTRUSTED_SENDER_REPLY: CallReply = { ok: false, code: 'invalid-call', message: 'The station accepts calls from its own window only.' };

/**
 * Registers one handler per call, and forwards the service's events until the app quits. A
 * call from a frame whose URL `isTrustedSender` rejects (a page other than the app's own) gets
 * an error reply and never reaches the service.
 */
export function registerStationApi(service: StationApi, isTrustedSender: (frameUrl: string | undefined) => boolean): () => void {
  for (const name of CALL_NAMES) {
    ipcMain.handle(callChannel(name), (event, ...args: unknown[]) => {
      if (!isTrustedSender(event.senderFrame?.url)) {
        log.warn({ call: name }, 'rejected a call from a frame outside the app');
        return UNTRUSTED_SENDER_REPLY;
      }
      return dispatchCall(service, name, args);
    });
  }

  return service.onEvent((event) => {
    for (const window of BrowserWindow.getAllWindows()) {
      if (!window.isDestroyed()) {
        window.webContents.send(EVENT_CHANNEL, event);
      }
    }
  });
}
