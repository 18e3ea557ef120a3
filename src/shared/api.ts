// The StationApi: every call the renderer may make, and the channel each travels on. Main
// validates each call's arguments with the schema listed here before it acts.
import { z } from 'zod';

export interface AppInfo {
  name: string;
  version: string;
  /** False when the station services could not start; `reason` then gives the cause. */
  servicesReady: boolean;
  reason?: string;
}

export interface StationApi {
  /** Returns the application's name and version, and whether its services are running. */
  appInfo(): Promise<AppInfo>;
}

export const STATION_API_CHANNELS = {
  appInfo: 'app-info',
} as const satisfies Record<keyof StationApi, string>;

export const STATION_API_ARGUMENTS = {
  appInfo: z.tuple([]),
} as const satisfies Record<keyof StationApi, z.ZodType>;
