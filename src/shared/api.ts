// The StationApi: every call the renderer may make, and the channel each travels on. Main
// validates each call's arguments with the schema listed here before it acts.
import { z } from 'zod';
import type { JobResult } from './domain';
import type { ReasonCode } from './reasons';

export interface AppInfo {
  name: string;
  version: string;
  /** False when the station services could not start; `reason` then gives the cause. */
  servicesReady: boolean;
  reason?: string;
}

/** The state of the outbox. It contains no secrets, so it may go to the renderer. */
export interface SyncStatus {
  stationId: string;
  /** Uploads waiting for their unit to pass. */
  held: number;
  queued: number;
  /** Queued uploads of which the server has already confirmed a step. */
  inFlight: number;
  parked: number;
  synced: number;
  /** The refused sign-in that paused sync, or null. */
  needsSignIn: string | null;
  lastContactAt: string | null;
  /** Server clock minus station clock at the last contact, in milliseconds. */
  serverClockSkewMs: number | null;
  lastRunAt: string | null;
  lastError: string | null;
}

/**
 * Where a port's job stands: one card per port in the UI. No secrets, so it may go to the
 * renderer.
 */
export interface PortJob {
  port: string;
  /** Key the job follows its device by (given, USB serial number or location), or null. */
  identity: string | null;
  /** The reason the identity may mix up two devices, such as adapters sharing a serial number. */
  identityWarning: string | null;
  /**
   * running: a job is on the port. waiting-for-device: the device vanished mid-job and may
   * return on another path. done: the last unit ended and the port waits for the next one.
   */
  state: 'running' | 'waiting-for-device' | 'done';
  unitName: string | null;
  hardwareId: string | null;
  /** Provisioning step in progress or last reached, such as hello, write or verify. */
  step: string | null;
  result: JobResult | null;
  reasonCode: ReasonCode | null;
  /** True when the job continues one that its device left on another port. */
  resumed: boolean;
}

export interface StationApi {
  /** Returns the application's name and version, and whether its services are running. */
  appInfo(): Promise<AppInfo>;
  /** Returns the outbox counts and the last contact with the server. */
  syncStatus(): Promise<SyncStatus>;
  /** Returns one entry per port the station runner serves, in the order the ports appeared. */
  portJobs(): Promise<PortJob[]>;
}

export const STATION_API_CHANNELS = {
  appInfo: 'app-info',
  syncStatus: 'sync-status',
  portJobs: 'port-jobs',
} as const satisfies Record<keyof StationApi, string>;

export const STATION_API_ARGUMENTS = {
  appInfo: z.tuple([]),
  syncStatus: z.tuple([]),
  portJobs: z.tuple([]),
} as const satisfies Record<keyof StationApi, z.ZodType>;
