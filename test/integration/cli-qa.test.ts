// `station qa` on pty pairs with simulated devices and the ThingsBoard stand-in: a good unit
// passes every check for each credential kind, and a unit built to fail one check fails it
// with its reason. Offline QA defers the server checks and completes them later.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { QaCheckName, QaCheckResult } from '../../src/shared/qa';
import type { StandIn } from '../../src/devkit/thingsboard';
import type { SimulatorOptions } from '../../src/devkit/simulator';
import { runStation, type StationRun } from '../helpers/run-station';
import { useTempDir } from '../helpers/temp-dir';
import { serverDevices, TENANT, useRig, type RigDevice } from './rig';

const PASSPHRASE = { STATION_ISSUER_PASSPHRASE: 'correct horse battery staple' };
const tempDir = useTempDir();
const rig = useRig();

function serverArgs(server: StandIn): string[] {
  return ['--server', server.url, '--username', TENANT.username, '--password', TENANT.password, '--mqtt-port', String(server.mqttPort), '--mqtts-port', String(server.mqttsPort)];
}

/** The simulator options of a unit that can reach the stand-in's throwaway TLS certificate. */
const DEVICE_OPTIONS: Partial<SimulatorOptions> = { insecureTls: true };

async function provisioned(
  credential: 'token' | 'mqtt-basic' | 'x509',
  extra: string[] = [],
  device: Partial<SimulatorOptions> = {},
): Promise<{ dir: string; db: string; server: StandIn; unit: RigDevice }> {
  const dir = tempDir();
  const db = join(dir, 'station.db');
  const server = await rig.server();
  const unit = await rig.device(dir, 'unit', { ...DEVICE_OPTIONS, ...device });
  if (credential === 'x509' && !extra.includes('self-signed')) {
    expect((await runStation(['issuer', 'create', '--db', db], { env: PASSPHRASE })).code).toBe(0);
  }
  const run = await runStation(['provision', '--port', unit.stationPath, '--db', db, '--credential', credential, ...extra, ...serverArgs(server), '--json'], { env: PASSPHRASE });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return { dir, db, server, unit };
}

function qa(db: string, unit: RigDevice, server: StandIn | undefined, extra: string[] = []): Promise<StationRun> {
  return runStation(['qa', '--port', unit.stationPath, '--db', db, ...(server === undefined ? [] : serverArgs(server)), '--operator', 'qa-tester', ...extra, '--json'], { env: PASSPHRASE, timeoutMs: 90_000 });
}

function checksOf(run: StationRun): Record<QaCheckName, QaCheckResult> {
  const checks = (run.json?.checks ?? []) as QaCheckResult[];
  return Object.fromEntries(checks.map((check) => [check.check, check])) as Record<QaCheckName, QaCheckResult>;
}

async function serverAttributes(server: StandIn, name: string): Promise<Record<string, unknown>> {
  const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(TENANT) });
  const { token } = (await login.json()) as { token: string };
  const device = (await serverDevices(server)).find((entry) => entry.name === name);
  const response = await fetch(`${server.url}/api/plugins/telemetry/DEVICE/${device?.id ?? ''}/values/attributes/SERVER_SCOPE`, { headers: { 'X-Authorization': `Bearer ${token}` } });
  const attributes = (await response.json()) as Array<{ key: string; value: unknown }>;
  return Object.fromEntries(attributes.map((attribute) => [attribute.key, attribute.value]));
}

/** Rewrites one stored field in the simulator's flash while it is stopped. */
async function tamper(unit: RigDevice, field: string, value: string): Promise<void> {
  const state = unit.state();
  await unit.restart();
  writeFileSync(unit.stateFile, JSON.stringify({ ...JSON.parse(readFileSync(unit.stateFile, 'utf8')), stored: { ...state.stored, [field]: value } }));
  await unit.restart();
}

describe('station qa', () => {
  it('passes a good token unit', async () => {
    const { db, server, unit } = await provisioned('token');

    const run = await qa(db, unit, server);
    const checks = checksOf(run);

    expect(run.code).toBe(0);
    for (const name of ['identity', 'stored-credential', 'server', 'live-connection'] as const) {
      expect(checks[name].verdict).toBe('passed');
    }
    expect(checks.certificate.verdict).toBe('not-applicable');
    expect(checks['key-possession'].verdict).toBe('not-applicable');
    const attributes = await serverAttributes(server, String(run.json?.name));
    expect(attributes.qaResult).toBe('passed');
    expect(attributes.qaOperator).toBe('qa-tester');
    expect(attributes.qaFailedChecks).toBe('');
    expect(typeof attributes.lastActivityTime).toBe('number');
  });

  it('passes a good MQTT basic unit', async () => {
    const { db, server, unit } = await provisioned('mqtt-basic');

    const run = await qa(db, unit, server);

    expect(run.code).toBe(0);
    expect(checksOf(run)['live-connection'].verdict).toBe('passed');
  });

  for (const mode of ['ca-key', 'device-csr', 'self-signed'] as const) {
    it(`passes a good x509 ${mode} unit`, async () => {
      const { db, server, unit } = await provisioned('x509', ['--x509-mode', mode]);

      const run = await qa(db, unit, server);
      const checks = checksOf(run);

      expect(run.code).toBe(0);
      for (const name of ['identity', 'stored-credential', 'server', 'certificate', 'key-possession', 'live-connection'] as const) {
        expect(checks[name].verdict).toBe('passed');
      }
      expect(checks.server.detail).toContain('as predicted');
    });
  }

  it('passes a unit provisioned offline with device host', async () => {
    const dir = tempDir();
    const db = join(dir, 'station.db');
    const server = await rig.server();
    const unit = await rig.device(dir, 'unit', DEVICE_OPTIONS);
    const offline = await runStation(['provision', '--port', unit.stationPath, '--db', db, '--device-host', '127.0.0.1', '--mqtt-port', String(server.mqttPort)]);
    expect(offline.code).toBe(0);
    expect(unit.state().stored).toMatchObject({ server_host: '127.0.0.1', server_port: String(server.mqttPort) });
    expect((await runStation(['sync', '--db', db, ...serverArgs(server)])).code).toBe(0);

    const run = await qa(db, unit, server);

    expect(run.code).toBe(0);
    expect(checksOf(run)['live-connection'].verdict).toBe('passed');
  });

  it('rejects device host together with server', async () => {
    const dir = tempDir();
    const server = await rig.server();
    const unit = await rig.device(dir, 'unit');

    const run = await runStation(['provision', '--port', unit.stationPath, '--db', join(dir, 'station.db'), '--device-host', '127.0.0.1', ...serverArgs(server)]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--device-host is for stations without --server');
  });

  it('passes at another station from the server record', async () => {
    const { dir, server, unit } = await provisioned('token');

    const run = await qa(join(dir, 'qa-station.db'), unit, server);
    const checks = checksOf(run);

    expect(run.code).toBe(0);
    expect(checks.identity.detail).toContain("the server's record");
    expect(checks['stored-credential'].verdict).toBe('passed');
    expect(checks['live-connection'].verdict).toBe('passed');
  });

  it('defers identity at another station offline', async () => {
    const { dir, server, unit } = await provisioned('token');
    await server.faults.setDown(true);

    const run = await qa(join(dir, 'qa-station.db'), unit, server);

    expect(run.code).toBe(3);
    expect(checksOf(run).identity.verdict).toBe('deferred');
  });

  it('fails a wrong token on the device', async () => {
    const { db, server, unit } = await provisioned('token');
    await tamper(unit, 'token', 'WrongTokenWrongToken0000');

    const run = await qa(db, unit, server);
    const checks = checksOf(run);

    expect(run.code).toBe(1);
    expect(checks['stored-credential']).toMatchObject({ verdict: 'failed', reasonCode: 'qa-credential-mismatch' });
    expect(checks['stored-credential'].detail).toContain('token');
    // The server side is untouched, so the server check still passes.
    expect(checks.identity.verdict).toBe('passed');
    expect(checks.server.verdict).toBe('passed');
    expect(run.stdout + run.stderr).not.toContain('WrongTokenWrongToken0000');
  });

  it('fails a certificate from another CA', async () => {
    const { dir, db, server, unit } = await provisioned('x509');
    const otherDb = join(dir, 'other.db');
    expect((await runStation(['issuer', 'create', '--db', otherDb], { env: PASSPHRASE })).code).toBe(0);
    const otherRoot = join(dir, 'other-root.pem');
    const chain = (await runStation(['issuer', 'show', '--db', otherDb])).stdout;
    writeFileSync(otherRoot, chain.slice(chain.lastIndexOf('-----BEGIN CERTIFICATE-----')));

    const run = await qa(db, unit, server, ['--root', otherRoot]);
    const checks = checksOf(run);

    expect(run.code).toBe(1);
    expect(checks.certificate).toMatchObject({ verdict: 'failed', reasonCode: 'qa-certificate-untrusted' });
    for (const name of ['identity', 'stored-credential', 'server', 'key-possession', 'live-connection'] as const) {
      expect(checks[name].verdict).toBe('passed');
    }
  });

  it('fails an expired certificate', async () => {
    const { db, unit } = await provisioned('x509', ['--cert-validity-days', '1']);
    // The recorded skew puts the server's clock is three days ahead, so at the server's time the certificate has expired.
    const database = new Database(db);
    database.prepare("INSERT INTO station_meta (key, value) VALUES ('sync.server_clock_skew_ms', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(3 * 86_400_000));
    database.close();

    const run = await qa(db, unit, undefined);
    const checks = checksOf(run);

    expect(checks.certificate).toMatchObject({ verdict: 'failed', reasonCode: 'qa-certificate-expired' });
    expect(checks['key-possession'].verdict).toBe('passed');
    expect(run.code).toBe(1);
  });

  it('fails a device that cannot sign', async () => {
    const { db, server, unit } = await provisioned('x509');
    await unit.restart({ ...DEVICE_OPTIONS, faults: { noSign: true } });

    const run = await qa(db, unit, server);
    const checks = checksOf(run);

    expect(run.code).toBe(1);
    expect(checks['key-possession']).toMatchObject({ verdict: 'failed', reasonCode: 'device-sign-failed' });
    for (const name of ['identity', 'stored-credential', 'server', 'certificate', 'live-connection'] as const) {
      expect(checks[name].verdict).toBe('passed');
    }
  });

  it('fails a device signing with another key', async () => {
    const { db, server, unit } = await provisioned('x509');
    await unit.restart({ ...DEVICE_OPTIONS, faults: { wrongKey: true } });

    const run = await qa(db, unit, server);

    expect(checksOf(run)['key-possession']).toMatchObject({ verdict: 'failed', reasonCode: 'qa-signature-invalid' });
  });

  it('fails changed server credentials', async () => {
    const { db, server, unit } = await provisioned('token');
    const [device] = await serverDevices(server);
    const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(TENANT) });
    const { token } = (await login.json()) as { token: string };
    const headers = { 'X-Authorization': `Bearer ${token}`, 'content-type': 'application/json' };
    const held = (await (await fetch(`${server.url}/api/device/${device?.id ?? ''}/credentials`, { headers })).json()) as Record<string, unknown>;
    await fetch(`${server.url}/api/device/credentials`, { method: 'POST', headers, body: JSON.stringify({ ...held, credentialsId: 'ReplacedByAnAdministrator01' }) });

    const run = await qa(db, unit, server);
    const checks = checksOf(run);

    expect(run.code).toBe(1);
    expect(checks.server).toMatchObject({ verdict: 'failed', reasonCode: 'qa-server-credential-mismatch' });
    expect(checks['stored-credential'].verdict).toBe('passed');
    // The device's token is no longer valid on the server, so its connection is refused too.
    expect(checks['live-connection'].verdict).toBe('failed');
  });

  it('fails a device that cannot connect', async () => {
    const { db, server, unit } = await provisioned('token');
    await unit.restart({ ...DEVICE_OPTIONS, faults: { noNetwork: true } });

    const run = await qa(db, unit, server);
    const checks = checksOf(run);

    expect(run.code).toBe(1);
    expect(checks['live-connection']).toMatchObject({ verdict: 'failed', reasonCode: 'device-connect-failed' });
    for (const name of ['identity', 'stored-credential', 'server'] as const) {
      expect(checks[name].verdict).toBe('passed');
    }
  });

  it('defers offline and completes later', async () => {
    const { db, server, unit } = await provisioned('token');
    await server.faults.setDown(true);

    const offline = await qa(db, unit, server);
    const deferred = checksOf(offline);

    expect(offline.code).toBe(3);
    expect(offline.json?.result).toBe('pending');
    expect(offline.stdout + offline.stderr).toContain('QA pending server check');
    expect(deferred.server.verdict).toBe('deferred');
    expect(deferred['live-connection'].verdict).toBe('deferred');
    expect(deferred['stored-credential'].verdict).toBe('passed');

    // The server comes back, and the unit connects from the field before the next sync.
    await server.faults.setDown(false);
    const token = unit.state().stored.token ?? '';
    expect((await fetch(`${server.url}/api/v1/${token}/telemetry`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"booted":true}' })).status).toBe(200);
    const sync = await runStation(['sync', '--db', db, ...serverArgs(server)]);
    expect(sync.code).toBe(0);

    const report = await runStation(['qa-report', '--db', db]);
    const [header, row] = report.stdout.trim().split('\n');
    expect(header).toContain('result');
    expect(row).toContain(',passed,');
    expect((await serverAttributes(server, String(offline.json?.name))).qaResult).toBe('passed');
  });
});
