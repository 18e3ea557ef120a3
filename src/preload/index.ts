// Exposes window.station: named, typed functions only, never a generic invoke(channel).
import { contextBridge, ipcRenderer } from 'electron';
import { STATION_API_CHANNELS, type AppInfo, type PortJob, type StationApi, type SyncStatus } from '../shared/api';

const station: StationApi = {
  appInfo: () => ipcRenderer.invoke(STATION_API_CHANNELS.appInfo) as Promise<AppInfo>,
  syncStatus: () => ipcRenderer.invoke(STATION_API_CHANNELS.syncStatus) as Promise<SyncStatus>,
  portJobs: () => ipcRenderer.invoke(STATION_API_CHANNELS.portJobs) as Promise<PortJob[]>,
};

contextBridge.exposeInMainWorld('station', station);
