// `station status`: where the outbox stands, for a person or a script.
import { SYNC_META } from '../../main/sync/sync';
import { Store } from '../../main/store/store';
import { EXIT, printJson } from '../output';

export function statusCommand(options: { db: string; json?: boolean }): number {
  const store = new Store(options.db, { create: false });
  try {
    const entries = store.listOutbox();
    const queued = entries.filter((entry) => entry.state === 'queued');
    const status = {
      stationId: store.stationId(),
      held: entries.filter((entry) => entry.state === 'held').length,
      queued: queued.length,
      // Queued uploads the server has already confirmed a step of.
      inFlight: queued.filter((entry) => entry.step !== 'create-device').length,
      parked: entries.filter((entry) => entry.state === 'parked').length,
      synced: entries.filter((entry) => entry.state === 'done').length,
      needsSignIn: store.getMeta(SYNC_META.needsSignIn) ?? null,
      lastContactAt: store.getMeta(SYNC_META.lastContactAt) ?? null,
      lastRunAt: store.getMeta(SYNC_META.lastRunAt) ?? null,
      lastError: store.getMeta(SYNC_META.lastError) ?? null,
    };

    if (options.json === true) {
      printJson(status);
    } else {
      for (const [key, value] of Object.entries(status)) {
        console.log(`${key}: ${value === null ? '-' : String(value)}`);
      }
    }
    return EXIT.ok;
  } finally {
    store.close();
  }
}
