// The sync status people see: outbox counts, the last contact with the server and the last
// error. `station status` prints it and the StationApi hands it to the renderer.
import type { SyncStatus } from '../../shared/api';
import type { Store } from '../store/store';
import { SYNC_META } from './engine';

/** `serverConfigured` is false for a station set up to work offline. */
export function readSyncStatus(store: Store, serverConfigured = true): SyncStatus {
  const entries = store.listOutbox();
  const queued = entries.filter((entry) => entry.state === 'queued');
  return {
    stationId: store.stationId(),
    held: entries.filter((entry) => entry.state === 'held').length,
    queued: queued.length,
    // Queued uploads of which the server has already confirmed a step.
    inFlight: queued.filter((entry) => entry.step !== 'create-device').length,
    parked: entries.filter((entry) => entry.state === 'parked').length,
    synced: entries.filter((entry) => entry.state === 'done').length,
    needsSignIn: store.getMeta(SYNC_META.needsSignIn) ?? null,
    lastContactAt: store.getMeta(SYNC_META.lastContactAt) ?? null,
    serverClockSkewMs: numberOrNull(store.getMeta(SYNC_META.serverClockSkewMs)),
    lastRunAt: store.getMeta(SYNC_META.lastRunAt) ?? null,
    lastError: store.getMeta(SYNC_META.lastError) ?? null,
    serverConfigured,
  };
}

function numberOrNull(value: string | undefined): number | null {
  return value === undefined ? null : Number(value);
}
