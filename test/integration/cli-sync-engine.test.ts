// The sync engine from the command line: --watch resumes by itself when the server comes back,
// status reports the counts, and an operator resolves a parked conflict.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runStation } from '../helpers/run-station';
import { useTempDir } from '../helpers/temp-dir';
import { TENANT, serverArgs, serverDevices, useRig } from './rig';

const tempDir = useTempDir();
const rig = useRig();
const STATION_BIN = fileURLToPath(new URL('../../bin/station.js', import.meta.url));

async function provisionOffline(dir: string, db: string, hardwareId: string): Promise<void> {
  const device = await rig.device(dir, hardwareId, { hardwareId });
  const run = await runStation(['provision', '--port', device.stationPath, '--db', db, '--json']);
  expect(run.json, run.stderr).toMatchObject({ result: 'passed' });
}

describe('station sync engine', () => {
  it('resumes by itself in --watch mode when the server comes back', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const db = join(dir, 'station.db');
    await provisionOffline(dir, db, 'HW-W1');
    await provisionOffline(dir, db, 'HW-W2');
    const server = await rig.server();
    await server.faults.setDown(true);

    const child = spawn(process.execPath, [STATION_BIN, 'sync', '--db', db, ...serverArgs(server), '--watch', '--interval', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    try {
      await waitFor(() => stderr.includes('ThingsBoard cannot be reached'), 10_000, () => stderr);
      await server.faults.setDown(false);
      await waitFor(() => stdout.includes('synced 2'), 20_000, () => stdout + stderr);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(await serverDevices(server)).toHaveLength(2);
  });

  it('syncs with an API key and never signs in with a password', async () => {
    const dir = tempDir();
    const db = join(dir, 'station.db');
    await provisionOffline(dir, db, 'HW-K1');
    const apiKey = `tb_${'k'.repeat(86)}`;
    const server = await rig.server({ apiKeys: [{ value: apiKey, user: TENANT.username }] });

    const run = await runStation(['sync', '--db', db, '--server', server.url, '--json'], { env: { STATION_SERVER_API_KEY: apiKey } });

    expect(run.code, run.stderr).toBe(0);
    expect(run.json).toMatchObject({ synced: 1, queued: 0 });
    expect(server.faults.requestCount('POST', '/api/auth/login')).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(apiKey);
  });

  it('reports counts, last contact and a needed sign-in in status', async () => {
    const dir = tempDir();
    const db = join(dir, 'station.db');
    await provisionOffline(dir, db, 'HW-S1');
    const server = await rig.server();

    const refused = await runStation(['sync', '--db', db, '--server', server.url, '--username', TENANT.username, '--password', 'Wr0ng-Passw0rd']);
    expect(refused.code).toBe(3);
    const before = await runStation(['status', '--db', db, '--json']);
    expect(before.json).toMatchObject({ queued: 1, synced: 0, parked: 0 });
    expect(before.json?.needsSignIn).toMatch(/server-auth-failed/);

    await runStation(['sync', '--db', db, ...serverArgs(server)]);
    const after = await runStation(['status', '--db', db, '--json']);
    expect(after.json).toMatchObject({ queued: 0, synced: 1, needsSignIn: null });
    expect(typeof after.json?.lastContactAt).toBe('string');
  });

  it('overwrites the server after an operator resolves a conflict', async () => {
    const dir = tempDir();
    const db = join(dir, 'station.db');
    const device = await rig.device(dir, 'conflict', { hardwareId: 'HW-C1' });
    await runStation(['provision', '--port', device.stationPath, '--db', db, '--json']);
    const server = await rig.server();
    // Someone registered the same name by hand, with another token.
    const client = await import('../../src/main/thingsboard/client');
    await new client.ThingsboardClient({ baseUrl: server.url, ...TENANT }).createDeviceWithCredentials(
      { name: 'PS-SIM-1-HW-C1' },
      { credentialsType: 'ACCESS_TOKEN', credentialsId: 'HandMadeToken00000000001' },
    );

    const parked = await runStation(['sync', '--db', db, ...serverArgs(server), '--json']);
    expect(parked.json).toMatchObject({ synced: 0, parked: 1 });
    const outbox = await runStation(['outbox', '--db', db, '--json']);
    const entry = (outbox.json?.entries as Array<{ id: number; lastError: string }>)[0];
    expect(entry?.lastError).toContain('server-credential-conflict');
    expect(entry?.lastError).not.toContain('HandMadeToken00000000001');

    const resolved = await runStation(['outbox', 'resolve', String(entry?.id), '--db', db, '--overwrite']);
    expect(resolved.code, resolved.stderr).toBe(0);
    const synced = await runStation(['sync', '--db', db, ...serverArgs(server), '--json']);

    expect(synced.json).toMatchObject({ synced: 1, parked: 0 });
    const onServer = await serverDevices(server);
    expect(onServer).toHaveLength(1);
    expect(onServer[0]?.credentialsId).toBe(device.state().stored.token);
  });
});

describe('station outbox resolve --reprovision', () => {
  it('gives the unit a new token that replaces the server one', async () => {
    const dir = tempDir();
    const db = join(dir, 'station.db');
    const device = await rig.device(dir, 'redo', { hardwareId: 'HW-R1' });
    await runStation(['provision', '--port', device.stationPath, '--db', db, '--json']);
    const firstToken = device.state().stored.token;
    const server = await rig.server();
    const client = await import('../../src/main/thingsboard/client');
    await new client.ThingsboardClient({ baseUrl: server.url, ...TENANT }).createDeviceWithCredentials(
      { name: 'PS-SIM-1-HW-R1' },
      { credentialsType: 'ACCESS_TOKEN', credentialsId: 'HandMadeToken00000000002' },
    );
    await runStation(['sync', '--db', db, ...serverArgs(server)]);
    const entryId = ((await runStation(['outbox', '--db', db, '--json'])).json?.entries as Array<{ id: number }>)[0]?.id;

    const resolved = await runStation(['outbox', 'resolve', String(entryId), '--db', db, '--reprovision']);
    expect(resolved.code, resolved.stderr).toBe(0);
    const again = await runStation(['provision', '--port', device.stationPath, '--db', db, ...serverArgs(server), '--json']);

    expect(again.json).toMatchObject({ result: 'passed', resumed: false, synced: true });
    const newToken = device.state().stored.token;
    expect(newToken).not.toBe(firstToken);
    const onServer = await serverDevices(server);
    expect(onServer).toHaveLength(1);
    expect(onServer[0]?.credentialsId).toBe(newToken);
  });
});

async function waitFor(condition: () => boolean, timeoutMs: number, context: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms; output so far:\n${context()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
