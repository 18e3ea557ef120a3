// The sync store: outbox counts and the last contact with the server, for the header badge.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { StationApi, SyncStatus } from '../../../../shared/api';
import type { ReportError } from '../alerts/store';

export interface SyncState {
  status: SyncStatus | undefined;
  load: () => Promise<void>;
  apply: (status: SyncStatus) => void;
}

export function createSyncStore(api: StationApi, report: ReportError): StoreApi<SyncState> {
  // Counts 'sync-status' events, so a reply that was under way when one came cannot undo it.
  let eventsSeen = 0;

  return createStore<SyncState>((set) => ({
    status: undefined,

    async load() {
      const eventsBefore = eventsSeen;
      try {
        const status = await api.syncStatus();
        if (eventsSeen === eventsBefore) {
          set({ status });
        }
      } catch (error) {
        report(error);
      }
    },

    apply(status) {
      eventsSeen += 1;
      set({ status });
    },
  }));
}
