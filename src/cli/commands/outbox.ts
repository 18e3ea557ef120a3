// `station outbox`: what sync still owes the server, and what is parked for an operator.
//   held     the unit has not passed yet, so nothing is sent
//   queued   waiting for `station sync`
//   done     the server confirmed it
//   parked   the server refused it; the last error says why
//   retired  replaced by a newer credential that the device holds instead
import { StationError } from '../../shared/reasons';
import { Store } from '../../main/store/store';
import { EXIT, formatTable, printJson } from '../output';

export function outboxCommand(options: { db: string; json?: boolean }): number {
  const store = new Store(options.db, { create: false });
  try {
    const entries = store.listOutbox().map((entry) => {
      const unit = store.getUnit(entry.unitId);
      return { id: entry.id, device: unit.name, hardwareId: unit.hardwareId, state: entry.state, attempts: entry.attempts, lastError: entry.lastError ?? '' };
    });
    const counts = store.outboxCounts();

    if (options.json === true) {
      printJson({ entries, ...counts });
      return EXIT.ok;
    }
    if (entries.length === 0) {
      console.log('The outbox is empty: no unit has been provisioned with this database.');
      return EXIT.ok;
    }
    const rows = entries.map((entry) => ({
      id: entry.id,
      device: entry.device,
      'hardware id': entry.hardwareId,
      state: entry.state,
      'failed tries': entry.attempts,
      'last error': entry.lastError,
    }));
    console.log(formatTable(rows));
    console.log(Object.entries(counts).map(([state, count]) => `${state} ${count}`).join(', '));
    return EXIT.ok;
  } finally {
    store.close();
  }
}

export function resolveCommand(id: string, options: { db: string; overwrite?: boolean; reprovision?: boolean }): number {
  const entryId = Number(id);
  if (!Number.isInteger(entryId) || entryId <= 0) {
    throw new StationError('invalid-argument', `"${id}" is not an outbox entry id; see \`station outbox\``);
  }
  if ((options.overwrite === true) === (options.reprovision === true)) {
    throw new StationError('invalid-argument', 'give exactly one of --overwrite and --reprovision');
  }

  const store = new Store(options.db, { create: false });
  try {
    store.resolveParked(entryId, options.overwrite === true ? 'overwrite' : 'reprovision');
    console.log(
      options.overwrite === true
        ? `entry ${entryId} queued again: the next sync replaces the server credentials with the station's`
        : `entry ${entryId} retired: the next provisioning of this unit issues a new credential`,
    );
    return EXIT.ok;
  } finally {
    store.close();
  }
}
