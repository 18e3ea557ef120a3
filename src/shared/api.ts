// The StationApi: every call the renderer may make, every event it receives, and the schema
// main checks each call's arguments with before it acts. Two transports carry it: Electron IPC
// and a WebSocket on loopback. Both send a call's result as a CallReply envelope, so a failure
// reaches the renderer as a reason code with its message on either one.
import { z } from 'zod';
import type { CredentialType, JobResult } from './domain';
import type { ReasonCode } from './reasons';
import { setupInputSchema, type FieldErrors, type StationSetup } from './setup';
import type { QaCheckResult, QaResult } from './qa';
import type { ScanHint } from './scan';

export interface AppInfo {
  name: string;
  version: string;
  /** False when the station services could not start; `reason` then gives the cause. */
  servicesReady: boolean;
  reason?: string;
  /** The transport carrying this session, so the UI can show "kiosk" or "desktop". */
  transport: 'ipc' | 'websocket';
  /** Something the operator should know, such as station keys kept without an OS keychain. */
  notice?: string;
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
  /** False when the station is set up to work offline. */
  serverConfigured: boolean;
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
   * running: a job is on the port. waiting-for-scan: the unit waits for its scanned serial
   * number. waiting-for-device: the device vanished mid-job and may return on another path.
   * done: the last unit ended and the port waits for the next one.
   */
  state: 'running' | 'waiting-for-scan' | 'waiting-for-device' | 'done';
  unitName: string | null;
  hardwareId: string | null;
  /** Provisioning step in progress or last reached, such as hello, write or verify. */
  step: string | null;
  /** Share of the current step done, from 0 to 1, for long steps such as a chunked write; else null. */
  progress: number | null;
  result: JobResult | null;
  reasonCode: ReasonCode | null;
  /** Extra words on the reason (a port, a server status), never a secret. */
  reasonDetail: string | null;
  /** True when the job continues one that its device left on another port. */
  resumed: boolean;
  /** Whether every upload of the unit is done on the server; null while the job runs. */
  synced: boolean | null;
  /** When the current or last job started, as an ISO 8601 time. */
  startedAt: string | null;
  /** provision or qa: which workflow the station runs on its ports. */
  workflow: 'provision' | 'qa';
  /** A QA job's checklist, in order, once it ended; null for provisioning. */
  checks: QaCheckResult[] | null;
  /** A QA job's result: pending means no check failed but some wait for the server. */
  qaResult: QaResult | null;
}

/** Passed and failed units since the shift started, and the rate. */
export interface ShiftCounters {
  since: string;
  passed: number;
  failed: number;
  /** Passed units per hour since the shift's first job, taken over at least ten minutes. */
  unitsPerHour: number;
}

/** The resolutions an operator may choose for a parked upload. */
export const QUEUE_RESOLUTIONS = ['retry', 'overwrite', 'reprovision'] as const;
export type QueueResolution = (typeof QUEUE_RESOLUTIONS)[number];

/** One upload that is not done: waiting for its unit, waiting for the server, or parked. */
export interface QueueEntry {
  id: number;
  unitName: string;
  hardwareId: string;
  credentialType: CredentialType;
  state: 'held' | 'queued' | 'parked';
  /** The next server step, such as create-device. */
  step: string;
  attempts: number;
  /** The server's reason for refusing it, or the last attempt's failure, in words; never a secret. */
  reason: string | null;
  /** No retry before this time (ISO 8601), or null when due now. */
  nextAttemptAt: string | null;
  /** The resolutions the operator may choose; empty for entries that need nothing. */
  resolutions: QueueResolution[];
}

/** One unit in the history. The fingerprint identifies the credential without revealing it. */
export interface HistoryEntry {
  unitId: number;
  name: string;
  hardwareId: string;
  model: string;
  credentialType: CredentialType | null;
  /** SHA-256 of the credential's public part or of its digests, 16 hex digits; null before one was issued. */
  fingerprint: string | null;
  result: JobResult | null;
  reasonCode: ReasonCode | null;
  /** done when the server has it; none when nothing was uploaded. */
  syncState: 'done' | 'queued' | 'held' | 'parked' | 'none';
  /** Time of the unit's last job, ISO 8601. */
  time: string;
  stationId: string;
  port: string | null;
}

export interface HistoryQuery {
  /** Matches the name or the hardware id, case-insensitive; empty matches every unit. */
  text: string;
  limit: number;
}

/** The result of a scanned serial number: accepted, or rejected with the likely cause. */
export type ScanResult = { accepted: true; serial: string; port: string | null } | { accepted: false; hint: ScanHint };

/** Whether the settings are unlocked, and how long wrong PINs block further tries. */
export interface SupervisorState {
  unlocked: boolean;
  /** Milliseconds until a PIN is checked again after too many wrong ones, or null. */
  retryAfterMs: number | null;
}

export type SetupSaveResult = { ok: true; setup: StationSetup } | { ok: false; fieldErrors: FieldErrors };

/** Whether the station serves its ports, and why not. */
export interface StationState {
  running: boolean;
  /** not-configured: no setup yet. error: the runner could not start, see reasonCode. */
  status: 'running' | 'not-configured' | 'stopped' | 'error';
  reasonCode: ReasonCode | null;
  reasonDetail: string | null;
}

export type StationEvent =
  | { type: 'port-job'; job: PortJob }
  | { type: 'port-removed'; port: string }
  | { type: 'sync-status'; status: SyncStatus }
  | { type: 'shift'; counters: ShiftCounters }
  | { type: 'setup'; setup: StationSetup }
  | { type: 'station-state'; state: StationState }
  | { type: 'supervisor'; unlocked: boolean };

export interface StationCalls {
  /** Returns the application's name and version, and whether its services are running. */
  appInfo(): Promise<AppInfo>;
  /** Returns the saved setup without its secrets. */
  setupGet(): Promise<StationSetup>;
  /** Saves the setup, or returns one message per invalid field. Needs the supervisor once a PIN is set. */
  setupSave(input: SetupInputArgument): Promise<SetupSaveResult>;
  /** Lists the device profile names on a server, signing in with the given or saved secret. */
  serverProfiles(server: ServerProfilesArgument): Promise<string[]>;
  /** Unlocks the settings for a few minutes when the PIN is right, unless wrong PINs block tries for now. */
  supervisorUnlock(pin: string): Promise<SupervisorState>;
  supervisorLock(): Promise<void>;
  supervisorState(): Promise<SupervisorState>;
  stationState(): Promise<StationState>;
  /** Returns one entry per port the station serves, in the order the ports appeared. */
  portJobs(): Promise<PortJob[]>;
  /** Gives a scanned serial number to the unit waiting for one, or to the next unit. */
  scanSerial(serial: string): Promise<ScanResult>;
  shiftCounters(): Promise<ShiftCounters>;
  /** Returns the outbox counts and the last contact with the server. */
  syncStatus(): Promise<SyncStatus>;
  /** Runs a sync now, ignoring retry delays; resolves when it ended. */
  syncNow(): Promise<SyncStatus>;
  queueList(): Promise<QueueEntry[]>;
  queueResolve(id: number, resolution: QueueResolution): Promise<QueueEntry[]>;
  historySearch(query: HistoryQuery): Promise<HistoryEntry[]>;
  /** Returns the matching history as CSV text, with the file name to save it under. */
  historyExport(query: HistoryQuery): Promise<{ fileName: string; csv: string }>;
}

/** The whole API the renderer gets as window.station: the calls, plus a subscription to events. */
export interface StationApi extends StationCalls {
  /** Calls `listener` for every station event until the returned function is called. */
  onEvent(listener: (event: StationEvent) => void): () => void;
}

export type CallName = keyof StationCalls;

const serverProfilesSchema = z.object({
  url: z.string().trim().url(),
  auth: z.enum(['password', 'api-key']),
  username: z.string().max(255).optional(),
  /** Omitted uses the saved secret. */
  password: z.string().max(1024).optional(),
  apiKey: z.string().max(1024).optional(),
});
export type ServerProfilesArgument = z.infer<typeof serverProfilesSchema>;
export type SetupInputArgument = z.input<typeof setupInputSchema>;

const historyQuerySchema = z.object({ text: z.string().max(200), limit: z.number().int().min(1).max(10_000) });

/**
 * Argument schemas per call, checked by main before any handler runs. setupSave takes any
 * object here, because its field-by-field check returns messages instead of rejecting the call.
 */
export const CALL_ARGUMENTS = {
  appInfo: z.tuple([]),
  setupGet: z.tuple([]),
  setupSave: z.tuple([z.record(z.string(), z.unknown())]),
  serverProfiles: z.tuple([serverProfilesSchema]),
  supervisorUnlock: z.tuple([z.string().max(64)]),
  supervisorLock: z.tuple([]),
  supervisorState: z.tuple([]),
  stationState: z.tuple([]),
  portJobs: z.tuple([]),
  scanSerial: z.tuple([z.string().max(256)]),
  shiftCounters: z.tuple([]),
  syncStatus: z.tuple([]),
  syncNow: z.tuple([]),
  queueList: z.tuple([]),
  queueResolve: z.tuple([z.number().int().positive(), z.enum(QUEUE_RESOLUTIONS)]),
  historySearch: z.tuple([historyQuerySchema]),
  historyExport: z.tuple([historyQuerySchema]),
} as const satisfies Record<CallName, z.ZodType>;

export const CALL_NAMES = Object.keys(CALL_ARGUMENTS) as CallName[];

/** Electron IPC channel of each call: the call name in kebab case, such as setup-save. */
export function callChannel(name: CallName): string {
  return `station:${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** Electron IPC channel that carries StationEvents from main to the renderer. */
export const EVENT_CHANNEL = 'station:event';

/** A call's reply on either transport. `message` is the user-facing text for `code`. */
export type CallReply<T = unknown> = { ok: true; value: T } | { ok: false; code: ReasonCode | 'invalid-call'; message: string };

/** The error a transport throws in the renderer when a call's reply is not ok. */
export class StationCallError extends Error {
  constructor(
    readonly code: ReasonCode | 'invalid-call',
    message: string,
  ) {
    super(message);
    this.name = 'StationCallError';
  }
}

/** Unwraps a CallReply: its value, or a StationCallError with its code and message. */
export function unwrapReply<T>(reply: CallReply<T>): T {
  if (reply.ok) {
    return reply.value;
  }
  throw new StationCallError(reply.code, reply.message);
}

/** The WebSocket protocol: a request per call, its reply with the same id, and events. */
export type WsClientMessage = { id: number; call: CallName; args: unknown[] };
export type WsServerMessage = { id: number; reply: CallReply } | { event: StationEvent };
