// The app-info store: what the main process reports about itself.
import { create } from 'zustand';
import type { AppInfo, StationApi } from '../../shared/api';

declare global {
  interface Window {
    station?: StationApi;
  }
}

interface AppInfoState {
  info: AppInfo | undefined;
  bridgeMissing: boolean;
  load: () => Promise<void>;
}

export const useAppInfo = create<AppInfoState>((set) => ({
  info: undefined,
  bridgeMissing: false,
  async load() {
    if (window.station === undefined) {
      set({ bridgeMissing: true });
      return;
    }
    set({ info: await window.station.appInfo() });
  },
}));
