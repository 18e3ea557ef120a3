// The smaller feature stores: supervisor, queue, history, sync, alerts, and how the stores start.
import { describe, expect, it } from 'vitest';
import type { ConnectionState } from '../../src/renderer/src/api/ws-client';
import { applyEvent, createStores, startStores } from '../../src/renderer/src/app/stores';
import { FakeStation, makeHistoryEntry, makeQueueEntry, makeSetup, makeSyncStatus } from './fake-station';

function setUp(): { station: FakeStation; stores: ReturnType<typeof createStores> } {
  const station = new FakeStation();
  return { station, stores: createStores(station) };
}

describe('supervisor store', () => {
  it('says Wrong PIN for a wrong PIN', async () => {
    const { stores } = setUp();

    expect(await stores.supervisor.getState().unlock('0000')).toBe(false);

    expect(stores.supervisor.getState().unlocked).toBe(false);
    expect(stores.supervisor.getState().pinError).toBe('Wrong PIN');
  });

  it('unlocks with the right PIN', async () => {
    const { station, stores } = setUp();
    stores.supervisor.getState().markLocked();

    expect(await stores.supervisor.getState().unlock(station.pin)).toBe(true);

    expect(stores.supervisor.getState().unlocked).toBe(true);
    expect(stores.supervisor.getState().lockedBySave).toBe(false);
    expect(stores.supervisor.getState().pinError).toBeNull();
  });

  it('locks again on a supervisor event', async () => {
    const { station, stores } = setUp();
    await stores.supervisor.getState().unlock(station.pin);

    applyEvent(stores, { type: 'supervisor', unlocked: false });

    expect(stores.supervisor.getState().unlocked).toBe(false);
  });

  it('locks on request', async () => {
    const { station, stores } = setUp();
    await stores.supervisor.getState().unlock(station.pin);

    await stores.supervisor.getState().lock();

    expect(station.callsTo('supervisorLock')).toHaveLength(1);
    expect(stores.supervisor.getState().unlocked).toBe(false);
  });
});

describe('queue store', () => {
  it('resolves a parked upload', async () => {
    const { station, stores } = setUp();
    station.queue = [makeQueueEntry({ id: 7, state: 'parked', reason: 'The server holds other credentials for this device', resolutions: ['retry', 'overwrite'] })];
    await stores.queue.getState().load();

    await stores.queue.getState().resolve(7, 'overwrite');

    expect(station.callsTo('queueResolve')).toEqual([[7, 'overwrite']]);
    expect(stores.queue.getState().entries[0]?.state).toBe('queued');
    expect(stores.queue.getState().resolvingId).toBeNull();
  });

  it('syncs now and shows the new status', async () => {
    const { station, stores } = setUp();
    station.queue = [makeQueueEntry({ id: 1, state: 'queued' })];
    station.status = makeSyncStatus({ queued: 1 });
    await stores.queue.getState().load();

    await stores.queue.getState().syncNow();

    expect(station.callsTo('syncNow')).toHaveLength(1);
    expect(stores.sync.getState().status?.queued).toBe(0);
    expect(stores.sync.getState().status?.lastContactAt).toBe('2025-03-04T10:05:00.000Z');
    expect(stores.queue.getState().entries).toEqual([]);
    expect(stores.queue.getState().syncing).toBe(false);
  });

  it('alerts when a resolution fails', async () => {
    const { station, stores } = setUp();
    station.failNext('queueResolve', new Error('ThingsBoard cannot be reached. Work continues offline; uploads stay queued until the server is back.'));

    await stores.queue.getState().resolve(3, 'retry');

    expect(stores.alerts.getState().alerts.map((alert) => alert.text)).toEqual(['ThingsBoard cannot be reached. Work continues offline; uploads stay queued until the server is back.']);
    expect(stores.queue.getState().resolvingId).toBeNull();
  });
});

describe('history store', () => {
  it('searches with the typed text', async () => {
    const { station, stores } = setUp();
    station.history = [makeHistoryEntry({ unitId: 1, name: 'TH-1-0001' }), makeHistoryEntry({ unitId: 2, name: 'TH-1-0002', hardwareId: 'HW0002' })];

    await stores.history.getState().search('0002');

    expect(station.callsTo('historySearch')).toEqual([[{ text: '0002', limit: 200 }]]);
    expect(stores.history.getState().entries.map((entry) => entry.unitId)).toEqual([2]);
  });

  it('ignores the result of an older search', async () => {
    const { station, stores } = setUp();
    station.history = [makeHistoryEntry({ unitId: 1, name: 'TH-1-0001' }), makeHistoryEntry({ unitId: 2, name: 'TH-1-0002', hardwareId: 'HW0002' })];
    const release = station.hold('historySearch');
    const older = stores.history.getState().search('');
    await stores.history.getState().search('0002');

    release();
    await older;

    expect(stores.history.getState().text).toBe('0002');
    expect(stores.history.getState().entries.map((entry) => entry.unitId)).toEqual([2]);
  });

  it('exports the search as CSV', async () => {
    const station = new FakeStation();
    station.history = [makeHistoryEntry({ name: 'TH-1-0001', hardwareId: 'HW0001' })];
    const saved: { fileName: string; text: string; type: string }[] = [];
    const stores = createStores(station, { saveFile: (fileName, text, type) => saved.push({ fileName, text, type }) });
    await stores.history.getState().search('hw0001');

    await stores.history.getState().exportCsv();

    expect(station.callsTo('historyExport')).toEqual([[{ text: 'hw0001', limit: 10_000 }]]);
    expect(saved).toEqual([{ fileName: 'history-LINE1-ST3.csv', text: 'name,hardwareId\nTH-1-0001,HW0001', type: 'text/csv;charset=utf-8' }]);
    expect(stores.history.getState().exporting).toBe(false);
  });
});

describe('sync store', () => {
  it('takes the status from events', () => {
    const { stores } = setUp();

    applyEvent(stores, { type: 'sync-status', status: makeSyncStatus({ queued: 4, parked: 1 }) });

    expect(stores.sync.getState().status?.queued).toBe(4);
    expect(stores.sync.getState().status?.parked).toBe(1);
  });

  it('keeps an event that crossed a load', async () => {
    const { station, stores } = setUp();
    station.status = makeSyncStatus({ queued: 9 });
    const release = station.hold('syncStatus');

    const loading = stores.sync.getState().load();
    applyEvent(stores, { type: 'sync-status', status: makeSyncStatus({ queued: 2 }) });
    release();
    await loading;

    expect(stores.sync.getState().status?.queued).toBe(2);
  });
});

describe('alerts store', () => {
  it('moves a repeated message to the end', () => {
    const { stores } = setUp();

    stores.alerts.getState().report(new Error('first'));
    stores.alerts.getState().report(new Error('second'));
    stores.alerts.getState().report(new Error('first'));

    expect(stores.alerts.getState().alerts.map((alert) => alert.text)).toEqual(['second', 'first']);
  });

  it('keeps the five newest alerts', () => {
    const { stores } = setUp();

    for (let index = 1; index <= 7; index += 1) {
      stores.alerts.getState().report(new Error(`failure ${index}`));
    }

    expect(stores.alerts.getState().alerts.map((alert) => alert.text)).toEqual(['failure 3', 'failure 4', 'failure 5', 'failure 6', 'failure 7']);
  });

  it('shows a fallback for an empty error', () => {
    const { stores } = setUp();

    stores.alerts.getState().report(new Error(''));

    expect(stores.alerts.getState().alerts[0]?.text).toBe('The station returned an error without a message.');
  });

  it('dismisses one alert', () => {
    const { stores } = setUp();
    stores.alerts.getState().report(new Error('first'));
    stores.alerts.getState().report(new Error('second'));

    stores.alerts.getState().dismiss(stores.alerts.getState().alerts[0]?.id ?? -1);

    expect(stores.alerts.getState().alerts.map((alert) => alert.text)).toEqual(['second']);
  });
});

/** A FakeStation with a WebSocket client's connection state, switched by the test. */
class ConnectedStation extends FakeStation {
  state: ConnectionState = 'connecting';
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();

  connectionState(): ConnectionState {
    return this.state;
  }

  onConnectionState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => {
      this.stateListeners.delete(listener);
    };
  }

  switchTo(state: ConnectionState): void {
    this.state = state;
    for (const listener of [...this.stateListeners]) {
      listener(state);
    }
  }
}

describe('startStores', () => {
  it('loads at once over IPC', () => {
    const { station, stores } = setUp();

    const stop = startStores(stores);

    expect(station.callsTo('setupGet')).toHaveLength(1);
    expect(station.callsTo('portJobs')).toHaveLength(1);
    expect(station.listenerCount).toBe(1);
    stop();
    expect(station.listenerCount).toBe(0);
  });

  it('waits for the WebSocket to open', () => {
    const station = new ConnectedStation();
    const stores = createStores(station);

    startStores(stores);
    expect(station.callsTo('setupGet')).toEqual([]);
    expect(stores.shell.getState().connection).toBe('connecting');

    station.switchTo('open');
    expect(station.callsTo('setupGet')).toHaveLength(1);
    expect(stores.shell.getState().connection).toBe('open');
  });

  it('reloads after a reconnect', async () => {
    const station = new ConnectedStation();
    station.state = 'open';
    const stores = createStores(station);
    startStores(stores);
    await stores.queue.getState().load();

    station.switchTo('reconnecting');
    expect(stores.shell.getState().connection).toBe('reconnecting');
    station.switchTo('open');

    expect(station.callsTo('setupGet')).toHaveLength(2);
    expect(station.callsTo('portJobs')).toHaveLength(2);
    expect(station.callsTo('queueList')).toHaveLength(2);
    expect(station.callsTo('historySearch')).toEqual([]);
  });

  it('routes station events to the stores', () => {
    const { station, stores } = setUp();
    startStores(stores);

    station.emit({ type: 'station-state', state: { running: false, status: 'error', reasonCode: 'port-permission-denied', reasonDetail: '/dev/ttyUSB0' } });
    station.emit({ type: 'setup', setup: makeSetup({ stationId: 'LINE7-ST1' }) });

    expect(stores.shell.getState().stationState?.status).toBe('error');
    expect(stores.setup.getState().saved?.stationId).toBe('LINE7-ST1');
  });
});
