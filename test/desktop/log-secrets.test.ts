// The desktop app's logger on a full provisioning run: rotating files at debug level, a
// subsystem on every line, and none of the secrets the run issued or used in any file. Real
// parts: pty pairs with simulated devices, the ThingsBoard stand-in, SQLite in a temp folder.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CredentialType } from '../../src/shared/domain';
import type { SetupInput } from '../../src/shared/setup';
import { createIssuer } from '../../src/main/credentials/x509/create-issuer';
import { createPassphraseProtector } from '../../src/main/credentials/x509/key-protector';
import { configureLogging } from '../../src/main/log';
import { ISSUER_PASSPHRASE_VARIABLE } from '../../src/main/service/runner-host';
import { openStationService, type StationService } from '../../src/main/service/station-service';
import { IssuerStore } from '../../src/main/store/issuer-store';
import { Store } from '../../src/main/store/store';
import { useTempDir } from '../helpers/temp-dir';
import { serverDevices, TENANT, useRig, type RigDevice } from '../integration/rig';

const tempDir = useTempDir();
const rig = useRig();
const ISSUER_PASSPHRASE = 'issuer passphrase for the log test';
// A password no log line could contain by chance, unlike the default "tenant".
const STATION_USER = { email: 'line1-station@factory.test', password: 'Srv-pw-7Qx9-kept-out-of-logs' };
let service: StationService | undefined;

beforeEach(() => {
  process.env[ISSUER_PASSPHRASE_VARIABLE] = ISSUER_PASSPHRASE;
});

afterEach(async () => {
  await service?.close();
  service = undefined;
  delete process.env[ISSUER_PASSPHRASE_VARIABLE];
  configureLogging({ level: 'silent' });
});

/** Creates the database with its key file and an issuing CA sealed with the passphrase; returns the CA key in PEM. */
async function stationWithIssuer(db: string): Promise<string> {
  new Store(db).close();
  const issuers = IssuerStore.open(db);
  try {
    const issuer = await createIssuer({ name: 'Log test line' });
    await issuers.saveIssuer(issuer, createPassphraseProtector(ISSUER_PASSPHRASE), 'created');
    const der = issuer.exportPrivateKeyDer();
    return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PRIVATE KEY-----`;
  } finally {
    issuers.close();
  }
}

function setup(serverUrl: string, port: string, credentialType: CredentialType): SetupInput {
  return {
    stationId: 'LINE1-ST9',
    server: { mode: 'online', url: serverUrl, auth: 'password', username: STATION_USER.email, password: STATION_USER.password },
    deviceProfile: null,
    credentialType,
    x509Mode: 'ca-key',
    keyAlgorithm: 'ec-p256',
    naming: { mode: 'rule', rule: 'unit-{hardwareId}' },
    ports: { paths: [port], matches: [], patterns: [] },
  };
}

async function provision(station: StationService, input: SetupInput, device: RigDevice): Promise<void> {
  expect((await station.setupSave(input)).ok).toBe(true);
  await vi.waitFor(
    async () => {
      const job = (await station.portJobs()).find((candidate) => candidate.port === device.stationPath);
      expect(job?.result).toBe('passed');
    },
    { timeout: 20_000, interval: 50 },
  );
}

function logFiles(folder: string): Array<{ name: string; text: string }> {
  return readdirSync(folder).map((name) => ({ name, text: readFileSync(join(folder, name), 'utf8') }));
}

describe('desktop log', () => {
  it('keeps every issued secret out of the rotated files', async () => {
    const dir = tempDir();
    const logs = join(dir, 'logs');
    const db = join(dir, 'station.db');
    const caKeyPem = await stationWithIssuer(db);
    const server = await rig.server({
      users: [
        { email: TENANT.username, password: TENANT.password, authority: 'TENANT_ADMIN' },
        { ...STATION_USER, authority: 'TENANT_ADMIN' },
      ],
    });
    const tokenUnit = await rig.device(dir, 'token-unit');
    const mqttUnit = await rig.device(dir, 'mqtt-unit');
    const x509Unit = await rig.device(dir, 'x509-unit');
    // Small files, so the run rolls over several times and every file is searched.
    await configureLogging({ level: 'debug', rotation: { folder: logs, maxFileBytes: 8 * 1024, keepFiles: 100 } });

    service = await openStationService({ dbPath: db, transport: 'ipc', probeIntervalMs: 100, syncIntervalMs: 200 });
    await provision(service, setup(server.url, tokenUnit.stationPath, 'token'), tokenUnit);
    await provision(service, setup(server.url, mqttUnit.stationPath, 'mqtt-basic'), mqttUnit);
    await provision(service, setup(server.url, x509Unit.stationPath, 'x509'), x509Unit);
    await vi.waitFor(async () => expect((await service?.syncNow())?.synced).toBe(3), { timeout: 20_000, interval: 100 });
    await service.close();
    service = undefined;
    configureLogging({ level: 'silent' });

    const stored = [tokenUnit, mqttUnit, x509Unit].map((device) => device.state().stored);
    const secrets: Array<[string, string]> = [
      ['access token', stored[0]?.token ?? ''],
      ['MQTT password', stored[1]?.mqtt_password ?? ''],
      ['device private key', stored[2]?.private_key ?? ''],
      ['CA private key', caKeyPem],
      ['issuer passphrase', ISSUER_PASSPHRASE],
      ['server password', STATION_USER.password],
      ['station data key', readFileSync(`${db}.key`, 'utf8').trim()],
    ];
    const files = logFiles(logs);
    const lines = files.flatMap((file) => file.text.split('\n').filter((line) => line !== ''));
    const devices = await serverDevices(server);

    expect(devices).toHaveLength(3);
    expect(files.length).toBeGreaterThan(1);
    expect(lines.some((line) => (JSON.parse(line) as { level: number }).level === 20)).toBe(true);
    for (const line of lines) {
      expect(JSON.parse(line), line).toHaveProperty('subsystem');
    }
    for (const [name, secret] of secrets) {
      expect(secret.length, name).toBeGreaterThan(3);
      for (const file of files) {
        expect(file.text.includes(secret), `${name} found in ${file.name}`).toBe(false);
      }
    }
    // The device private key also in its base64 body alone, in case a line carries it unwrapped.
    const keyBody = (stored[2]?.private_key ?? '').split('\n').filter((line) => !line.startsWith('-----')).join('');
    for (const file of files) {
      expect(file.text.includes(keyBody.slice(0, 40)), `device private key body found in ${file.name}`).toBe(false);
    }
  });
});
