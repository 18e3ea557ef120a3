// The station service's one sync worker. Runs never overlap: a request while a run is going
// waits for it and then runs once more, however many requests came in between. A timer runs it
// while uploads are queued, so a server that comes back is noticed without an operator.
import type { SyncStatus } from '../../shared/api';
import type { StationSetup } from '../../shared/setup';
import { getLogger } from '../log';
import type { Store } from '../store/store';
import { readSyncStatus } from '../sync/status';
import { SyncEngine, type SyncSummary } from '../sync/sync';
import type { ServerConnection } from '../thingsboard/connection';
import { completePendingQa } from '../qa/qa-completion';
import { QaRepository } from '../store/qa-repository';
import { savedConnection } from './setup-repository';

const log = getLogger('sync');

export interface SyncWorkerOptions {
  intervalMs: number;
  onStatus: (status: SyncStatus) => void;
}

export class SyncWorker {
  private connection: ServerConnection | undefined;
  private deviceProfile: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SyncSummary | undefined> = Promise.resolve(undefined);
  private next: Promise<SyncSummary | undefined> | undefined;

  constructor(
    private readonly store: Store,
    private readonly options: SyncWorkerOptions,
  ) {}

  /** Takes the server and device profile of a saved setup; offline drops the connection. */
  configure(setup: StationSetup): void {
    this.connection = setup.configured ? savedConnection(this.store) : undefined;
    this.deviceProfile = setup.deviceProfile ?? undefined;
  }

  get connected(): ServerConnection | undefined {
    return this.connection;
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.connection !== undefined && (this.store.outboxCounts().queued > 0 || new QaRepository(this.store.database).unfinished().length > 0)) {
        void this.request(false);
      }
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.next;
    await this.running;
  }

  status(): SyncStatus {
    return readSyncStatus(this.store, this.connection !== undefined);
  }

  /** Runs a sync now, retry delays included; resolves when it ended. */
  runNow(): Promise<SyncSummary | undefined> {
    return this.request(true);
  }

  /** Runs a sync after a passed unit; the runner waits for it to tell whether the unit synced. */
  afterUnit(): Promise<SyncSummary | undefined> {
    return this.request(false);
  }

  private request(ignoreBackoff: boolean): Promise<SyncSummary | undefined> {
    if (this.next !== undefined) {
      return this.next;
    }
    const run = this.running.then(() => {
      this.next = undefined;
      return this.runOnce(ignoreBackoff);
    });
    this.next = run;
    this.running = run;
    return run;
  }

  private async runOnce(ignoreBackoff: boolean): Promise<SyncSummary | undefined> {
    const connection = this.connection;
    if (connection === undefined) {
      return undefined;
    }
    try {
      const engine = new SyncEngine(this.store, connection.client, this.deviceProfile === undefined ? {} : { deviceProfile: this.deviceProfile });
      const summary = await engine.runOnce({ ignoreBackoff });
      if (summary.stoppedBy !== undefined) {
        log.info({ reason: summary.stoppedBy.code, queued: summary.queued }, 'sync stopped with uploads still queued');
      }
      const qa = await completePendingQa(this.store, connection.client);
      if (qa.completed > 0) {
        log.info(qa, 'deferred QA checks completed');
      }
      return summary;
    } catch (error) {
      log.error({ err: error }, 'sync run failed; uploads stay queued');
      return undefined;
    } finally {
      this.options.onStatus(this.status());
    }
  }
}
