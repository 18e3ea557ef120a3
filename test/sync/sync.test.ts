// Sync against the stand-in on loopback with a real SQLite file: the same upload twice, a
// response lost after the server committed, a name that already exists, and conflicts.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startThingsboardStandIn, type StandIn } from '../../src/devkit/thingsboard';
import { digestFields, generateAccessToken, generateMqttBasic } from '../../src/main/credentials/generate';
import { Store, type CredentialSecret } from '../../src/main/store/store';
import { PROVISIONING_ATTRIBUTE, syncOutbox, toThingsboardCredentials } from '../../src/main/sync/sync';
import { ThingsboardClient } from '../../src/main/thingsboard/client';
import { useTempDir } from '../helpers/temp-dir';
import { TENANT, serverDevices } from '../integration/rig';
import { afterEach } from 'vitest';

const tempDir = useTempDir();
const servers: StandIn[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function setUp(): Promise<{ store: Store; server: StandIn; client: ThingsboardClient }> {
  const server = await startThingsboardStandIn({ host: '127.0.0.1', port: 0 });
  servers.push(server);
  const store = new Store(join(tempDir(), 'station.db'));
  return { store, server, client: new ThingsboardClient({ baseUrl: server.url, ...TENANT, timeoutMs: 3000 }) };
}

function queueUnit(store: Store, hardwareId: string, secret: CredentialSecret = generateAccessToken()) {
  const unit = store.createUnit({ hardwareId, name: `dev-${hardwareId}`, model: 'M1', firmwareVersion: '000731' });
  store.commitCredential(unit.id, secret, digestFields({}));
  store.releaseUploads(unit.id);
  return { unit, secret };
}

describe('syncOutbox', () => {
  it('creates each device once and records its provisioning attribute', async () => {
    const { store, server, client } = await setUp();
    const { secret } = queueUnit(store, 'H1');

    expect(await syncOutbox(store, client)).toEqual({ synced: 1, queued: 0, parked: 0 });
    expect(await syncOutbox(store, client)).toEqual({ synced: 0, queued: 0, parked: 0 });

    const devices = await serverDevices(server);
    expect(devices).toHaveLength(1);
    expect(devices[0]?.credentialsId).toBe(secret.type === 'token' ? secret.token : '');
    const attributes = await client.getServerAttributes(devices[0]?.id ?? '', [PROVISIONING_ATTRIBUTE]);
    expect(attributes[0]?.value).toMatchObject({ hardwareId: 'H1', model: 'M1', firmwareVersion: '000731', credentialType: 'token' });
    store.close();
  });

  it('reconciles a create whose response was lost after the server committed', async () => {
    const { store, server, client } = await setUp();
    queueUnit(store, 'LOST');
    server.faults.dropResponseAfterCommit(1, { method: 'POST', path: '/api/device-with-credentials' });

    const summary = await syncOutbox(store, client);

    expect(summary).toEqual({ synced: 1, queued: 0, parked: 0 });
    expect(await serverDevices(server)).toHaveLength(1);
    expect(server.faults.requestCount('POST', '/api/device-with-credentials')).toBe(1);
    store.close();
  });

  it('treats an existing device with equal credentials as done', async () => {
    const { store, server, client } = await setUp();
    const { secret } = queueUnit(store, 'SAME');
    await client.createDeviceWithCredentials({ name: 'dev-SAME' }, toThingsboardCredentials(secret));

    expect(await syncOutbox(store, client)).toEqual({ synced: 1, queued: 0, parked: 0 });
    expect(await serverDevices(server)).toHaveLength(1);
    store.close();
  });

  it('reconciles "already exists" when the device appears between lookup and create', async () => {
    const { store, server, client } = await setUp();
    const { secret } = queueUnit(store, 'RACE');
    // Another station's request lands first: the lookup misses, then the create collides.
    server.faults.failNext(1, { status: 404, message: "Requested item wasn't found!", errorCode: 32 }, { method: 'GET', path: /deviceName=dev-RACE/ });
    await client.createDeviceWithCredentials({ name: 'dev-RACE' }, toThingsboardCredentials(secret));

    expect(await syncOutbox(store, client)).toEqual({ synced: 1, queued: 0, parked: 0 });
    expect(await serverDevices(server)).toHaveLength(1);
    store.close();
  });

  it('parks a device that exists with other credentials, masking both', async () => {
    const { store, server, client } = await setUp();
    const { secret } = queueUnit(store, 'OTHER');
    await client.createDeviceWithCredentials({ name: 'dev-OTHER' }, { credentialsType: 'ACCESS_TOKEN', credentialsId: 'ServerSideToken000000001' });

    const summary = await syncOutbox(store, client);

    expect(summary).toEqual({ synced: 0, queued: 0, parked: 1 });
    const entry = store.listOutbox()[0];
    expect(entry?.state).toBe('parked');
    expect(entry?.lastError).toContain('other token credentials');
    expect(entry?.lastError).not.toContain('ServerSideToken000000001');
    expect(entry?.lastError).not.toContain(secret.type === 'token' ? secret.token : '');
    expect((await serverDevices(server))[0]?.credentialsId).toBe('ServerSideToken000000001');
    store.close();
  });

  it('parks a token that another server device already uses', async () => {
    const { store, client } = await setUp();
    const { secret } = queueUnit(store, 'TAKEN');
    await client.createDeviceWithCredentials({ name: 'someone-else' }, toThingsboardCredentials(secret));

    expect(await syncOutbox(store, client)).toEqual({ synced: 0, queued: 0, parked: 1 });
    expect(store.listOutbox()[0]?.lastError).toMatch(/^server-credential-taken/);
    store.close();
  });

  it('leaves entries queued on a server error and syncs them later', async () => {
    const { store, server, client } = await setUp();
    queueUnit(store, 'E1');
    queueUnit(store, 'E2');
    server.faults.failNext(1, { status: 500, message: 'Database error', errorCode: 46 }, { method: 'POST', path: '/api/device-with-credentials' });

    const first = await syncOutbox(store, client);
    expect(first).toEqual({ synced: 1, queued: 1, parked: 0 });
    expect(store.queuedOutbox()[0]?.attempts).toBe(1);

    expect(await syncOutbox(store, client)).toEqual({ synced: 1, queued: 0, parked: 0 });
    expect(await serverDevices(server)).toHaveLength(2);
    store.close();
  });

  it('pauses every worker on a rate limit, then goes on', async () => {
    const { store, server, client } = await setUp();
    queueUnit(store, 'R1');
    queueUnit(store, 'R2');
    server.faults.failNext(1, { status: 429, message: 'Too many requests for current tenant!', errorCode: 33 });
    const pauses: number[] = [];

    const summary = await syncOutbox(store, client, { sleep: (ms) => Promise.resolve(void pauses.push(ms)), tenantBackoffMs: 5_000 });

    expect(summary).toEqual({ synced: 2, queued: 0, parked: 0 });
    expect(pauses.length).toBeGreaterThanOrEqual(1);
    expect(pauses[0]).toBeGreaterThan(4_000);
    expect(await serverDevices(server)).toHaveLength(2);
    store.close();
  });

  it('stops on a lasting rate limit and keeps every entry', async () => {
    const { store, server, client } = await setUp();
    queueUnit(store, 'L1');
    queueUnit(store, 'L2');
    server.faults.failNext(50, { status: 429, message: 'Too many requests for current tenant!', errorCode: 33 });

    const summary = await syncOutbox(store, client, { sleep: () => Promise.resolve(), concurrency: 1 });

    expect(summary.stoppedBy?.code).toBe('server-rate-limited');
    expect(summary.queued).toBe(2);
    store.close();
  });

  it('overwrites a server credential the station retired', async () => {
    const { store, server, client } = await setUp();
    const { unit, secret } = queueUnit(store, 'SWAP');
    await syncOutbox(store, client);
    const old = store.activeCredential(unit.id);
    store.retireCredential(old?.id ?? 0, 'the device never held it');
    const replacement = generateAccessToken();
    store.commitCredential(unit.id, replacement, digestFields({}));
    store.releaseUploads(unit.id);

    expect(await syncOutbox(store, client)).toEqual({ synced: 1, queued: 0, parked: 0 });

    const devices = await serverDevices(server);
    expect(devices).toHaveLength(1);
    expect(devices[0]?.credentialsId).not.toBe(secret.type === 'token' ? secret.token : '');
    expect(devices[0]?.credentialsId).toBe(replacement.type === 'token' ? replacement.token : '');
    store.close();
  });

  it('syncs MQTT basic credentials', async () => {
    const { store, server, client } = await setUp();
    queueUnit(store, 'MQ', generateMqttBasic('dev-MQ'));

    expect(await syncOutbox(store, client)).toEqual({ synced: 1, queued: 0, parked: 0 });
    expect(await syncOutbox(store, client)).toEqual({ synced: 0, queued: 0, parked: 0 });
    expect((await serverDevices(server))[0]?.credentialsType).toBe('MQTT_BASIC');
    store.close();
  });
});
