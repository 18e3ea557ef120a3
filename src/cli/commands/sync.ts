// `station sync`: drain the outbox into ThingsBoard.
import { describeReason } from '../../shared/messages';
import { StationError } from '../../shared/reasons';
import { Store } from '../../main/store/store';
import { syncOutbox } from '../../main/sync/sync';
import { EXIT, printJson } from '../output';
import { parseServerOptions, type ServerOptions } from '../server-options';

export interface SyncCommandOptions extends ServerOptions {
  db: string;
  json?: boolean;
}

export async function syncCommand(options: SyncCommandOptions): Promise<number> {
  const connection = parseServerOptions(options);
  if (connection === undefined) {
    throw new StationError('invalid-argument', 'sync needs --server URL');
  }

  const store = new Store(options.db, { create: false });
  try {
    const summary = await syncOutbox(store, connection.client);
    console.log(`synced ${summary.synced}, queued ${summary.queued}, parked ${summary.parked}`);
    if (summary.stoppedBy !== undefined) {
      process.stderr.write(`sync stopped: ${describeReason(summary.stoppedBy.code, summary.stoppedBy.detail)}\n`);
    } else if (summary.parked > 0) {
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
  } finally {
    store.close();
  }
}
