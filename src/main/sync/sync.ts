// Entry points to sync for the command line and the desktop app. See engine.ts for how the
// outbox is drained and steps.ts for the steps of one unit.
import type { Store } from '../store/store';
import type { ThingsboardClient } from '../thingsboard/client';
import { SyncEngine, type SyncEngineOptions, type SyncSummary } from './engine';

export { SyncEngine, SYNC_META, type SyncEngineOptions, type SyncSummary } from './engine';
export { PROVISIONING_ATTRIBUTE, toThingsboardCredentials } from './steps';
export { readSyncStatus } from './status';

/** Drains the outbox once, retrying now even entries that are waiting out a backoff. */
export function syncOutbox(store: Store, client: ThingsboardClient, options: SyncEngineOptions = {}): Promise<SyncSummary> {
  return new SyncEngine(store, client, options).runOnce({ ignoreBackoff: true });
}
