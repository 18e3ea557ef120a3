import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importIssuer, type ImportIssuerInput } from '../../src/main/credentials/x509/import-issuer';
import { issueWithCaKey } from '../../src/main/credentials/x509/issue';
import type { Issuer } from '../../src/main/credentials/x509/issuer';
import { useTempDir } from '../helpers/temp-dir';
import { makeRootCa, makeSubCa, opensslOk, type CaKeyType } from './openssl';

const tempDir = useTempDir();

function read(dir: string, file: string): Buffer {
  return readFileSync(join(dir, file));
}

/** Issues a device certificate with the imported issuer and lets OpenSSL verify it against `rootFile`. */
async function expectIssuesVerifiable(dir: string, issuer: Issuer, rootFile: string): Promise<void> {
  const issued = await issueWithCaKey('unit-import-1', issuer);
  writeFileSync(join(dir, 'leaf.pem'), issued.certificatePem);
  writeFileSync(join(dir, 'chain.pem'), issued.chainPem);
  expect(opensslOk(dir, ['verify', '-CAfile', rootFile, '-untrusted', 'chain.pem', 'leaf.pem'])).toContain('leaf.pem: OK');
}

describe.each<CaKeyType>(['ec', 'rsa'])('importing an OpenSSL %s CA', (type) => {
  it('accepts its traditional key (SEC1 or PKCS#1)', async () => {
    const dir = tempDir();
    const ca = makeRootCa(dir, 'Site CA', type);
    const issuer = await importIssuer({ certificate: read(dir, ca.cert), key: read(dir, ca.key) });

    expect(issuer.certificate.subject).toBe('CN=Site CA');
    await expectIssuesVerifiable(dir, issuer, ca.cert);
  });

  it('accepts an unencrypted PKCS#8 key and a DER certificate', async () => {
    const dir = tempDir();
    const ca = makeRootCa(dir, 'Site CA', type);
    opensslOk(dir, ['pkcs8', '-topk8', '-nocrypt', '-in', ca.key, '-out', 'key.p8.pem']);
    opensslOk(dir, ['x509', '-in', ca.cert, '-outform', 'DER', '-out', 'cert.der']);

    const issuer = await importIssuer({ certificate: read(dir, 'cert.der'), key: read(dir, 'key.p8.pem') });
    await expectIssuesVerifiable(dir, issuer, ca.cert);
  });

  it('accepts an encrypted PKCS#8 key in PEM and DER', async () => {
    const dir = tempDir();
    const ca = makeRootCa(dir, 'Site CA', type);
    opensslOk(dir, ['pkcs8', '-topk8', '-in', ca.key, '-passout', 'pass:key secret', '-out', 'key.enc.pem']);
    opensslOk(dir, ['pkcs8', '-topk8', '-in', ca.key, '-passout', 'pass:key secret', '-outform', 'DER', '-out', 'key.enc.der']);

    for (const keyFile of ['key.enc.pem', 'key.enc.der']) {
      const issuer = await importIssuer({ certificate: read(dir, ca.cert), key: read(dir, keyFile), keyPassphrase: 'key secret' });
      await expectIssuesVerifiable(dir, issuer, ca.cert);
    }
  });

  it('accepts a traditional key in DER', async () => {
    const dir = tempDir();
    const ca = makeRootCa(dir, 'Site CA', type);
    opensslOk(dir, [type === 'ec' ? 'ec' : 'rsa', '-in', ca.key, '-outform', 'DER', '-out', 'key.der']);

    const issuer = await importIssuer({ certificate: read(dir, ca.cert), key: read(dir, 'key.der') });
    await expectIssuesVerifiable(dir, issuer, ca.cert);
  });

  it('accepts a PKCS#12 bundle with its chain', async () => {
    const dir = tempDir();
    const root = makeRootCa(dir, 'Site Root', type);
    const intermediate = makeSubCa(dir, 'Site Issuing', type, root);
    opensslOk(dir, [
      'pkcs12', '-export', '-inkey', intermediate.key, '-in', intermediate.cert, '-certfile', root.cert,
      '-passout', 'pass:bundle secret', '-out', 'bundle.p12',
    ]);

    const issuer = await importIssuer({ pkcs12: read(dir, 'bundle.p12'), pkcs12Passphrase: 'bundle secret' });

    expect(issuer.chain.map((certificate) => certificate.subject)).toEqual(['CN=Site Issuing', 'CN=Site Root']);
    await expectIssuesVerifiable(dir, issuer, root.cert);
  });

  it('orders a PEM chain given root first', async () => {
    const dir = tempDir();
    const root = makeRootCa(dir, 'Site Root', type);
    const intermediate = makeSubCa(dir, 'Site Issuing', type, root);
    const bothPem = Buffer.concat([read(dir, root.cert), read(dir, intermediate.cert)]);

    const issuer = await importIssuer({ certificate: bothPem, key: read(dir, intermediate.key) });

    expect(issuer.chain.map((certificate) => certificate.subject)).toEqual(['CN=Site Issuing', 'CN=Site Root']);
    await expectIssuesVerifiable(dir, issuer, root.cert);
  });
});

describe('importing a CA that cannot issue', () => {
  async function expectRejected(input: ImportIssuerInput, code: string): Promise<void> {
    await expect(importIssuer(input)).rejects.toMatchObject({ code });
  }

  it('rejects a certificate that is not a CA', async () => {
    const dir = tempDir();
    const ca = makeRootCa(dir, 'Not A CA', 'ec', { extensions: { basicConstraints: 'critical,CA:FALSE' } });
    await expectRejected({ certificate: read(dir, ca.cert), key: read(dir, ca.key) }, 'issuer-not-ca');
  });

  it('rejects a CA without keyCertSign', async () => {
    const dir = tempDir();
    const ca = makeRootCa(dir, 'No Cert Sign', 'ec', { extensions: { keyUsage: 'critical,digitalSignature,cRLSign' } });
    await expectRejected({ certificate: read(dir, ca.cert), key: read(dir, ca.key) }, 'issuer-no-key-cert-sign');
  });

  it('rejects an expired CA', async () => {
    const dir = tempDir();
    const ca = makeRootCa(dir, 'Old CA', 'ec', { days: 7300 });
    const afterExpiry = new Date(Date.now() + 21 * 365 * 24 * 3600 * 1000);
    await expectRejected({ certificate: read(dir, ca.cert), key: read(dir, ca.key), now: afterExpiry }, 'issuer-expired');
  });

  it('rejects a CA that is not valid yet', async () => {
    const dir = tempDir();
    const ca = makeRootCa(dir, 'Future CA', 'ec');
    const beforeStart = new Date(Date.now() - 24 * 3600 * 1000);
    await expectRejected({ certificate: read(dir, ca.cert), key: read(dir, ca.key), now: beforeStart }, 'issuer-not-yet-valid');
  });

  it('rejects a CA expiring before device certificates', async () => {
    const dir = tempDir();
    const ca = makeRootCa(dir, 'Short CA', 'rsa', { days: 365 });
    const input = { certificate: read(dir, ca.cert), key: read(dir, ca.key) };

    await expectRejected(input, 'issuer-expires-too-soon');
    await expect(importIssuer({ ...input, deviceValidityDays: 300 })).resolves.toBeDefined();
  });

  it('rejects a key of another CA', async () => {
    const dir = tempDir();
    const first = makeRootCa(dir, 'First CA', 'ec');
    const second = makeRootCa(dir, 'Second CA', 'ec');
    await expectRejected({ certificate: read(dir, first.cert), key: read(dir, second.key) }, 'issuer-key-mismatch');
  });

  it('rejects a wrong or missing key passphrase', async () => {
    const dir = tempDir();
    const ca = makeRootCa(dir, 'Site CA', 'rsa');
    opensslOk(dir, ['pkcs8', '-topk8', '-in', ca.key, '-passout', 'pass:right', '-out', 'key.enc.pem']);
    opensslOk(dir, ['pkcs8', '-topk8', '-in', ca.key, '-passout', 'pass:right', '-outform', 'DER', '-out', 'key.enc.der']);

    for (const keyFile of ['key.enc.pem', 'key.enc.der']) {
      const input = { certificate: read(dir, ca.cert), key: read(dir, keyFile) };
      await expectRejected({ ...input, keyPassphrase: 'wrong' }, 'issuer-passphrase-wrong');
      await expectRejected(input, 'issuer-passphrase-wrong');
    }
  });

  it('rejects a wrong bundle passphrase', async () => {
    const dir = tempDir();
    const ca = makeRootCa(dir, 'Site CA', 'ec');
    opensslOk(dir, ['pkcs12', '-export', '-inkey', ca.key, '-in', ca.cert, '-passout', 'pass:right', '-out', 'bundle.p12']);
    await expectRejected({ pkcs12: read(dir, 'bundle.p12'), pkcs12Passphrase: 'wrong' }, 'issuer-passphrase-wrong');
  });

  it('rejects unreadable input', async () => {
    const dir = tempDir();
    const ca = makeRootCa(dir, 'Site CA', 'ec');
    await expectRejected({ certificate: Buffer.from('not a certificate'), key: read(dir, ca.key) }, 'issuer-unreadable');
    await expectRejected({ certificate: read(dir, ca.cert), key: Buffer.from('not a key') }, 'issuer-unreadable');
    await expectRejected({ pkcs12: Buffer.from('not a bundle') }, 'issuer-unreadable');
  });

  it('rejects a certificate outside the chain', async () => {
    const dir = tempDir();
    const ca = makeRootCa(dir, 'Site CA', 'ec');
    const stranger = makeRootCa(dir, 'Stranger CA', 'ec');
    const certificates = Buffer.concat([read(dir, ca.cert), read(dir, stranger.cert)]);
    await expectRejected({ certificate: certificates, key: read(dir, ca.key) }, 'issuer-chain-invalid');
  });
});
