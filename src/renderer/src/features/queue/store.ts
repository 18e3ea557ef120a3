// The queue store: uploads that are not done, resolving parked ones, and "Sync now".
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { QueueEntry, QueueResolution, StationApi, SyncStatus } from '../../../../shared/api';
import type { ReportError } from '../alerts/store';

export interface QueueState {
  entries: QueueEntry[];
  loaded: boolean;
  /** The entry whose resolution is under way, so its buttons wait. */
  resolvingId: number | null;
  syncing: boolean;

  load: () => Promise<void>;
  resolve: (id: number, resolution: QueueResolution) => Promise<void>;
  syncNow: () => Promise<void>;
}

export interface QueueStoreOptions {
  api: StationApi;
  report: ReportError;
  /** Receives syncNow's status, so the header shows it without waiting for an event. */
  onSyncStatus: (status: SyncStatus) => void;
}

export function createQueueStore({ api, report, onSyncStatus }: QueueStoreOptions): StoreApi<QueueState> {
  // Numbers each queueList request, so an older list never replaces a newer one.
  let requests = 0;

  return createStore<QueueState>((set, get) => ({
    entries: [],
    loaded: false,
    resolvingId: null,
    syncing: false,

    async load() {
      const request = ++requests;
      try {
        const entries = await api.queueList();
        if (request === requests) {
          set({ entries, loaded: true });
        }
      } catch (error) {
        report(error);
      }
    },

    async resolve(id, resolution) {
      set({ resolvingId: id });
      const request = ++requests;
      try {
        const entries = await api.queueResolve(id, resolution);
        if (request === requests) {
          set({ entries, loaded: true });
        }
      } catch (error) {
        report(error);
      } finally {
        set({ resolvingId: null });
      }
    },

    async syncNow() {
      set({ syncing: true });
      try {
        onSyncStatus(await api.syncNow());
      } catch (error) {
        report(error);
      } finally {
        set({ syncing: false });
      }
      await get().load();
    },
  }));
}
