// The Electron IPC adapter: the only file in main that touches ipcMain. Each handler checks its
// arguments against the StationApi schema, then calls the service object.
import { ipcMain } from 'electron';
import { STATION_API_ARGUMENTS, STATION_API_CHANNELS, type StationApi } from '../shared/api';
import { getLogger } from './log';

const log = getLogger('app');

export function registerStationApi(service: StationApi): void {
  ipcMain.handle(STATION_API_CHANNELS.appInfo, async (_event, ...args: unknown[]) => {
    const parsed = STATION_API_ARGUMENTS.appInfo.safeParse(args);
    if (!parsed.success) {
      log.warn({ channel: STATION_API_CHANNELS.appInfo }, 'rejected a call with invalid arguments');
      throw new Error('invalid arguments for appInfo');
    }
    return service.appInfo();
  });
}
