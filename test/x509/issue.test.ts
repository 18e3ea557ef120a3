import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createIssuer } from '../../src/main/credentials/x509/create-issuer';
import type { Issuer } from '../../src/main/credentials/x509/issuer';
import { issueSelfSigned, issueWithCaKey, signDeviceCsr, type IssuedCertificate } from '../../src/main/credentials/x509/issue';
import type { KeyAlgorithm } from '../../src/main/credentials/x509/keys';
import { useTempDir } from '../helpers/temp-dir';
import { openssl, opensslOk } from './openssl';

const tempDir = useTempDir();

/** Writes the issuer's chain as intermediate.pem and root.pem, and the leaf as leaf.pem. */
function writeFiles(dir: string, issued: IssuedCertificate, issuer?: Issuer): void {
  writeFileSync(join(dir, 'leaf.pem'), issued.certificatePem);
  if (issuer !== undefined) {
    writeFileSync(join(dir, 'intermediate.pem'), toPemCertificate(issuer, 0));
    writeFileSync(join(dir, 'root.pem'), toPemCertificate(issuer, 1));
  }
}

function toPemCertificate(issuer: Issuer, index: number): string {
  return new X509Certificate(Buffer.from(issuer.chain[index]?.rawData ?? new ArrayBuffer(0))).toString();
}

/** Checks the device profile in OpenSSL's text form. */
function expectDeviceProfile(dir: string, issued: IssuedCertificate, keyType: 'ec' | 'rsa'): void {
  const text = opensslOk(dir, ['x509', '-in', 'leaf.pem', '-text', '-noout']);
  const serial = opensslOk(dir, ['x509', '-in', 'leaf.pem', '-serial', '-noout']).trim();

  expect(serial).toBe(`serial=${issued.serialHex.toUpperCase()}`);
  expect(text).toContain(`Subject: CN = ${issued.subject}`);
  expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
  expect(text).toMatch(
    keyType === 'rsa'
      ? /X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment\n/
      : /X509v3 Key Usage: critical\s+Digital Signature\n/,
  );
  expect(text).toMatch(/X509v3 Extended Key Usage:\s*\n\s+TLS Web Client Authentication\n/);
  expect(text).toContain('X509v3 Subject Key Identifier');
  expect(text).toContain('X509v3 Authority Key Identifier');
}

function expectCanonicalPem(pem: string): void {
  const lines = pem.split('\n');
  expect(pem.endsWith('-----END CERTIFICATE-----\n')).toBe(true);
  expect(pem.includes('\r')).toBe(false);
  for (const line of lines.slice(1, -2)) {
    expect(line).toMatch(/^[A-Za-z0-9+/=]{1,64}$/);
  }
}

describe.each<[KeyAlgorithm, 'ec' | 'rsa']>([
  ['ec-p256', 'ec'],
  ['rsa-2048', 'rsa'],
])('issuing with %s', (keyAlgorithm, keyType) => {
  let issuer: Issuer;

  beforeAll(async () => {
    issuer = await createIssuer({ name: `station-${keyType}`, keyAlgorithm });
  });

  it('self-signed verifies against itself', async () => {
    const dir = tempDir();
    const issued = await issueSelfSigned('unit-self-1', { keyAlgorithm });
    writeFiles(dir, issued);

    expect(opensslOk(dir, ['verify', '-CAfile', 'leaf.pem', 'leaf.pem'])).toContain('leaf.pem: OK');
    expectDeviceProfile(dir, issued, keyType);
    expect(issued.chainPem).toBe('');
    expect(issued.mode).toBe('self-signed');
    expectCanonicalPem(issued.certificatePem);
  });

  it('CA-signed verifies through the intermediate', async () => {
    const dir = tempDir();
    const issued = await issueWithCaKey('unit-ca-1', issuer, { keyAlgorithm });
    writeFiles(dir, issued, issuer);

    const verified = opensslOk(dir, ['verify', '-CAfile', 'root.pem', '-untrusted', 'intermediate.pem', 'leaf.pem']);
    expect(verified).toContain('leaf.pem: OK');
    expectDeviceProfile(dir, issued, keyType);
    expect(issued.chainPem).toBe(toPemCertificate(issuer, 0) + toPemCertificate(issuer, 1));
    expectCanonicalPem(issued.certificatePem);
  });

  it('returns the matching private key', async () => {
    const issued = await issueWithCaKey('unit-ca-2', issuer, { keyAlgorithm });
    const certificateKey = new X509Certificate(issued.certificatePem).publicKey.export({ type: 'spki', format: 'der' });
    const ownKey = createPrivateKey(issued.privateKeyPem ?? '');

    expect(issued.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(Buffer.compare(certificateKey, createPublicKey(ownKey).export({ type: 'spki', format: 'der' }))).toBe(0);
    expect(ownKey.asymmetricKeyType).toBe(keyType);
  });

  it('signs an OpenSSL CSR', async () => {
    const dir = tempDir();
    const newKey = keyType === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
    opensslOk(dir, ['req', '-new', ...newKey, '-nodes', '-subj', '/CN=unit-csr-1', '-keyout', 'device.key', '-out', 'device.csr']);

    const issued = await signDeviceCsr(readFileSync(join(dir, 'device.csr'), 'utf8'), 'unit-csr-1', issuer);
    writeFiles(dir, issued, issuer);

    expect(opensslOk(dir, ['verify', '-CAfile', 'root.pem', '-untrusted', 'intermediate.pem', 'leaf.pem'])).toContain('OK');
    expectDeviceProfile(dir, issued, keyType);
    expect(issued.privateKeyPem).toBeUndefined();
    const certificateKey = opensslOk(dir, ['x509', '-in', 'leaf.pem', '-pubkey', '-noout']);
    const deviceKey = opensslOk(dir, ['pkey', '-in', 'device.key', '-pubout']);
    expect(certificateKey).toBe(deviceKey);
  });

  it('rejects a CSR with another CN', async () => {
    const dir = tempDir();
    opensslOk(dir, ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=unit-other', '-keyout', 'k', '-out', 'device.csr']);

    await expect(signDeviceCsr(readFileSync(join(dir, 'device.csr'), 'utf8'), 'unit-csr-2', issuer)).rejects.toMatchObject({
      code: 'csr-name-mismatch',
    });
  });

  it('rejects a CSR with a broken signature', async () => {
    const dir = tempDir();
    opensslOk(dir, ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=unit-csr-3', '-keyout', 'k', '-outform', 'DER', '-out', 'device.der']);
    const der = readFileSync(join(dir, 'device.der'));
    der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01;
    const pem = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;

    await expect(signDeviceCsr(pem, 'unit-csr-3', issuer)).rejects.toMatchObject({ code: 'csr-invalid' });
  });
});

describe('device certificate profile', () => {
  let issuer: Issuer;

  beforeAll(async () => {
    issuer = await createIssuer({ name: 'station-profile' });
  });

  it('computes the ThingsBoard credentials id', async () => {
    const issued = await issueWithCaKey('unit-tb-1', issuer);
    const body = issued.certificatePem
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('-----'))
      .join('');

    expect(issued.thingsboardCredentialsId).toBe(createHash('sha3-256').update(body).digest('hex'));
    expect(issued.thingsboardCredentialsId).not.toBe(createHash('sha3-256').update(Buffer.from(body, 'base64')).digest('hex'));
  });

  it('rejects a name outside the pattern', async () => {
    await expect(issueWithCaKey('other-7', issuer, { cnPattern: 'unit-[0-9]+' })).rejects.toMatchObject({
      code: 'certificate-name-rejected',
    });
    await expect(issueWithCaKey('unit-7x', issuer, { cnPattern: 'unit-[0-9]+' })).rejects.toMatchObject({
      code: 'certificate-name-rejected',
    });
    await expect(issueWithCaKey('unit-7', issuer, { cnPattern: 'unit-[0-9]+' })).resolves.toMatchObject({ subject: 'unit-7' });
  });

  it('back-dates notBefore and clamps notAfter', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const shortLived = await issueWithCaKey('unit-dates-1', issuer, { now, validityDays: 30, backdateMinutes: 90 });
    const clamped = await issueWithCaKey('unit-dates-2', issuer, { now, validityDays: 365 * 50 });

    expect(shortLived.notBefore.toISOString()).toBe('2029-12-31T22:30:00.000Z');
    expect(shortLived.notAfter.toISOString()).toBe('2030-01-31T00:00:00.000Z');
    expect(clamped.notAfter.getTime()).toBe(issuer.notAfter.getTime());
  });

  it('keeps a name with DN punctuation verbatim', async () => {
    const dir = tempDir();
    const issued = await issueWithCaKey('unit, "7" #1', issuer);
    writeFiles(dir, issued, issuer);

    const subject = opensslOk(dir, ['x509', '-in', 'leaf.pem', '-noout', '-subject', '-nameopt', 'RFC2253']).trim();
    expect(subject).toBe('subject=CN=unit\\, \\"7\\" #1');
  });

  it('keeps the device key out of JSON', async () => {
    const issued = await issueWithCaKey('unit-json-1', issuer);
    expect(issued.privateKeyPem).toBeDefined();
    expect(JSON.stringify(issued)).not.toContain('PRIVATE KEY');
    expect(Object.keys(issued)).not.toContain('privateKeyPem');
  });

  it('makes root and intermediate CA certificates', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'intermediate.pem'), toPemCertificate(issuer, 0));
    writeFileSync(join(dir, 'root.pem'), toPemCertificate(issuer, 1));
    const intermediate = opensslOk(dir, ['x509', '-in', 'intermediate.pem', '-text', '-noout']);
    const root = opensslOk(dir, ['x509', '-in', 'root.pem', '-text', '-noout']);

    expect(intermediate).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(intermediate).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(root).toMatch(/Basic Constraints: critical\s+CA:TRUE\n/);
    expect(issuer.chain[1]?.notAfter.getTime()).toBeGreaterThan(issuer.chain[0]?.notAfter.getTime() ?? Infinity);
    expect(openssl(dir, ['verify', '-CAfile', 'root.pem', 'intermediate.pem']).status).toBe(0);
  });
});
