// The sync engine: drains the outbox into ThingsBoard with a few units in flight at once, each
// unit's steps in order. Failures are classified:
//   retry           network errors and 5xx: the entry waits with exponential backoff and jitter
//   tenant backoff  429: the whole tenant shares one rate limit, so every worker pauses
//   needs sign-in   a refused sign-in: the run stops and the station shows "needs sign-in"
//   park            quota reached and other refusals: parked with the server's message
// Nothing is ever dropped: an entry leaves the queue only as done or parked.
import { isStationError, type ReasonCode } from '../../shared/reasons';
import { getLogger } from '../log';
import type { OutboxEntry, Store } from '../store/store';
import type { ThingsboardClient } from '../thingsboard/client';
import { runStep } from './steps';

const log = getLogger('sync');

export interface SyncSummary {
  synced: number;
  queued: number;
  parked: number;
  /** The reason the run stopped early with entries still queued; absent when it drained the outbox. */
  stoppedBy?: { code: ReasonCode; detail?: string };
}

export interface SyncEngineOptions {
  /** Units in flight at once; one unit's steps always run in order. */
  concurrency?: number;
  /** First retry delay after a network error or a 5xx; it doubles per failed attempt. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Pause of the whole run after a 429, doubled per 429 in a row. */
  tenantBackoffMs?: number;
  /** How many 429 pauses one run sits out before it stops and leaves the rest queued. */
  maxTenantBackoffs?: number;
  /** ThingsBoard device profile name for devices the sync creates; the server's default when absent. */
  deviceProfile?: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface RunOptions {
  /** Run entries whose retry time has not come yet, as an operator's manual sync expects. */
  ignoreBackoff?: boolean;
}

type Classification = 'retry' | 'tenant-backoff' | 'needs-sign-in' | 'park' | 'stop';

const CLASSES: Partial<Record<ReasonCode, Classification>> = {
  'server-unreachable': 'retry',
  'server-error': 'retry',
  'server-rate-limited': 'tenant-backoff',
  'server-auth-failed': 'needs-sign-in',
  'server-2fa-required': 'needs-sign-in',
  'server-permission-denied': 'needs-sign-in',
  'server-quota-exceeded': 'park',
  'server-rejected': 'park',
  'server-credential-taken': 'park',
  'store-key-missing': 'stop',
  'store-failed': 'stop',
};

/** Keys of the sync state kept in station_meta, for `station status` and the UI. */
export const SYNC_META = {
  needsSignIn: 'sync.needs_sign_in',
  lastContactAt: 'sync.last_contact_at',
  lastError: 'sync.last_error',
  lastRunAt: 'sync.last_run_at',
  serverClockSkewMs: 'sync.server_clock_skew_ms',
} as const;

export class SyncEngine {
  private readonly concurrency: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly tenantBackoffMs: number;
  private readonly maxTenantBackoffs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly deviceProfile: string | undefined;

  constructor(
    private readonly store: Store,
    private readonly client: ThingsboardClient,
    options: SyncEngineOptions = {},
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.retryBaseMs = options.retryBaseMs ?? 2_000;
    this.retryMaxMs = options.retryMaxMs ?? 300_000;
    this.tenantBackoffMs = options.tenantBackoffMs ?? 5_000;
    this.maxTenantBackoffs = options.maxTenantBackoffs ?? 3;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.deviceProfile = options.deviceProfile;
  }

  /** Runs every due entry once to done, parked or a scheduled retry, and returns the counts. */
  async runOnce(options: RunOptions = {}): Promise<SyncSummary> {
    const now = this.now();
    const due = this.store.queuedOutbox().filter((entry) => options.ignoreBackoff === true || entry.nextAttemptAt <= now);
    const run: RunState = { synced: 0, tenantBackoffs: 0, pausedUntil: 0, stoppedBy: undefined };
    this.store.setMeta(SYNC_META.lastRunAt, new Date(now).toISOString());

    let next = 0;
    const worker = async (): Promise<void> => {
      while (run.stoppedBy === undefined && next < due.length) {
        const entry = due[next];
        next += 1;
        if (entry !== undefined) {
          await this.syncUnit(entry, run);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, due.length) }, () => worker()));

    const counts = this.store.outboxCounts();
    const summary: SyncSummary = { synced: run.synced, queued: counts.queued, parked: counts.parked };
    if (run.stoppedBy !== undefined) {
      summary.stoppedBy = run.stoppedBy;
      this.store.setMeta(SYNC_META.lastError, describe(run.stoppedBy));
    }
    log.info({ ...summary }, 'sync run finished');
    return summary;
  }

  /** Runs one unit's remaining steps in order until it is done, parked, or must wait. */
  private async syncUnit(queued: OutboxEntry, run: RunState): Promise<void> {
    let entry = queued;
    while (run.stoppedBy === undefined) {
      await this.waitForTenant(run);
      if (run.stoppedBy !== undefined) {
        return;
      }

      try {
        const result = await runStep({
          store: this.store,
          client: this.client,
          entry,
          unit: this.store.getUnit(entry.unitId),
          credential: this.store.getCredential(entry.credentialId),
          ...(this.deviceProfile === undefined ? {} : { deviceProfile: this.deviceProfile }),
        });
        this.recordContact();
        run.tenantBackoffs = 0;

        if ('parked' in result) {
          this.store.parkOutbox(entry.id, result.parked);
          log.warn({ entryId: entry.id, step: entry.step }, 'upload parked for an operator');
          return;
        }
        if (result.next === 'done') {
          this.store.markOutboxDone(entry.id, result.deviceId);
          run.synced += 1;
          log.info({ entryId: entry.id, deviceId: result.deviceId }, 'device registered');
          return;
        }
        this.store.advanceOutbox(entry.id, result.next, result.deviceId);
        entry = this.store.getOutboxEntry(entry.id);
      } catch (error) {
        const handled = this.handleFailure(entry, error, run);
        if (handled === 'stop-unit') {
          return;
        }
      }
    }
  }

  private handleFailure(entry: OutboxEntry, error: unknown, run: RunState): 'stop-unit' | 'try-again' {
    const reason = toReason(error);
    const classification = CLASSES[reason.code] ?? 'retry';
    log.warn({ entryId: entry.id, step: entry.step, reason, classification }, 'sync step failed');

    switch (classification) {
      case 'park':
        this.store.parkOutbox(entry.id, describe(reason));
        return 'stop-unit';
      case 'tenant-backoff':
        run.tenantBackoffs += 1;
        if (run.tenantBackoffs > this.maxTenantBackoffs) {
          this.store.recordOutboxAttempt(entry.id, describe(reason));
          run.stoppedBy = reason;
          return 'stop-unit';
        }
        run.pausedUntil = Math.max(run.pausedUntil, this.now() + this.tenantBackoffMs * 2 ** (run.tenantBackoffs - 1));
        return 'try-again';
      case 'needs-sign-in':
        this.store.recordOutboxAttempt(entry.id, describe(reason));
        this.store.setMeta(SYNC_META.needsSignIn, describe(reason));
        run.stoppedBy = reason;
        return 'stop-unit';
      case 'stop':
        this.store.recordOutboxAttempt(entry.id, describe(reason));
        run.stoppedBy = reason;
        return 'stop-unit';
      case 'retry':
        this.store.recordOutboxAttempt(entry.id, describe(reason), this.now() + this.retryDelay(entry.attempts + 1));
        // An unreachable server fails every unit the same way, so the run ends here.
        if (reason.code === 'server-unreachable' && !isUnknownOutcomeReason(error)) {
          run.stoppedBy = reason;
        }
        return 'stop-unit';
    }
  }

  private async waitForTenant(run: RunState): Promise<void> {
    const wait = run.pausedUntil - this.now();
    if (wait > 0) {
      log.info({ waitMs: wait }, 'rate limited by the server; pausing every worker');
      await this.sleep(wait);
    }
  }

  /** Full-jitter exponential backoff: a random delay up to base * 2^(attempt-1), capped. */
  private retryDelay(attempt: number): number {
    const ceiling = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** Math.min(attempt - 1, 20));
    return Math.round(this.random() * ceiling);
  }

  private recordContact(): void {
    this.store.setMeta(SYNC_META.lastContactAt, new Date(this.now()).toISOString());
    this.store.setMeta(SYNC_META.needsSignIn, undefined);
    const contact = this.client.lastContact();
    if (contact !== undefined) {
      this.store.setMeta(SYNC_META.serverClockSkewMs, String(contact.serverClockSkewMs));
    }
  }
}

interface RunState {
  synced: number;
  tenantBackoffs: number;
  pausedUntil: number;
  stoppedBy: { code: ReasonCode; detail?: string } | undefined;
}

/** Returns whether the request may have reached the server (a lost response or a timeout), so other units may still get through. */
function isUnknownOutcomeReason(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { unknownOutcome?: unknown }).unknownOutcome === true;
}

function toReason(error: unknown): { code: ReasonCode; detail?: string } {
  if (isStationError(error)) {
    return error.detail === undefined ? { code: error.code } : { code: error.code, detail: error.detail };
  }
  log.error({ err: error }, 'unexpected error while syncing');
  return { code: 'internal', detail: error instanceof Error ? error.message : String(error) };
}

function describe(reason: { code: ReasonCode; detail?: string }): string {
  return reason.detail === undefined ? reason.code : `${reason.code}: ${reason.detail}`;
}
