// `station status`: the state of the outbox, for a person or a script.
import { readSyncStatus } from '../../main/sync/sync';
import { Store } from '../../main/store/store';
import { EXIT, printJson } from '../output';

export function statusCommand(options: { db: string; json?: boolean }): number {
  const store = new Store(options.db, { create: false });
  try {
    const status = readSyncStatus(store);
    if (options.json === true) {
      printJson({ ...status });
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
