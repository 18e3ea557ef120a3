// The real path: socat pty pair, simulator on one end, `station provision` (a child process)
// on the other, the stand-in on loopback.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runStation } from '../helpers/run-station';
import { useTempDir } from '../helpers/temp-dir';
import { TENANT, serverArgs, serverDevices, useRig } from './rig';

const tempDir = useTempDir();
const rig = useRig();

describe('station provision', () => {
  it('writes a token the server holds for that name', async () => {
    const dir = tempDir();
    const server = await rig.server();
    const device = await rig.device(dir, 'unit-1', { hardwareId: 'HW-0001', model: 'TH-2' });

    const run = await runStation(['provision', '--port', device.stationPath, '--db', join(dir, 'station.db'), ...serverArgs(server), '--json']);

    expect(run.code, run.stderr).toBe(0);
    expect(run.json).toMatchObject({ name: 'TH-2-HW-0001', hardwareId: 'HW-0001', credentialType: 'token', result: 'passed', synced: true });
    const onServer = await serverDevices(server);
    expect(onServer).toHaveLength(1);
    expect(onServer[0]?.name).toBe('TH-2-HW-0001');
    expect(onServer[0]?.credentialsType).toBe('ACCESS_TOKEN');
    expect(device.state().stored.token).toMatch(/^[A-Za-z0-9]{20,32}$/);
    expect(device.state().stored.token).toBe(onServer[0]?.credentialsId);
  });

  it('queues offline units and registers each exactly once', async () => {
    const dir = tempDir();
    const db = join(dir, 'station.db');
    const server = await rig.server();
    const devices = [];
    for (const id of ['A1', 'A2', 'A3']) {
      devices.push(await rig.device(dir, id, { hardwareId: `HW-${id}` }));
    }

    for (const device of devices) {
      const run = await runStation(['provision', '--port', device.stationPath, '--db', db, '--json']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.json).toMatchObject({ result: 'passed', synced: false });
    }
    expect(await serverDevices(server)).toHaveLength(0);

    const first = await runStation(['sync', '--db', db, ...serverArgs(server), '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json).toEqual({ synced: 3, queued: 0, parked: 0 });
    const afterFirst = await serverDevices(server);
    expect(afterFirst.map((device) => device.name).sort()).toEqual(['PS-SIM-1-HW-A1', 'PS-SIM-1-HW-A2', 'PS-SIM-1-HW-A3']);
    for (const device of devices) {
      const name = `PS-SIM-1-${device.state().hardwareId}`;
      expect(afterFirst.find((entry) => entry.name === name)?.credentialsId).toBe(device.state().stored.token);
    }

    const creates = server.faults.requestCount('POST', '/api/device-with-credentials');
    const second = await runStation(['sync', '--db', db, ...serverArgs(server), '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.json).toEqual({ synced: 0, queued: 0, parked: 0 });
    expect(server.faults.requestCount('POST', '/api/device-with-credentials')).toBe(creates);
    expect(await serverDevices(server)).toEqual(afterFirst);
  });

  it('keeps one token and one server device for a unit provisioned twice', async () => {
    const dir = tempDir();
    const db = join(dir, 'station.db');
    const server = await rig.server();
    const device = await rig.device(dir, 'twice', { hardwareId: 'HW-TWICE' });

    const first = await runStation(['provision', '--port', device.stationPath, '--db', db, ...serverArgs(server), '--json']);
    const tokenAfterFirst = device.state().stored.token;
    await device.restart();
    const second = await runStation(['provision', '--port', device.stationPath, '--db', db, ...serverArgs(server), '--json']);

    expect(first.json).toMatchObject({ result: 'passed', synced: true, resumed: false });
    expect(second.json).toMatchObject({ result: 'passed', synced: true, resumed: true, name: first.json?.name });
    expect(device.state().stored.token).toBe(tokenAfterFirst);
    const onServer = await serverDevices(server);
    expect(onServer).toHaveLength(1);
    expect(onServer[0]?.credentialsId).toBe(tokenAfterFirst);
  });

  it('gives the same token again when the device lost it', async () => {
    const dir = tempDir();
    const db = join(dir, 'station.db');
    const device = await rig.device(dir, 'reflash', { hardwareId: 'HW-REFLASH' });

    await runStation(['provision', '--port', device.stationPath, '--db', db, '--json']);
    const token = device.state().stored.token;
    await device.wipe();
    expect(device.state().stored.token).toBeUndefined();
    const again = await runStation(['provision', '--port', device.stationPath, '--db', db, '--json']);

    expect(again.json).toMatchObject({ result: 'passed', resumed: false });
    expect(device.state().stored.token).toBe(token);
  });

  it('provisions MQTT basic credentials the server stores as such', async () => {
    const dir = tempDir();
    const server = await rig.server();
    const device = await rig.device(dir, 'mqtt', { hardwareId: 'HW-MQTT' });

    const run = await runStation([
      'provision', '--port', device.stationPath, '--db', join(dir, 'station.db'), '--credential', 'mqtt-basic', ...serverArgs(server), '--json',
    ]);

    expect(run.code, run.stderr).toBe(0);
    expect(run.json).toMatchObject({ credentialType: 'mqtt-basic', result: 'passed', synced: true });
    const stored = device.state().stored;
    expect(stored.mqtt_client_id).toBe('PS-SIM-1-HW-MQTT');
    expect(stored.mqtt_password).toMatch(/^[A-Za-z0-9]{32}$/);
    const onServer = await serverDevices(server);
    expect(onServer[0]?.credentialsType).toBe('MQTT_BASIC');
  });

  it('keeps the token out of output, logs and the database file', async () => {
    const dir = tempDir();
    const db = join(dir, 'station.db');
    const server = await rig.server();
    const device = await rig.device(dir, 'secret', { hardwareId: 'HW-SECRET' });

    const quiet = await runStation(['provision', '--port', device.stationPath, '--db', db, ...serverArgs(server), '--json']);
    const verbose = await runStation(['--verbose', 'provision', '--port', device.stationPath, '--db', db, ...serverArgs(server), '--json']);
    const outbox = await runStation(['outbox', '--db', db, '--json']);

    const token = device.state().stored.token ?? '';
    expect(token).toMatch(/^[A-Za-z0-9]{20,32}$/);
    expect(verbose.stderr).toContain('"subsystem":"sync"');
    for (const text of [quiet.stdout, quiet.stderr, verbose.stdout, verbose.stderr, outbox.stdout, readFileSync(`${db}.log`, 'utf8')]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(TENANT.password + '"');
    }
    for (const file of [db, `${db}-wal`]) {
      if (existsSync(file)) expect(readFileSync(file).includes(token)).toBe(false);
    }
  });

  it('uses a given name instead of the naming rule', async () => {
    const dir = tempDir();
    const device = await rig.device(dir, 'named', { hardwareId: 'HW-NAMED' });

    const run = await runStation(['provision', '--port', device.stationPath, '--db', join(dir, 'station.db'), '--name', 'SN-24-000731', '--json']);

    expect(run.json).toMatchObject({ name: 'SN-24-000731', result: 'passed' });
  });
});
