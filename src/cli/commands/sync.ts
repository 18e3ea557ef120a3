// `station sync`: drain the outbox into ThingsBoard once, or keep doing it with --watch.
import { describeReason } from '../../shared/messages';
import { StationError, type ReasonCode } from '../../shared/reasons';
import { Store } from '../../main/store/store';
import { completePendingQa } from '../../main/qa/qa-completion';
import { SyncEngine, type SyncSummary } from '../../main/sync/sync';
import { EXIT, printJson } from '../output';
import { parseServerOptions, type ServerOptions } from '../server-options';

export interface SyncCommandOptions extends ServerOptions {
  db: string;
  json?: boolean;
  watch?: boolean;
  /** Seconds between runs with --watch while the server is reachable. */
  interval: number;
  concurrency: number;
}

/** Maximum wait between tries while the server is unreachable in --watch mode. */
const MAX_OFFLINE_WAIT_MS = 60_000;

/** Reasons that --watch cannot outwait: an operator must act. */
const NEEDS_OPERATOR: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  'server-auth-failed',
  'server-2fa-required',
  'server-permission-denied',
  'store-key-missing',
  'store-failed',
]);

export async function syncCommand(options: SyncCommandOptions): Promise<number> {
  const connection = parseServerOptions(options);
  if (connection === undefined) {
    throw new StationError('invalid-argument', 'sync needs --server URL');
  }

  const store = new Store(options.db, { create: false });
  try {
    const engine = new SyncEngine(store, connection.client, { concurrency: options.concurrency });
    // Each run also finishes QA runs that waited for the server.
    const runOnce = async (ignoreBackoff: boolean): Promise<SyncSummary> => {
      const summary = await engine.runOnce({ ignoreBackoff });
      const qa = await completePendingQa(store, connection.client);
      if (qa.completed > 0 && options.json !== true) {
        console.log(`QA: ${qa.completed} deferred run(s) completed, ${qa.stillPending} still pending`);
      }
      return summary;
    };
    const summary = options.watch === true ? await watch(runOnce, options) : await runOnce(true);
    return finish(summary, options);
  } finally {
    store.close();
  }
}

/** Runs sync again and again, resuming by itself when an offline server comes back, until Ctrl+C. */
async function watch(runOnce: (ignoreBackoff: boolean) => Promise<SyncSummary>, options: SyncCommandOptions): Promise<SyncSummary> {
  let stopped = false;
  let wake: (() => void) | undefined;
  const stop = (): void => {
    stopped = true;
    wake?.();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  let offlineRuns = 0;
  let summary = await runOnce(true);
  for (;;) {
    printCounts(summary);
    if (summary.stoppedBy !== undefined && NEEDS_OPERATOR.has(summary.stoppedBy.code)) {
      return summary;
    }

    offlineRuns = summary.stoppedBy?.code === 'server-unreachable' ? offlineRuns + 1 : 0;
    const waitMs = offlineRuns > 0 ? Math.min(MAX_OFFLINE_WAIT_MS, options.interval * 1000 * 2 ** (offlineRuns - 1)) : options.interval * 1000;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    if (stopped) {
      return summary;
    }
    summary = await runOnce(offlineRuns > 0);
  }
}

function printCounts(summary: SyncSummary): void {
  console.log(`synced ${summary.synced}, queued ${summary.queued}, parked ${summary.parked}`);
  if (summary.stoppedBy !== undefined) {
    process.stderr.write(`sync stopped: ${describeReason(summary.stoppedBy.code, summary.stoppedBy.detail)}\n`);
  }
}

function finish(summary: SyncSummary, options: SyncCommandOptions): number {
  if (options.watch !== true) {
    printCounts(summary);
  }
  if (summary.stoppedBy === undefined && summary.parked > 0) {
    process.stderr.write('parked uploads need an operator: see `station outbox --db FILE`\n');
  }

  if (options.json === true) {
    const result: Record<string, unknown> = { synced: summary.synced, queued: summary.queued, parked: summary.parked };
    if (summary.stoppedBy !== undefined) {
      result.reason = describeReason(summary.stoppedBy.code, summary.stoppedBy.detail);
      result.reasonCode = summary.stoppedBy.code;
    }
    printJson(result);
  }

  if (summary.stoppedBy?.code.startsWith('store-') === true) {
    return EXIT.failed;
  }
  if (summary.queued > 0) {
    return EXIT.notSynced;
  }
  return summary.parked > 0 ? EXIT.failed : EXIT.ok;
}
