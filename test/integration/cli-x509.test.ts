// X.509 through the command line on real parts: the simulator on a socat pty pair, OpenSSL's
// command line as the judge of the certificates, a real Mosquitto broker requiring client
// certificates, and the stand-in storing them as ThingsBoard does.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startBroker } from '../helpers/mosquitto';
import { runStation } from '../helpers/run-station';
import { useTempDir } from '../helpers/temp-dir';
import { openssl, opensslOk } from '../x509/openssl';
import { serverArgs, serverDevices, useRig } from './rig';

const tempDir = useTempDir();
const rig = useRig();
const PASSPHRASE = { STATION_ISSUER_PASSPHRASE: 'correct horse battery staple' };

async function createIssuer(db: string): Promise<string> {
  const created = await runStation(['issuer', 'create', '--db', db, '--json'], { env: PASSPHRASE });
  expect(created.code, created.stderr).toBe(0);
  const shown = await runStation(['issuer', 'show', '--db', db]);
  expect(shown.code, shown.stderr).toBe(0);
  return shown.stdout;
}

/** Splits a PEM bundle into its certificates, in order. */
function pemCertificates(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g) ?? [];
}

describe('station provision --credential x509', () => {
  it.each(['ca-key', 'device-csr', 'self-signed'] as const)('issues a certificate OpenSSL verifies (%s)', async (mode) => {
    const dir = tempDir();
    const db = join(dir, 'station.db');
    const server = await rig.server();
    const chain = mode === 'self-signed' ? '' : await createIssuer(db);
    const device = await rig.device(dir, `x509-${mode}`, { hardwareId: `HW-${mode.toUpperCase()}` });

    const run = await runStation(
      ['provision', '--port', device.stationPath, '--db', db, '--credential', 'x509', '--x509-mode', mode, ...serverArgs(server), '--json'],
      { env: PASSPHRASE },
    );

    expect(run.code, run.stderr).toBe(0);
    expect(run.json).toMatchObject({ credentialType: 'x509', result: 'passed', synced: true });
    const stored = device.state().stored;
    const leaf = stored.certificate ?? '';
    writeFileSync(join(dir, 'leaf.pem'), leaf);
    expect(stored.private_key).toMatch(/-----BEGIN PRIVATE KEY-----/);

    if (mode === 'self-signed') {
      expect(stored.ca_chain).toBeUndefined();
      opensslOk(dir, ['verify', '-CAfile', 'leaf.pem', 'leaf.pem']);
    } else {
      const [intermediate, root] = pemCertificates(chain);
      expect(stored.ca_chain).toBe(chain);
      writeFileSync(join(dir, 'root.pem'), root ?? '');
      writeFileSync(join(dir, 'intermediate.pem'), intermediate ?? '');
      expect(opensslOk(dir, ['verify', '-CAfile', 'root.pem', '-untrusted', 'intermediate.pem', 'leaf.pem'])).toContain('leaf.pem: OK');
      const text = opensslOk(dir, ['x509', '-in', 'leaf.pem', '-noout', '-text']);
      expect(text).toMatch(/Subject: CN ?= ?PS-SIM-1-HW-/);
      expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature/);
      expect(text).toMatch(/X509v3 Extended Key Usage:\s+TLS Web Client Authentication/);
      expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
      expect(text).toContain('X509v3 Subject Key Identifier');
      expect(text).toContain('X509v3 Authority Key Identifier');
    }

    const body = leaf.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/[\r\n]/g, '');
    const onServer = await serverDevices(server);
    expect(onServer).toHaveLength(1);
    expect(onServer[0]?.credentialsType).toBe('X509_CERTIFICATE');
    expect(onServer[0]?.credentialsId).toBe(createHash('sha3-256').update(body).digest('hex'));
  });

  it('authenticates to a Mosquitto broker that trusts only this station', async () => {
    const dir = tempDir();
    const db = join(dir, 'station.db');
    const chain = await createIssuer(db);
    const otherChain = await createIssuer(join(dir, 'other-station.db'));
    const ours = await rig.device(dir, 'ours', { hardwareId: 'HW-OURS' });
    const theirs = await rig.device(dir, 'theirs', { hardwareId: 'HW-THEIRS' });

    for (const [device, database] of [[ours, db], [theirs, join(dir, 'other-station.db')]] as const) {
      const run = await runStation(['provision', '--port', device.stationPath, '--db', database, '--credential', 'x509', '--json'], { env: PASSPHRASE });
      expect(run.json, run.stderr).toMatchObject({ result: 'passed' });
    }
    writeFileSync(join(dir, 'station-chain.pem'), chain);
    for (const [name, device] of [['ours', ours], ['theirs', theirs]] as const) {
      writeFileSync(join(dir, `${name}.crt`), device.state().stored.certificate ?? '');
      writeFileSync(join(dir, `${name}.key`), device.state().stored.private_key ?? '', { mode: 0o600 });
    }
    expect(chain).not.toBe(otherChain);

    const broker = await startBroker(join(dir, 'station-chain.pem'));
    try {
      const accepted = broker.publish({ certFile: join(dir, 'ours.crt'), keyFile: join(dir, 'ours.key') });
      const rejected = broker.publish({ certFile: join(dir, 'theirs.crt'), keyFile: join(dir, 'theirs.key') });
      expect(accepted.accepted, accepted.output).toBe(true);
      expect(rejected.accepted, rejected.output).toBe(false);
    } finally {
      await broker.close();
    }
  });

  it('keeps device private keys out of every file the station writes', async () => {
    const dir = tempDir();
    const stationDir = join(dir, 'station');
    const db = join(stationDir, 'station.db');
    await createIssuer(db);
    const device = await rig.device(dir, 'keys', { hardwareId: 'HW-KEYS' });

    const run = await runStation(['--verbose', 'provision', '--port', device.stationPath, '--db', db, '--credential', 'x509', '--json'], { env: PASSPHRASE });
    expect(run.json, run.stderr).toMatchObject({ result: 'passed' });

    const keyPem = device.state().stored.private_key ?? '';
    const keyBody = keyPem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '').replace(/\s/g, '');
    const keyDer = Buffer.from(keyBody, 'base64');
    expect(keyDer.length).toBeGreaterThan(100);
    // The raw private scalar too, in case something stored the key in another encoding.
    const scalar = opensslOk(dir, ['pkey', '-noout', '-text'], keyPem).match(/priv:\s+([0-9a-f:\s]+)pub:/)?.[1]?.replace(/[\s:]/g, '') ?? '';
    expect(scalar.length).toBeGreaterThanOrEqual(64);

    const outputs = [run.stdout, run.stderr];
    for (const file of readdirSync(stationDir)) {
      const content = readFileSync(join(stationDir, file));
      expect(content.includes(keyBody.slice(20, 84)), file).toBe(false);
      expect(content.includes(keyDer.subarray(30, 62)), file).toBe(false);
      expect(content.includes(Buffer.from(scalar.slice(-64), 'hex')), file).toBe(false);
      expect(content.toString('latin1').toLowerCase().includes(scalar.slice(-64)), file).toBe(false);
    }
    for (const text of outputs) {
      expect(text).not.toContain(keyBody.slice(20, 84));
    }
  });

  it('refuses to sign a name the profile pattern does not match', async () => {
    const dir = tempDir();
    const db = join(dir, 'station.db');
    await createIssuer(db);
    const device = await rig.device(dir, 'pattern', { hardwareId: 'HW-PATTERN' });

    const run = await runStation(
      ['provision', '--port', device.stationPath, '--db', db, '--credential', 'x509', '--cn-pattern', 'SN-(\\d+)', '--json'],
      { env: PASSPHRASE },
    );

    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ result: 'failed', reasonCode: 'certificate-name-rejected' });
    expect(device.state().stored.certificate).toBeUndefined();
  });

  it('refuses a second issuer without --replace and a broken pattern as usage', async () => {
    const dir = tempDir();
    const db = join(dir, 'station.db');
    const first = await createIssuer(db);

    const again = await runStation(['issuer', 'create', '--db', db], { env: PASSPHRASE });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already has an issuing CA .* add --replace/);
    expect((await runStation(['issuer', 'show', '--db', db])).stdout).toBe(first);

    const replaced = await runStation(['issuer', 'create', '--db', db, '--replace'], { env: PASSPHRASE });
    expect(replaced.code, replaced.stderr).toBe(0);
    expect((await runStation(['issuer', 'show', '--db', db])).stdout).not.toBe(first);

    const device = await rig.device(dir, 'broken-pattern', { hardwareId: 'HW-BROKEN' });
    const broken = await runStation(['provision', '--port', device.stationPath, '--db', db, '--credential', 'x509', '--cn-pattern', '(unclosed', '--json'], { env: PASSPHRASE });
    expect(broken.code).toBe(2);
    expect(broken.json).toMatchObject({ result: 'failed', reasonCode: 'invalid-argument' });
  });

  it('refuses to issue when the station clock is far off the server', async () => {
    const dir = tempDir();
    const server = await rig.server({ now: () => Date.now() + 2 * 60 * 60_000 });
    const device = await rig.device(dir, 'clock', { hardwareId: 'HW-CLOCK' });

    const run = await runStation(
      ['provision', '--port', device.stationPath, '--db', join(dir, 'station.db'), '--credential', 'x509', '--x509-mode', 'self-signed', ...serverArgs(server), '--json'],
      { env: PASSPHRASE },
    );

    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ result: 'failed', reasonCode: 'station-clock-wrong' });
    expect(run.stderr).toMatch(/120 minutes behind the server/);
    expect(device.state().stored.certificate).toBeUndefined();
  });

  it('verifies the issuance log and reports a wrong passphrase', async () => {
    const dir = tempDir();
    const db = join(dir, 'station.db');
    await createIssuer(db);
    const device = await rig.device(dir, 'log', { hardwareId: 'HW-LOG' });
    await runStation(['provision', '--port', device.stationPath, '--db', db, '--credential', 'x509', '--json'], { env: PASSPHRASE });

    const verified = await runStation(['issuer', 'verify-log', '--db', db, '--json']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.json).toMatchObject({ ok: true, entries: 1 });

    const wrong = await runStation(['provision', '--port', device.stationPath, '--db', db, '--credential', 'x509', '--json'], {
      env: { STATION_ISSUER_PASSPHRASE: 'not the passphrase at all' },
    });
    expect(wrong.code).toBe(1);
    expect(wrong.json).toMatchObject({ result: 'failed', reasonCode: 'issuer-passphrase-wrong' });
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(openssl(dir, ['version']).status).toBe(0);
  });
});
