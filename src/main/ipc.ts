// The Electron IPC adapter: the only file in main that touches ipcMain. Each handler checks its
// arguments against the StationApi schema, then calls the service object.
import { ipcMain } from 'electron';
import { STATION_API_ARGUMENTS, STATION_API_CHANNELS, type StationApi } from '../shared/api';
import { getLogger } from './log';

const log = getLogger('app');

export function registerStationApi(service: StationApi): void {
  for (const name of Object.keys(STATION_API_CHANNELS) as Array<keyof StationApi>) {
    const channel = STATION_API_CHANNELS[name];
    ipcMain.handle(channel, async (_event, ...args: unknown[]) => {
      const parsed = STATION_API_ARGUMENTS[name].safeParse(args);
      if (!parsed.success) {
        log.warn({ channel }, 'rejected a call with invalid arguments');
        throw new Error(`invalid arguments for ${name}`);
      }
      return service[name]();
    });
  }
}
