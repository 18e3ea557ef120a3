// The sync engine under attack, on a real SQLite file against the stand-in on loopback: a step
// delivered twice, the server going away between two steps, a poisoned unit among good ones,
// and both JWTs expiring in the middle of a drain.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startThingsboardStandIn, type StandIn, type StandInOptions } from '../../src/devkit/thingsboard';
import { digestFields, generateAccessToken } from '../../src/main/credentials/generate';
import { Store } from '../../src/main/store/store';
import { SyncEngine, syncOutbox } from '../../src/main/sync/sync';
import { ThingsboardClient } from '../../src/main/thingsboard/client';
import { useTempDir } from '../helpers/temp-dir';
import { TENANT, serverDevices } from '../integration/rig';

const tempDir = useTempDir();
const servers: StandIn[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function standIn(options: StandInOptions = {}): Promise<StandIn> {
  const server = await startThingsboardStandIn({ host: '127.0.0.1', port: 0, ...options });
  servers.push(server);
  return server;
}

function queueUnits(store: Store, names: string[]): void {
  for (const name of names) {
    const unit = store.createUnit({ hardwareId: `HW-${name}`, name, model: 'M1', firmwareVersion: '1.0' });
    store.commitCredential(unit.id, generateAccessToken(), digestFields({}));
    store.releaseUploads(unit.id);
  }
}

describe('sync under faults', () => {
  it('survives a step whose response was lost after the server applied it', async () => {
    const server = await standIn();
    const store = new Store(join(tempDir(), 'station.db'));
    queueUnits(store, ['twice-1']);
    server.faults.dropResponseAfterCommit(1, { method: 'POST', path: /attributes\/SERVER_SCOPE/ });
    const client = new ThingsboardClient({ baseUrl: server.url, ...TENANT, timeoutMs: 3000 });

    const first = await syncOutbox(store, client);
    expect(first.queued).toBe(1);
    expect(store.queuedOutbox()[0]?.step).toBe('write-attributes');
    const second = await syncOutbox(store, client);

    expect(second).toEqual({ synced: 1, queued: 0, parked: 0 });
    expect(await serverDevices(server)).toHaveLength(1);
    expect(server.faults.requestCount('POST', '/api/device-with-credentials')).toBe(1);
    store.close();
  });

  it('resumes at the next step after the server went away between steps', async () => {
    const server = await standIn();
    const store = new Store(join(tempDir(), 'station.db'));
    queueUnits(store, ['restart-1', 'restart-2']);
    let wentDown = false;
    // The server stops just as the first attribute write is sent, as in a restart.
    const stopOnAttributes: typeof fetch = async (input, init) => {
      if (!wentDown && String(input instanceof Request ? input.url : input).includes('/attributes/SERVER_SCOPE')) {
        wentDown = true;
        await server.faults.setDown(true);
      }
      return fetch(input, init);
    };
    const client = new ThingsboardClient({ baseUrl: server.url, ...TENANT, timeoutMs: 3000, fetch: stopOnAttributes });

    const during = await new SyncEngine(store, client, { concurrency: 1 }).runOnce({ ignoreBackoff: true });
    expect(during.stoppedBy?.code).toBe('server-unreachable');
    expect(store.queuedOutbox().map((entry) => entry.step)).toEqual(['write-attributes', 'create-device']);

    await server.faults.setDown(false);
    const after = await syncOutbox(store, client);

    expect(after).toEqual({ synced: 2, queued: 0, parked: 0 });
    expect(await serverDevices(server)).toHaveLength(2);
    expect(server.faults.requestCount('POST', '/api/device-with-credentials')).toBe(2);
    store.close();
  });

  it('parks a poisoned unit without blocking the others', async () => {
    const server = await standIn();
    const store = new Store(join(tempDir(), 'station.db'));
    // The server rejects this name; the station's own check is bypassed to get it queued.
    queueUnits(store, ['good-1', 'bad {{name}}', 'good-2', 'good-3']);
    const client = new ThingsboardClient({ baseUrl: server.url, ...TENANT });

    const summary = await syncOutbox(store, client, { concurrency: 2 });

    expect(summary).toEqual({ synced: 3, queued: 0, parked: 1 });
    const parked = store.listOutbox().find((entry) => entry.state === 'parked');
    expect(parked?.lastError).toMatch(/^server-rejected: .*malformed/);
    expect((await serverDevices(server)).map((device) => device.name).sort()).toEqual(['good-1', 'good-2', 'good-3']);
    store.close();
  });

  it('signs in again when both tokens expire mid-drain', async () => {
    let clock = Date.now();
    const now = () => clock;
    const server = await standIn({ now, accessTokenTtlSeconds: 60, refreshTokenTtlSeconds: 120 });
    const store = new Store(join(tempDir(), 'station.db'));
    queueUnits(store, ['expiry-1', 'expiry-2', 'expiry-3']);
    const client = new ThingsboardClient({ baseUrl: server.url, ...TENANT, now });
    const loginsBefore = server.faults.requestCount('POST', '/api/auth/login');

    const first = await new SyncEngine(store, client, { concurrency: 1 }).runOnce();
    expect(first.synced).toBe(3);
    queueUnits(store, ['expiry-4', 'expiry-5']);
    clock += 10 * 60_000;
    const second = await new SyncEngine(store, client, { concurrency: 1 }).runOnce();

    expect(second).toEqual({ synced: 2, queued: 0, parked: 0 });
    expect(server.faults.requestCount('POST', '/api/auth/login') - loginsBefore).toBe(2);
    expect(await serverDevices(server)).toHaveLength(5);
    store.close();
  });
});
