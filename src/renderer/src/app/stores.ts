// Builds every feature store over one StationApi and routes the station's events to them.
import type { StoreApi } from 'zustand/vanilla';
import type { StationApi, StationEvent } from '../../../shared/api';
import type { ConnectionState } from '../api/ws-client';
import { createAlertsStore, type AlertsState } from '../features/alerts/store';
import { createHistoryStore, type HistoryState } from '../features/history/store';
import { createProvisionStore, type ProvisionState } from '../features/provision/store';
import { createQueueStore, type QueueState } from '../features/queue/store';
import { createSupervisorStore, type SupervisorState } from '../features/settings/store';
import { createSetupStore, type SetupState } from '../features/setup/store';
import { createShellStore, type ShellState } from '../features/shell/store';
import { createSyncStore, type SyncState } from '../features/sync/store';

/** The part of the WebSocket client that reports its connection; Electron IPC has none. */
export interface StationConnection {
  connectionState(): ConnectionState;
  onConnectionState(listener: (state: ConnectionState) => void): () => void;
}

export interface Stores {
  api: StationApi;
  connection: StationConnection | undefined;
  alerts: StoreApi<AlertsState>;
  shell: StoreApi<ShellState>;
  sync: StoreApi<SyncState>;
  setup: StoreApi<SetupState>;
  supervisor: StoreApi<SupervisorState>;
  provision: StoreApi<ProvisionState>;
  queue: StoreApi<QueueState>;
  history: StoreApi<HistoryState>;
}

export interface CreateStoresOptions {
  /** Saves the history export; the browser download unless a test records it instead. */
  saveFile?: (fileName: string, text: string, type: string) => void;
}

export function createStores(api: StationApi, options: CreateStoresOptions = {}): Stores {
  const alerts = createAlertsStore();
  const report = (error: unknown): void => alerts.getState().report(error);
  const sync = createSyncStore(api, report);
  const supervisor = createSupervisorStore(api, report);

  return {
    api,
    connection: reportsConnection(api) ? api : undefined,
    alerts,
    shell: createShellStore(api, report),
    sync,
    setup: createSetupStore({ api, report, onLocked: () => supervisor.getState().markLocked() }),
    supervisor,
    provision: createProvisionStore(api, report),
    queue: createQueueStore({ api, report, onSyncStatus: (status) => sync.getState().apply(status) }),
    history: createHistoryStore({ api, report, ...options }),
  };
}

/** Passes one station event to the store it changes. */
export function applyEvent(stores: Stores, event: StationEvent): void {
  switch (event.type) {
    case 'port-job':
      stores.provision.getState().applyJob(event.job);
      return;
    case 'port-removed':
      stores.provision.getState().removePort(event.port);
      return;
    case 'shift':
      stores.provision.getState().applyCounters(event.counters);
      return;
    case 'sync-status':
      stores.sync.getState().apply(event.status);
      return;
    case 'setup':
      stores.setup.getState().applySaved(event.setup);
      return;
    case 'station-state':
      stores.shell.getState().applyStationState(event.state);
      return;
    case 'supervisor':
      stores.supervisor.getState().applyUnlocked(event.unlocked);
      return;
  }
}

function reportsConnection(api: StationApi): api is StationApi & StationConnection {
  const candidate = api as Partial<StationConnection>;
  return typeof candidate.connectionState === 'function' && typeof candidate.onConnectionState === 'function';
}

/**
 * Subscribes to the station's events, then loads what every screen needs. Subscribing first
 * means no change is lost between a load and its first event. Over a WebSocket, loading waits
 * for the connection and runs again after each reconnect, because events sent while it was
 * down are lost. Returns the function that unsubscribes.
 */
export function startStores(stores: Stores): () => void {
  const unsubscribeEvents = stores.api.onEvent((event) => applyEvent(stores, event));
  const { connection } = stores;
  if (connection === undefined) {
    loadAll(stores);
    return unsubscribeEvents;
  }

  const follow = (state: ConnectionState): void => {
    stores.shell.getState().applyConnection(state);
    if (state === 'open') {
      loadAll(stores);
    }
  };
  follow(connection.connectionState());
  const unsubscribeConnection = connection.onConnectionState(follow);
  return () => {
    unsubscribeConnection();
    unsubscribeEvents();
  };
}

/** Loads the data of the frame and the main screen, and refreshes the lists already shown once. */
function loadAll(stores: Stores): void {
  void stores.shell.getState().load();
  void stores.setup.getState().load();
  void stores.supervisor.getState().load();
  void stores.sync.getState().load();
  void stores.provision.getState().load();
  if (stores.queue.getState().loaded) {
    void stores.queue.getState().load();
  }
  const history = stores.history.getState();
  if (history.loaded) {
    void history.search(history.text);
  }
}
