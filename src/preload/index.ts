// Exposes window.station: one named function per StationApi call, never a generic
// invoke(channel), plus onEvent for the station's events.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CALL_NAMES, EVENT_CHANNEL, callChannel, unwrapReply, type CallReply, type StationApi, type StationEvent } from '../shared/api';

const calls = Object.fromEntries(
  CALL_NAMES.map((name) => [name, async (...args: unknown[]) => unwrapReply((await ipcRenderer.invoke(callChannel(name), ...args)) as CallReply)]),
);

const station = {
  ...calls,
  onEvent(listener: (event: StationEvent) => void): () => void {
    const forward = (_event: IpcRendererEvent, payload: StationEvent): void => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => ipcRenderer.off(EVENT_CHANNEL, forward);
  },
} as StationApi;

contextBridge.exposeInMainWorld('station', station);
