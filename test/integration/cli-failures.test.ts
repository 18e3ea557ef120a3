// Bad input and broken parts: each gives a one-line reason, and nothing already queued is lost.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runStation, type StationRun } from '../helpers/run-station';
import { useTempDir } from '../helpers/temp-dir';
import { TENANT, serverArgs, serverDevices, useRig } from './rig';

const tempDir = useTempDir();
const rig = useRig();

/** A database that already holds one unit whose upload is queued. */
async function databaseWithQueuedUnit(dir: string): Promise<string> {
  const db = join(dir, 'station.db');
  const device = await rig.device(dir, 'queued', { hardwareId: 'HW-QUEUED' });
  const run = await runStation(['provision', '--port', device.stationPath, '--db', db, '--json']);
  expect(run.json).toMatchObject({ result: 'passed', synced: false });
  return db;
}

async function queuedCount(db: string): Promise<number> {
  const outbox = await runStation(['outbox', '--db', db, '--json']);
  return outbox.json?.queued as number;
}

function expectOneLineReason(run: StationRun, pattern: RegExp): void {
  expect(run.code).not.toBe(0);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

describe('station failures', () => {
  it('reports an unknown port', async () => {
    const dir = tempDir();
    const db = await databaseWithQueuedUnit(dir);

    const run = await runStation(['provision', '--port', join(dir, 'no-such-port'), '--db', db, '--json']);

    expectOneLineReason(run, /Serial port not found: .*no-such-port/);
    expect(run.json).toMatchObject({ result: 'failed', reasonCode: 'port-not-found', synced: false });
    expect(await queuedCount(db)).toBe(1);
  });

  it('fails a device that never answers', async () => {
    const dir = tempDir();
    const db = await databaseWithQueuedUnit(dir);
    const device = await rig.device(dir, 'silent', { faults: { silent: true } });

    const run = await runStation(['provision', '--port', device.stationPath, '--db', db, '--json']);

    expectOneLineReason(run, /did not respond in time/);
    expect(run.json).toMatchObject({ result: 'failed', reasonCode: 'device-timeout' });
    expect(await queuedCount(db)).toBe(1);
  });

  it('fails on replies that stay corrupted', async () => {
    const dir = tempDir();
    const db = await databaseWithQueuedUnit(dir);
    const device = await rig.device(dir, 'noisy', { faults: { corruptReply: { always: true } } });

    const run = await runStation(['provision', '--port', device.stationPath, '--db', db, '--json']);

    expectOneLineReason(run, /corrupted/);
    expect(run.json).toMatchObject({ result: 'failed', reasonCode: 'device-corrupt-reply' });
    expect(await queuedCount(db)).toBe(1);
  });

  it('recovers from one corrupted reply and boot noise', async () => {
    const dir = tempDir();
    const device = await rig.device(dir, 'recover', { faults: { corruptReply: { command: 'commit' }, bootNoise: true } });

    const run = await runStation(['provision', '--port', device.stationPath, '--db', join(dir, 'station.db'), '--json']);

    expect(run.code, run.stderr).toBe(0);
    expect(run.json).toMatchObject({ result: 'passed' });
  });

  it('keeps the upload queued on a wrong password', async () => {
    const dir = tempDir();
    const db = await databaseWithQueuedUnit(dir);
    const server = await rig.server();

    const run = await runStation(['sync', '--db', db, '--server', server.url, '--username', TENANT.username, '--password', 'Wr0ng-Passw0rd', '--json']);

    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/sync stopped: ThingsBoard rejected the user name or password/);
    expect(run.stderr).not.toContain('Wr0ng-Passw0rd');
    expect(run.json).toMatchObject({ synced: 0, queued: 1, parked: 0, reasonCode: 'server-auth-failed' });
    expect(await serverDevices(server)).toHaveLength(0);
  });

  it('keeps the upload queued when the server is down', async () => {
    const dir = tempDir();
    const db = await databaseWithQueuedUnit(dir);
    const server = await rig.server();
    const url = server.url;
    await server.faults.setDown(true);

    const run = await runStation(['sync', '--db', db, '--server', url, '--username', TENANT.username, '--password', TENANT.password, '--json']);

    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/ThingsBoard cannot be reached/);
    expect(run.json).toMatchObject({ synced: 0, queued: 1, reasonCode: 'server-unreachable' });

    await server.faults.setDown(false);
    const later = await runStation(['sync', '--db', db, ...serverArgs(server), '--json']);
    expect(later.json).toMatchObject({ synced: 1, queued: 0 });
  });

  it('provision against down server queues upload', async () => {
    const dir = tempDir();
    const db = join(dir, 'station.db');
    const server = await rig.server();
    await server.faults.setDown(true);
    const device = await rig.device(dir, 'down', { hardwareId: 'HW-DOWN' });

    const run = await runStation(['provision', '--port', device.stationPath, '--db', db, ...serverArgs(server), '--json']);

    expect(run.code).toBe(3);
    expect(run.json).toMatchObject({ result: 'passed', synced: false, syncReasonCode: 'server-unreachable' });
    expect(run.stderr).toMatch(/upload queued: ThingsBoard cannot be reached/);
    expect(await queuedCount(db)).toBe(1);
  });

  it('never registers a unit that failed', async () => {
    const dir = tempDir();
    const db = join(dir, 'station.db');
    const server = await rig.server();
    const device = await rig.device(dir, 'cut', { hardwareId: 'HW-CUT', faults: { corruptReply: { command: 'commit', always: true } } });

    const failed = await runStation(['provision', '--port', device.stationPath, '--db', db, '--json']);
    expect(failed.json).toMatchObject({ result: 'failed' });
    const sync = await runStation(['sync', '--db', db, ...serverArgs(server), '--json']);

    expect(sync.json).toMatchObject({ synced: 0, queued: 0 });
    expect(await serverDevices(server)).toHaveLength(0);
    const outbox = await runStation(['outbox', '--db', db, '--json']);
    expect(outbox.json).toMatchObject({ held: 1 });
  });

  it('refuses a database that does not exist for sync and outbox', async () => {
    const missing = join(tempDir(), 'typo', 'station.db');

    const outbox = await runStation(['outbox', '--db', missing]);
    const sync = await runStation(['sync', '--db', missing, '--server', 'http://127.0.0.1:9', '--username', 'u', '--password', 'p']);

    expectOneLineReason(outbox, /does not exist; check --db/);
    expect(outbox.code).toBe(2);
    expectOneLineReason(sync, /does not exist; check --db/);
  });

  it('rejects a bad command line with exit code 2', async () => {
    const run = await runStation(['provision', '--db', join(tempDir(), 'x.db')]);
    expectOneLineReason(run, /--port/);
    expect(run.code).toBe(2);

    const badServer = await runStation(['sync', '--db', join(tempDir(), 'x.db'), '--server', 'not a url', '--username', 'u', '--password', 'p']);
    expectOneLineReason(badServer, /not a URL/);
    expect(badServer.code).toBe(2);
  });
});
