// `station status`: the state of the outbox, for a person or a script.
import type { SyncStatus } from '../../shared/api';
import { readSyncStatus } from '../../main/sync/sync';
import { Store } from '../../main/store/store';
import { EXIT, printJson } from '../output';

/** The printed status: the command line takes its server per run, so it has no "server configured". */
type PrintedStatus = Omit<SyncStatus, 'serverConfigured'>;

const LABELS: Record<keyof PrintedStatus, string> = {
  stationId: 'station id',
  held: 'held (unit not passed yet)',
  queued: 'queued',
  inFlight: 'in flight',
  parked: 'parked',
  synced: 'synced',
  needsSignIn: 'needs sign-in',
  lastContactAt: 'last contact with the server',
  serverClockSkewMs: 'server clock skew (ms)',
  lastRunAt: 'last sync run',
  lastError: 'last error',
};

export function statusCommand(options: { db: string; json?: boolean }): number {
  const store = new Store(options.db, { create: false });
  try {
    const { serverConfigured: _serverConfigured, ...status } = readSyncStatus(store);
    if (options.json === true) {
      printJson({ ...status });
    } else {
      for (const key of Object.keys(LABELS) as Array<keyof PrintedStatus>) {
        const value = status[key];
        console.log(`${LABELS[key]}: ${value === null ? '-' : String(value)}`);
      }
    }
    return EXIT.ok;
  } finally {
    store.close();
  }
}
