// `station outbox`: what sync still owes the server, and what is parked for an operator.
import { Store } from '../../main/store/store';
import { EXIT, formatTable, printJson } from '../output';

export function outboxCommand(options: { db: string; json?: boolean }): number {
  const store = new Store(options.db);
  try {
    const rows = store.listOutbox().map((entry) => {
      const unit = store.getUnit(entry.unitId);
      return {
        id: entry.id,
        device: unit.name,
        hardwareId: unit.hardwareId,
        state: entry.state,
        attempts: entry.attempts,
        lastError: entry.lastError ?? '',
      };
    });

    if (options.json === true) {
      printJson({ entries: rows, ...store.outboxCounts() });
    } else if (rows.length === 0) {
      console.log('The outbox is empty.');
    } else {
      console.log(formatTable(rows));
    }
    return EXIT.ok;
  } finally {
    store.close();
  }
}
