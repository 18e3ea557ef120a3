// The station service as both transports use it: setup, a unit provisioned on a pty pair, the
// events the screens draw, the queue offline and online, history and its export, the
// supervisor lock and scanned serial numbers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PortJob, StationEvent } from '../../src/shared/api';
import type { SetupInput } from '../../src/shared/setup';
import { openStationService, type StationService } from '../../src/main/service/station-service';
import { useTempDir } from '../helpers/temp-dir';
import { serverDevices, TENANT, useRig } from '../integration/rig';

const tempDir = useTempDir();
const rig = useRig();
const services: StationService[] = [];

afterEach(async () => {
  for (const service of services.splice(0)) {
    await service.close();
  }
});

async function open(dir: string): Promise<{ service: StationService; events: StationEvent[] }> {
  const service = await openStationService({ dbPath: join(dir, 'station.db'), transport: 'websocket', probeIntervalMs: 100, syncIntervalMs: 200 });
  services.push(service);
  const events: StationEvent[] = [];
  service.onEvent((event) => events.push(event));
  return { service, events };
}

function offlineSetup(paths: string[], overrides: Partial<SetupInput> = {}): SetupInput {
  return {
    stationId: 'LINE1-ST3',
    server: { mode: 'offline' },
    deviceProfile: null,
    credentialType: 'token',
    x509Mode: 'ca-key',
    keyAlgorithm: 'ec-p256',
    naming: { mode: 'rule', rule: 'unit-{hardwareId}' },
    ports: { paths, matches: [], patterns: [] },
    ...overrides,
  };
}

/** Waits for the port's job to end and returns it. */
async function finishedJob(service: StationService, port: string): Promise<PortJob> {
  return vi.waitFor(
    async () => {
      const job = (await service.portJobs()).find((candidate) => candidate.port === port);
      if (job?.result === null || job?.result === undefined || job.state !== 'done') {
        throw new Error(`job on ${port} not finished yet`);
      }
      return job;
    },
    { timeout: 15_000, interval: 50 },
  );
}

describe('station service', () => {
  it('reports a new station as not configured', async () => {
    const { service } = await open(tempDir());

    expect((await service.setupGet()).configured).toBe(false);
    expect((await service.stationState()).status).toBe('not-configured');
    expect(await service.portJobs()).toEqual([]);
  });

  it('returns field errors for an invalid setup', async () => {
    const { service } = await open(tempDir());

    const result = await service.setupSave({
      ...offlineSetup([]),
      stationId: 'has spaces',
      server: { mode: 'online', url: 'not a url', auth: 'password' },
      naming: { mode: 'rule', rule: '{model}-{serial}' },
    });

    expect(result.ok).toBe(false);
    const errors = result.ok ? {} : result.fieldErrors;
    expect(errors.stationId).toMatch(/letters, digits/);
    expect(errors['server.url']).toMatch(/server address/);
    expect(errors.ports).toMatch(/at least one port/);
    expect(errors['naming.rule']).toMatch(/only \{model\}, \{hardwareId\} and \{firmwareVersion\}/);
    expect((await service.setupGet()).configured).toBe(false);
  });

  it('provisions a unit offline and sends its events', async () => {
    const dir = tempDir();
    const device = await rig.device(dir, 'unit-a');
    const { service, events } = await open(dir);

    expect((await service.setupSave(offlineSetup([device.stationPath]))).ok).toBe(true);
    const job = await finishedJob(service, device.stationPath);

    expect(job.result).toBe('passed');
    expect(job.unitName).toBe(`unit-${device.state().hardwareId}`);
    const steps = events.flatMap((event) => (event.type === 'port-job' && event.job.port === device.stationPath && event.job.step !== null ? [event.job.step] : []));
    expect(steps).toEqual(expect.arrayContaining(['hello', 'check-device', 'write', 'verify']));
    expect(events.some((event) => event.type === 'port-job' && event.job.step === 'write' && event.job.progress === 1)).toBe(true);
    expect(events.some((event) => event.type === 'station-state' && event.state.status === 'running')).toBe(true);
    await vi.waitFor(async () => expect((await service.shiftCounters()).passed).toBe(1));
    expect(events.some((event) => event.type === 'sync-status' && event.status.queued === 1)).toBe(true);

    const queue = await service.queueList();
    expect(queue).toHaveLength(1);
    expect(queue[0]).toMatchObject({ unitName: job.unitName, state: 'queued', resolutions: [] });
    expect((await service.syncStatus()).serverConfigured).toBe(false);
  });

  it('syncs queued units once the server is set up', async () => {
    const dir = tempDir();
    const server = await rig.server();
    const device = await rig.device(dir, 'unit-b');
    const { service } = await open(dir);
    await service.setupSave(offlineSetup([device.stationPath]));
    await finishedJob(service, device.stationPath);

    const online = offlineSetup([device.stationPath], {
      server: { mode: 'online', url: server.url, auth: 'password', username: TENANT.username, password: TENANT.password },
      deviceProfile: 'gateway-v2',
    });
    expect((await service.setupSave(online)).ok).toBe(true);
    const status = await service.syncNow();

    expect(status).toMatchObject({ queued: 0, synced: 1, serverConfigured: true });
    const devices = await serverDevices(server);
    expect(devices.map((entry) => entry.credentialsId)).toEqual([device.state().stored.token]);
    const saved = await service.setupGet();
    expect(saved.server).toEqual({ mode: 'online', url: server.url, auth: 'password', username: TENANT.username, secretSaved: true, mqttPort: 1883, mqttsPort: 8883 });
    expect(JSON.stringify(saved)).not.toMatch(/"(password|apiKey)":/);
    expect(await service.serverProfiles({ url: server.url, auth: 'password', username: TENANT.username })).toEqual(expect.arrayContaining(['default', 'gateway-v2']));
  });

  it('exports history without the secret', async () => {
    const dir = tempDir();
    const device = await rig.device(dir, 'unit-c');
    const { service } = await open(dir);
    await service.setupSave(offlineSetup([device.stationPath]));
    const job = await finishedJob(service, device.stationPath);
    const token = device.state().stored.token ?? '';

    const history = await service.historySearch({ text: device.state().hardwareId.slice(-4), limit: 50 });
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ name: job.unitName, result: 'passed', syncState: 'queued', stationId: 'LINE1-ST3', port: device.stationPath });
    expect(history[0]?.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(await service.historySearch({ text: 'no-such-unit', limit: 50 })).toEqual([]);

    const exported = await service.historyExport({ text: '', limit: 1000 });
    expect(exported.fileName).toMatch(/^LINE1-ST3-history-.*\.csv$/);
    expect(exported.csv.split('\n')[0]).toContain('credential fingerprint');
    expect(exported.csv).toContain(job.unitName ?? '');
    expect(token.length).toBeGreaterThan(0);
    expect(exported.csv).not.toContain(token);
  });

  it('locks settings behind the supervisor PIN', async () => {
    const dir = tempDir();
    const { service, events } = await open(dir);
    expect((await service.setupSave({ ...offlineSetup(['/dev/null-port']), newPin: '4321' })).ok).toBe(true);
    await service.supervisorLock();

    await expect(service.setupSave(offlineSetup(['/dev/other-port']))).rejects.toMatchObject({ code: 'settings-locked' });
    expect(await service.supervisorUnlock('0000')).toEqual({ unlocked: false, retryAfterMs: null });
    expect((await service.supervisorState()).unlocked).toBe(false);
    expect(await service.supervisorUnlock('4321')).toEqual({ unlocked: true, retryAfterMs: null });
    expect((await service.setupSave(offlineSetup(['/dev/other-port']))).ok).toBe(true);

    expect(events).toContainEqual({ type: 'supervisor', unlocked: true });
    const audit = new Database(join(dir, 'station.db'), { readonly: true });
    const actions = audit.prepare('SELECT action, detail_json FROM audit ORDER BY id').all() as Array<{ action: string; detail_json: string }>;
    audit.close();
    expect(actions.map((row) => row.action)).toEqual(expect.arrayContaining(['setup-changed', 'supervisor-unlock-failed', 'supervisor-unlocked']));
    expect(actions.filter((row) => row.action === 'setup-changed').at(-1)?.detail_json).toContain('"ports"');
    const dbText = readFileSync(join(dir, 'station.db')).toString('latin1');
    expect(dbText).not.toContain('4321');
  });

  it('names a unit by its scanned serial number', async () => {
    const dir = tempDir();
    const device = await rig.device(dir, 'unit-d');
    const { service } = await open(dir);
    await service.setupSave(offlineSetup([device.stationPath], { naming: { mode: 'scan', pattern: 'SN[0-9]{6}' } }));

    await vi.waitFor(async () => expect((await service.portJobs())[0]?.state).toBe('waiting-for-scan'), { timeout: 10_000 });
    expect(await service.scanSerial('SN12345')).toEqual({ accepted: false, hint: 'pattern' });
    expect(await service.scanSerial('sn123456')).toEqual({ accepted: false, hint: 'case' });
    expect(await service.scanSerial('SN123456')).toEqual({ accepted: true, serial: 'SN123456', port: device.stationPath });

    const job = await finishedJob(service, device.stationPath);
    expect(job).toMatchObject({ result: 'passed', unitName: 'SN123456' });
    expect(await service.scanSerial('SN123456')).toEqual({ accepted: false, hint: 'taken' });
  });

  it('proves a unit in QA mode', async () => {
    const dir = tempDir();
    const server = await rig.server();
    const device = await rig.device(dir, 'unit-e');
    const { service } = await open(dir);
    const online = offlineSetup([device.stationPath], {
      server: { mode: 'online', url: server.url, auth: 'password', username: TENANT.username, password: TENANT.password, mqttPort: server.mqttPort, mqttsPort: server.mqttsPort },
    });
    await service.setupSave(online);
    await finishedJob(service, device.stationPath);

    expect((await service.setupSave({ ...online, mode: 'qa' })).ok).toBe(true);
    const job = await vi.waitFor(
      async () => {
        const current = (await service.portJobs()).find((candidate) => candidate.port === device.stationPath);
        if (current?.workflow !== 'qa' || current.qaResult === null) {
          throw new Error('QA job not finished yet');
        }
        return current;
      },
      { timeout: 30_000, interval: 100 },
    );

    expect(job.qaResult).toBe('passed');
    expect(job.result).toBe('passed');
    expect(job.checks?.map((check) => [check.check, check.verdict])).toEqual([
      ['identity', 'passed'],
      ['stored-credential', 'passed'],
      ['server', 'passed'],
      ['certificate', 'not-applicable'],
      ['key-possession', 'not-applicable'],
      ['live-connection', 'passed'],
    ]);
    expect((await service.setupGet()).mode).toBe('qa');
    await vi.waitFor(async () => expect(await service.shiftCounters()).toMatchObject({ passed: 1, failed: 0 }));
  });
});
