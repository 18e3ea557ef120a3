// An in-memory StationApi for the renderer's tests: it keeps the station's state in plain fields,
// emits events like the real service, records every call, and can fail or hold back one call.
import {
  StationCallError,
  type AppInfo,
  type CallName,
  type HistoryEntry,
  type HistoryQuery,
  type PortJob,
  type QueueEntry,
  type QueueResolution,
  type ScanResult,
  type ServerProfilesArgument,
  type SetupInputArgument,
  type SetupSaveResult,
  type ShiftCounters,
  type StationApi,
  type StationEvent,
  type StationState,
  type SupervisorState,
  type SyncStatus,
} from '../../src/shared/api';
import { describeReason } from '../../src/shared/messages';
import { checkScannedSerial } from '../../src/shared/scan';
import { setupInputSchema, validateSetup, type FieldErrors, type StationSetup } from '../../src/shared/setup';

export function makeSetup(overrides: Partial<StationSetup> = {}): StationSetup {
  return {
    configured: true,
    stationId: 'LINE1-ST3',
    mode: 'provision',
    server: { mode: 'offline' },
    deviceProfile: null,
    credentialType: 'token',
    x509Mode: 'ca-key',
    keyAlgorithm: 'ec-p256',
    naming: { mode: 'rule', rule: '{model}-{hardwareId}' },
    ports: { paths: ['/dev/ttyUSB0'], matches: [], patterns: [] },
    pinSet: false,
    ...overrides,
  };
}

export function makeJob(overrides: Partial<PortJob> = {}): PortJob {
  return {
    port: '/dev/ttyUSB0',
    identity: null,
    identityWarning: null,
    state: 'running',
    unitName: 'TH-1-0042',
    hardwareId: 'HW0042',
    step: 'hello',
    progress: null,
    result: null,
    reasonCode: null,
    reasonDetail: null,
    resumed: false,
    synced: null,
    startedAt: '2025-03-04T10:00:00.000Z',
    workflow: 'provision',
    checks: null,
    qaResult: null,
    ...overrides,
  };
}

export function makeSyncStatus(overrides: Partial<SyncStatus> = {}): SyncStatus {
  return {
    stationId: 'LINE1-ST3',
    held: 0,
    queued: 0,
    inFlight: 0,
    parked: 0,
    synced: 0,
    needsSignIn: null,
    lastContactAt: null,
    serverClockSkewMs: null,
    lastRunAt: null,
    lastError: null,
    serverConfigured: true,
    ...overrides,
  };
}

export function makeQueueEntry(overrides: Partial<QueueEntry> = {}): QueueEntry {
  return {
    id: 1,
    unitName: 'TH-1-0042',
    hardwareId: 'HW0042',
    credentialType: 'token',
    state: 'queued',
    step: 'create-device',
    attempts: 0,
    reason: null,
    nextAttemptAt: null,
    resolutions: [],
    ...overrides,
  };
}

export function makeHistoryEntry(overrides: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    unitId: 1,
    name: 'TH-1-0042',
    hardwareId: 'HW0042',
    model: 'TH-1',
    credentialType: 'token',
    fingerprint: '0123456789abcdef',
    result: 'passed',
    reasonCode: null,
    syncState: 'done',
    time: '2025-03-04T10:00:00.000Z',
    stationId: 'LINE1-ST3',
    port: '/dev/ttyUSB0',
    ...overrides,
  };
}

interface Gate {
  promise: Promise<void>;
  open: () => void;
}

export class FakeStation implements StationApi {
  info: AppInfo = { name: 'provisioning-station', version: '0.1.0', servicesReady: true, transport: 'ipc' };
  setup: StationSetup = makeSetup();
  stationStateValue: StationState = { running: true, status: 'running', reasonCode: null, reasonDetail: null };
  jobs: PortJob[] = [];
  counters: ShiftCounters = { since: '2025-03-04T06:00:00.000Z', passed: 0, failed: 0, unitsPerHour: 0 };
  status: SyncStatus = makeSyncStatus();
  queue: QueueEntry[] = [];
  history: HistoryEntry[] = [];
  profiles = ['default', 'thermostat'];
  pin = '2468';
  unlocked = false;
  /** Serial numbers that already belong to a unit, so a scan of one gets the hint 'taken'. */
  takenSerials = new Set<string>();
  /** setupSave returns these instead of saving, as the service does for checks only it can make. */
  saveFieldErrors: FieldErrors | undefined;

  readonly calls: { name: CallName; args: unknown[] }[] = [];
  private readonly failures = new Map<CallName, Error>();
  private readonly gates = new Map<CallName, Gate>();
  private readonly listeners = new Set<(event: StationEvent) => void>();

  /** Makes the next call of `name` reject with `error`. */
  failNext(name: CallName, error: Error): void {
    this.failures.set(name, error);
  }

  /**
   * Holds back the result of the next call of `name` until the returned function is called. The
   * result is computed when the call arrives, so it is as old as a reply that crossed an event.
   */
  hold(name: CallName): () => void {
    let open = (): void => undefined;
    const promise = new Promise<void>((resolve) => {
      open = resolve;
    });
    this.gates.set(name, { promise, open });
    return () => open();
  }

  callsTo(name: CallName): unknown[][] {
    return this.calls.filter((call) => call.name === name).map((call) => call.args);
  }

  emit(event: StationEvent): void {
    for (const listener of [...this.listeners]) {
      listener(event);
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  onEvent(listener: (event: StationEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  appInfo(): Promise<AppInfo> {
    return this.answer('appInfo', [], () => this.info);
  }

  setupGet(): Promise<StationSetup> {
    return this.answer('setupGet', [], () => this.setup);
  }

  setupSave(input: SetupInputArgument): Promise<SetupSaveResult> {
    return this.answer('setupSave', [input], () => this.save(input));
  }

  serverProfiles(server: ServerProfilesArgument): Promise<string[]> {
    return this.answer('serverProfiles', [server], () => this.profiles);
  }

  supervisorUnlock(pin: string): Promise<SupervisorState> {
    return this.answer('supervisorUnlock', [pin], () => {
      if (pin !== this.pin) {
        return { unlocked: false, retryAfterMs: null };
      }
      this.unlocked = true;
      this.emit({ type: 'supervisor', unlocked: true });
      return { unlocked: true, retryAfterMs: null };
    });
  }

  supervisorState(): Promise<SupervisorState> {
    return this.answer('supervisorState', [], () => ({ unlocked: this.unlocked, retryAfterMs: null }));
  }

  supervisorLock(): Promise<void> {
    return this.answer('supervisorLock', [], () => {
      this.unlocked = false;
      this.emit({ type: 'supervisor', unlocked: false });
    });
  }

  stationState(): Promise<StationState> {
    return this.answer('stationState', [], () => this.stationStateValue);
  }

  portJobs(): Promise<PortJob[]> {
    return this.answer('portJobs', [], () => [...this.jobs]);
  }

  scanSerial(serial: string): Promise<ScanResult> {
    return this.answer('scanSerial', [serial], () => this.scan(serial));
  }

  shiftCounters(): Promise<ShiftCounters> {
    return this.answer('shiftCounters', [], () => this.counters);
  }

  syncStatus(): Promise<SyncStatus> {
    return this.answer('syncStatus', [], () => this.status);
  }

  syncNow(): Promise<SyncStatus> {
    return this.answer('syncNow', [], () => {
      this.queue = this.queue.filter((entry) => entry.state !== 'queued');
      this.status = { ...this.status, queued: 0, lastContactAt: '2025-03-04T10:05:00.000Z', lastRunAt: '2025-03-04T10:05:00.000Z' };
      return this.status;
    });
  }

  queueList(): Promise<QueueEntry[]> {
    return this.answer('queueList', [], () => [...this.queue]);
  }

  queueResolve(id: number, resolution: QueueResolution): Promise<QueueEntry[]> {
    return this.answer('queueResolve', [id, resolution], () => {
      this.queue = this.queue.map((entry) => (entry.id === id ? { ...entry, state: 'queued', reason: null, resolutions: [] } : entry));
      return [...this.queue];
    });
  }

  historySearch(query: HistoryQuery): Promise<HistoryEntry[]> {
    return this.answer('historySearch', [query], () => this.matchHistory(query));
  }

  historyExport(query: HistoryQuery): Promise<{ fileName: string; csv: string }> {
    return this.answer('historyExport', [query], () => ({
      fileName: 'history-LINE1-ST3.csv',
      csv: ['name,hardwareId', ...this.matchHistory(query).map((entry) => `${entry.name},${entry.hardwareId}`)].join('\n'),
    }));
  }

  private async answer<T>(name: CallName, args: unknown[], run: () => T): Promise<T> {
    this.calls.push({ name, args });
    const failure = this.failures.get(name);
    if (failure !== undefined) {
      this.failures.delete(name);
      throw failure;
    }
    const value = run();
    const gate = this.gates.get(name);
    this.gates.delete(name);
    await gate?.promise;
    return value;
  }

  private save(input: SetupInputArgument): SetupSaveResult {
    if (this.setup.pinSet && !this.unlocked) {
      throw new StationCallError('settings-locked', describeReason('settings-locked'));
    }
    const fieldErrors = this.saveFieldErrors ?? validateSetup(input);
    if (Object.keys(fieldErrors).length > 0) {
      return { ok: false, fieldErrors };
    }

    const parsed = setupInputSchema.parse(input);
    const server: StationSetup['server'] =
      parsed.server.mode === 'offline'
        ? { mode: 'offline' }
        : { mode: 'online', url: parsed.server.url, auth: parsed.server.auth, username: parsed.server.username ?? null, secretSaved: true, mqttPort: parsed.server.mqttPort, mqttsPort: parsed.server.mqttsPort };
    this.setup = {
      configured: true,
      stationId: parsed.stationId,
      mode: parsed.mode,
      server,
      deviceProfile: parsed.deviceProfile,
      credentialType: parsed.credentialType,
      x509Mode: parsed.x509Mode,
      keyAlgorithm: parsed.keyAlgorithm,
      naming: parsed.naming,
      ports: parsed.ports,
      pinSet: this.setup.pinSet || parsed.newPin !== undefined,
    };
    if (parsed.newPin !== undefined) {
      this.pin = parsed.newPin;
    }
    this.emit({ type: 'setup', setup: this.setup });
    return { ok: true, setup: this.setup };
  }

  private scan(serial: string): ScanResult {
    const pattern = this.setup.naming.mode === 'scan' ? this.setup.naming.pattern : '.*';
    const check = checkScannedSerial(serial, pattern);
    if (!check.ok) {
      return { accepted: false, hint: check.hint };
    }
    if (this.takenSerials.has(check.serial)) {
      return { accepted: false, hint: 'taken' };
    }
    const waiting = this.jobs.find((job) => job.state === 'waiting-for-scan');
    return { accepted: true, serial: check.serial, port: waiting?.port ?? null };
  }

  private matchHistory(query: HistoryQuery): HistoryEntry[] {
    const text = query.text.toLowerCase();
    return this.history
      .filter((entry) => entry.name.toLowerCase().includes(text) || entry.hardwareId.toLowerCase().includes(text))
      .slice(0, query.limit);
  }
}
