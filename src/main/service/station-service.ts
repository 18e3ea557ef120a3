// The station service: one object behind both transports (Electron IPC and the WebSocket of
// `station serve`). It owns the store, the station runner on the ports the setup selects, the
// sync worker, the supervisor lock and the scanned serial numbers, and sends a StationEvent
// for every change the operator's screens draw. It never imports Electron.
//   setup       setupGet, setupSave, serverProfiles, supervisorUnlock, supervisorLock
//   station     appInfo, stationState, portJobs, scanSerial, shiftCounters
//   sync        syncStatus, syncNow, queueList, queueResolve
//   history     historySearch, historyExport
import type {
  AppInfo,
  HistoryEntry,
  HistoryQuery,
  PortJob,
  QueueEntry,
  QueueResolution,
  ScanResult,
  ServerProfilesArgument,
  SetupSaveResult,
  ShiftCounters,
  StationApi,
  StationEvent,
  StationState,
  SupervisorState,
  SyncStatus,
} from '../../shared/api';
import { StationError } from '../../shared/reasons';
import { setupInputSchema, validateSetup, type StationSetup } from '../../shared/setup';
import type { SafeStorageLike } from '../credentials/x509/key-protector';
import { getLogger } from '../log';
import type { OpenLink } from '../provisioning/station-runner';
import { countJobsSince, searchHistory } from '../store/history-repository';
import { QaRepository } from '../store/qa-repository';
import { Store } from '../store/store';
import { historyCsv } from './history-csv';
import { toQueueEntry } from './queue-view';
import { RunnerHost } from './runner-host';
import { ScanDesk } from './scan-desk';
import { changedSettings, connectTo, loadSetup, saveSetup } from './setup-repository';
import { Supervisor } from './supervisor';
import { SyncWorker } from './sync-worker';

const log = getLogger('station');

export interface StationServiceOptions {
  /** The station database; created with its key file when missing. */
  dbPath: string;
  /** The transport that carries this service, reported by appInfo. */
  transport: 'ipc' | 'websocket';
  appName?: string;
  appVersion?: string;
  /** better-sqlite3 addon to load instead of the one npm built, such as an Electron build. */
  nativeBinding?: string;
  /** Opens a port's device link; serial ports at 115200 baud by default. */
  openLink?: OpenLink;
  /** Time between HELLO probes of idle ports. */
  probeIntervalMs?: number;
  /** Time between background sync runs while uploads are queued. */
  syncIntervalMs?: number;
  /** The 32-byte data key, when the caller keeps it (the desktop app seals it with the OS keychain). */
  dataKey?: Buffer;
  /** Electron's safeStorage, so an issuing CA key sealed with the OS keychain can be opened. */
  safeStorage?: SafeStorageLike;
  /** Something the operator should know about how the station runs, shown with appInfo. */
  notice?: string;
}

export interface StationService extends StationApi {
  /** Stops the runner and the sync loop, then closes the database. */
  close(): Promise<void>;
}

/** Shortest time the units-per-hour rate is taken over. */
const RATE_WINDOW_MS = 10 * 60_000;

/** Most queue entries one queueList call returns; the header badge counts all of them. */
const QUEUE_LIST_LIMIT = 500;

export async function openStationService(options: StationServiceOptions): Promise<StationService> {
  const store = new Store(options.dbPath, {
    ...(options.nativeBinding === undefined ? {} : { nativeBinding: options.nativeBinding }),
    ...(options.dataKey === undefined ? {} : { dataKey: options.dataKey }),
  });
  const service = new LiveStationService(store, options);
  await service.start();
  return service;
}

class LiveStationService implements StationService {
  private readonly listeners = new Set<(event: StationEvent) => void>();
  private readonly supervisor: Supervisor;
  private readonly scans: ScanDesk;
  private readonly sync: SyncWorker;
  private readonly runner: RunnerHost;
  private readonly shiftStartedAt = Date.now();

  constructor(
    private readonly store: Store,
    private readonly options: StationServiceOptions,
  ) {
    this.supervisor = new Supervisor(store, (unlocked) => this.emit({ type: 'supervisor', unlocked }));
    this.scans = new ScanDesk(store);
    this.sync = new SyncWorker(store, {
      intervalMs: options.syncIntervalMs ?? 5000,
      onStatus: (status) => this.emit({ type: 'sync-status', status }),
    });
    this.runner = new RunnerHost(store, this.sync, this.scans, {
      ...(options.safeStorage === undefined ? {} : { safeStorage: options.safeStorage }),
      ...(options.openLink === undefined ? {} : { openLink: options.openLink }),
      ...(options.probeIntervalMs === undefined ? {} : { probeIntervalMs: options.probeIntervalMs }),
      onEvent: (event) => this.emit(event),
      onUnit: () => {
        this.emit({ type: 'shift', counters: this.counters() });
        this.emit({ type: 'sync-status', status: this.sync.status() });
      },
    });
  }

  async start(): Promise<void> {
    this.sync.configure(this.setup());
    this.sync.start();
    await this.runner.restart(this.setup());
    log.info({ transport: this.options.transport, db: this.store.path }, 'station service started');
  }

  async close(): Promise<void> {
    await this.runner.stop();
    await this.sync.stop();
    this.supervisor.dispose();
    this.store.close();
    this.listeners.clear();
    log.info('station service stopped');
  }

  onEvent(listener: (event: StationEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  appInfo(): Promise<AppInfo> {
    return Promise.resolve({
      name: this.options.appName ?? 'Provisioning Station',
      version: this.options.appVersion ?? '0.0.0',
      servicesReady: true,
      transport: this.options.transport,
      ...(this.options.notice === undefined ? {} : { notice: this.options.notice }),
    });
  }

  setupGet(): Promise<StationSetup> {
    return Promise.resolve(this.setup());
  }

  async setupSave(input: Record<string, unknown>): Promise<SetupSaveResult> {
    if (!this.supervisor.unlocked) {
      throw new StationError('settings-locked');
    }
    const fieldErrors = validateSetup(input);
    if (Object.keys(fieldErrors).length > 0) {
      return { ok: false, fieldErrors };
    }
    const parsed = setupInputSchema.parse(input);
    const issuerError = this.runner.checkIssuer(parsed);
    if (issuerError !== undefined) {
      return { ok: false, fieldErrors: { x509Mode: issuerError } };
    }

    const before = this.setup();
    const saveErrors = saveSetup(this.store, parsed);
    if (Object.keys(saveErrors).length > 0) {
      return { ok: false, fieldErrors: saveErrors };
    }
    if (parsed.newPin !== undefined) {
      this.supervisor.setPin(parsed.newPin);
    }
    const after = this.setup();
    const secretChanged = parsed.server.mode === 'online' && ((parsed.server.password ?? '') !== '' || (parsed.server.apiKey ?? '') !== '');
    this.store.recordAudit('setup-changed', null, { changed: changedSettings(before, after), secretChanged, pinChanged: parsed.newPin !== undefined });
    log.info({ changed: changedSettings(before, after) }, 'station setup saved');

    this.emit({ type: 'setup', setup: after });
    this.sync.configure(after);
    this.emit({ type: 'sync-status', status: this.sync.status() });
    await this.runner.restart(after);
    return { ok: true, setup: after };
  }

  async serverProfiles(server: ServerProfilesArgument): Promise<string[]> {
    const { client } = connectTo(server, this.store);
    const page = await client.listDeviceProfiles(100, 0);
    return page.data.map((profile) => profile.name);
  }

  supervisorUnlock(pin: string): Promise<SupervisorState> {
    return Promise.resolve(this.supervisor.unlock(pin));
  }

  supervisorState(): Promise<SupervisorState> {
    return Promise.resolve(this.supervisor.state());
  }

  supervisorLock(): Promise<void> {
    this.supervisor.lock();
    return Promise.resolve();
  }

  stationState(): Promise<StationState> {
    return Promise.resolve(this.runner.state);
  }

  portJobs(): Promise<PortJob[]> {
    return Promise.resolve(this.runner.portJobs());
  }

  scanSerial(serial: string): Promise<ScanResult> {
    return Promise.resolve(this.scans.scan(serial, this.setup().naming));
  }

  shiftCounters(): Promise<ShiftCounters> {
    return Promise.resolve(this.counters());
  }

  syncStatus(): Promise<SyncStatus> {
    return Promise.resolve(this.sync.status());
  }

  async syncNow(): Promise<SyncStatus> {
    await this.sync.runNow();
    return this.sync.status();
  }

  queueList(): Promise<QueueEntry[]> {
    return Promise.resolve(this.store.pendingOutbox(QUEUE_LIST_LIMIT).map(toQueueEntry));
  }

  async queueResolve(id: number, resolution: QueueResolution): Promise<QueueEntry[]> {
    const entry = this.store.pendingOutbox(QUEUE_LIST_LIMIT).find((candidate) => candidate.id === id);
    const offered = entry === undefined ? [] : toQueueEntry(entry).resolutions;
    if (!offered.includes(resolution)) {
      throw new StationError('invalid-argument', `upload ${id} does not offer "${resolution}"; reload the queue`);
    }
    if (resolution === 'retry') {
      this.store.requeueParked(id);
    } else {
      this.store.resolveParked(id, resolution);
    }
    log.info({ entryId: id, resolution }, 'parked upload resolved by the operator');
    this.emit({ type: 'sync-status', status: this.sync.status() });
    void this.sync.runNow();
    return this.queueList();
  }

  historySearch(query: HistoryQuery): Promise<HistoryEntry[]> {
    return Promise.resolve(searchHistory(this.store.database, query, this.store.stationId()));
  }

  async historyExport(query: HistoryQuery): Promise<{ fileName: string; csv: string }> {
    const entries = await this.historySearch(query);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    this.store.recordAudit('history-exported', null, { rows: entries.length, text: query.text });
    return { fileName: `${this.store.stationId()}-history-${stamp}.csv`, csv: historyCsv(entries) };
  }

  private setup(): StationSetup {
    return loadSetup(this.store, this.supervisor.pinSet);
  }

  private counters(): ShiftCounters {
    // A QA station counts its QA runs: a pending run is neither passed nor failed yet.
    const counts =
      this.setup().mode === 'qa' ? new QaRepository(this.store.database).countSince(this.shiftStartedAt) : countJobsSince(this.store.database, this.shiftStartedAt);
    // The rate is over the time since the shift's first job, and at least RATE_WINDOW_MS, so
    // two quick units at the start do not read as thousands per hour.
    const elapsedMs = counts.firstStartedAt === null ? 0 : Math.max(Date.now() - counts.firstStartedAt, RATE_WINDOW_MS);
    const unitsPerHour = elapsedMs === 0 ? 0 : Math.round((counts.passed * 3_600_000) / elapsedMs);
    return { since: new Date(this.shiftStartedAt).toISOString(), passed: counts.passed, failed: counts.failed, unitsPerHour };
  }

  private emit(event: StationEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        log.error({ err: error, event: event.type }, 'an event listener failed');
      }
    }
  }
}
