// The shell's store: what the station reports about itself, and which screen is open.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AppInfo, StationApi, StationState } from '../../../../shared/api';
import type { ConnectionState } from '../../api/ws-client';
import type { ReportError } from '../alerts/store';

export const VIEWS = ['provision', 'queue', 'history', 'settings'] as const;
export type View = (typeof VIEWS)[number];

export interface ShellState {
  info: AppInfo | undefined;
  stationState: StationState | undefined;
  view: View;
  /** The WebSocket's state in a browser; null over Electron IPC, which is always connected. */
  connection: ConnectionState | null;
  load: () => Promise<void>;
  applyStationState: (state: StationState) => void;
  applyConnection: (connection: ConnectionState) => void;
  setView: (view: View) => void;
}

export function createShellStore(api: StationApi, report: ReportError): StoreApi<ShellState> {
  return createStore<ShellState>((set) => ({
    info: undefined,
    stationState: undefined,
    view: 'provision',
    connection: null,

    async load() {
      const [info, stationState] = await Promise.allSettled([api.appInfo(), api.stationState()]);
      if (info.status === 'fulfilled') {
        set({ info: info.value });
      } else {
        report(info.reason);
      }
      if (stationState.status === 'fulfilled') {
        set({ stationState: stationState.value });
      } else {
        report(stationState.reason);
      }
    },

    applyStationState(stationState) {
      set({ stationState });
    },

    applyConnection(connection) {
      set({ connection });
    },

    setView(view) {
      set({ view });
    },
  }));
}
