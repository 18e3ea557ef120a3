import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createIssuer } from '../../src/main/credentials/x509/create-issuer';
import { issueSelfSigned, issueWithCaKey } from '../../src/main/credentials/x509/issue';
import { createPassphraseProtector } from '../../src/main/credentials/x509/key-protector';
import { IssuerStore } from '../../src/main/store/issuer-store';
import { Store } from '../../src/main/store/store';
import { useTempDir } from '../helpers/temp-dir';

const tempDir = useTempDir();
// A cheap scrypt cost keeps these tests quick; the default cost is tested in key-protector.test.ts.
const protector = createPassphraseProtector('station passphrase', { algorithm: 'scrypt', logN: 12, r: 8, p: 1 });

/** Creates a database through the Store (migrations included) and returns its path. */
function newDatabase(): string {
  const path = join(tempDir(), 'station.db');
  new Store(path).close();
  return path;
}

/** Issues and logs `count` certificates, alternating self-signed and CA-signed. */
async function fillLog(store: IssuerStore, count: number): Promise<void> {
  const issuer = await createIssuer({ name: 'station-log' });
  const saved = await store.saveIssuer(issuer, protector, 'created');
  for (let index = 1; index <= count; index += 1) {
    const options = { isSerialTaken: (serial: string) => store.isSerialUsed(serial) };
    const issued = index % 2 === 0 ? await issueWithCaKey(`unit-${index}`, issuer, options) : await issueSelfSigned(`unit-${index}`, options);
    store.recordIssuance(issued, saved.id);
  }
}

/** Opens the file as someone with a SQLite shell would, without the append-only triggers. */
function tamper(path: string, statements: string): void {
  const db = new Database(path);
  db.exec('DROP TRIGGER issuance_log_no_update; DROP TRIGGER issuance_log_no_delete;');
  db.exec(statements);
  db.close();
}

describe('IssuerStore', () => {
  it('saves and loads the active issuer', async () => {
    const path = newDatabase();
    const issuer = await createIssuer({ name: 'station-save', keyAlgorithm: 'rsa-2048' });
    const store = IssuerStore.open(path);
    const saved = await store.saveIssuer(issuer, protector, 'created');
    store.close();

    const reopened = IssuerStore.open(path);
    const loaded = await reopened.loadActiveIssuer(protector);
    const info = reopened.activeIssuerInfo();
    reopened.close();

    expect(loaded.id).toBe(saved.id);
    expect(loaded.issuer.chainPem).toBe(issuer.chainPem);
    expect(loaded.issuer.exportPrivateKeyDer().equals(issuer.exportPrivateKeyDer())).toBe(true);
    expect(info).toMatchObject({ source: 'created', subject: 'CN=station-save Issuing CA', protectorKind: 'passphrase' });
  });

  it('keeps the CA key sealed on disk', async () => {
    const path = newDatabase();
    const issuer = await createIssuer({ name: 'station-sealed' });
    const store = IssuerStore.open(path);
    await store.saveIssuer(issuer, protector, 'created');
    store.close();

    const keyDer = issuer.exportPrivateKeyDer();
    const keyBase64 = keyDer.toString('base64').slice(0, 40);
    for (const file of [path, `${path}-wal`]) {
      if (existsSync(file)) {
        const content = readFileSync(file);
        expect(content.includes(keyDer)).toBe(false);
        expect(content.includes(Buffer.from(keyBase64))).toBe(false);
      }
    }
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT kdf_json FROM issuers').get()).toEqual({ kdf_json: '{"algorithm":"scrypt","logN":12,"r":8,"p":1}' });
    db.close();
  });

  it('rejects a wrong passphrase on load', async () => {
    const path = newDatabase();
    const store = IssuerStore.open(path);
    await store.saveIssuer(await createIssuer({ name: 'station-wrong' }), protector, 'created');

    await expect(store.loadActiveIssuer(createPassphraseProtector('not it', { algorithm: 'scrypt', logN: 12, r: 8, p: 1 }))).rejects.toMatchObject({
      code: 'issuer-passphrase-wrong',
    });
    store.close();
  });

  it('reports a station without issuer', async () => {
    const store = IssuerStore.open(newDatabase());
    await expect(store.loadActiveIssuer(protector)).rejects.toMatchObject({ code: 'issuer-missing' });
    expect(store.activeIssuerInfo()).toBeUndefined();
    store.close();
  });

  it('keeps one active issuer', async () => {
    const store = IssuerStore.open(newDatabase());
    await store.saveIssuer(await createIssuer({ name: 'first' }), protector, 'created');
    const second = await store.saveIssuer(await createIssuer({ name: 'second' }), protector, 'imported');

    expect(store.activeIssuerInfo()?.id).toBe(second.id);
    expect((await store.loadActiveIssuer(protector)).issuer.certificate.subject).toBe('CN=second Issuing CA');
    store.close();
  });

  it('works on a database handle it is given', async () => {
    const path = newDatabase();
    const db = new Database(path);
    const store = new IssuerStore(db);
    await fillLog(store, 2);
    store.close();

    expect(db.open).toBe(true);
    db.close();
  });
});

describe('issuance log', () => {
  it('verifies an intact log', async () => {
    const store = IssuerStore.open(newDatabase());
    await fillLog(store, 4);

    const check = store.verifyIssuanceLog();
    const entries = store.issuanceLog();
    store.close();

    expect(check).toEqual({ ok: true, entries: 4, headHash: entries[3]?.entryHash });
    expect(entries.map((entry) => entry.mode)).toEqual(['self-signed', 'ca-signed', 'self-signed', 'ca-signed']);
    expect(entries[0]?.issuerId).toBeNull();
  });

  it('rejects updates and deletes through SQL', async () => {
    const path = newDatabase();
    const store = IssuerStore.open(path);
    await fillLog(store, 1);
    store.close();

    const db = new Database(path);
    expect(() => db.exec("UPDATE issuance_log SET subject = 'x'")).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM issuance_log')).toThrow(/append-only/);
    db.close();
  });

  it('rejects a duplicate serial', async () => {
    const store = IssuerStore.open(newDatabase());
    const issued = await issueSelfSigned('unit-dup');
    store.recordIssuance(issued, null);

    expect(store.isSerialUsed(issued.serialHex)).toBe(true);
    expect(() => store.recordIssuance(issued, null)).toThrow(/UNIQUE/);
    store.close();
  });

  it('detects an altered entry', async () => {
    const path = newDatabase();
    const store = IssuerStore.open(path);
    await fillLog(store, 4);
    tamper(path, "UPDATE issuance_log SET subject = 'unit-evil' WHERE seq = 3");

    expect(store.verifyIssuanceLog()).toMatchObject({ ok: false, seq: 3, problem: 'altered' });
    store.close();
  });

  it('detects a removed entry', async () => {
    const path = newDatabase();
    const store = IssuerStore.open(path);
    await fillLog(store, 4);
    tamper(path, 'DELETE FROM issuance_log WHERE seq = 2');

    expect(store.verifyIssuanceLog()).toMatchObject({ ok: false, seq: 2, problem: 'removed' });
    store.close();
  });

  it('detects a removed last entry', async () => {
    const path = newDatabase();
    const store = IssuerStore.open(path);
    await fillLog(store, 4);
    tamper(path, 'DELETE FROM issuance_log WHERE seq = 4');

    expect(store.verifyIssuanceLog()).toMatchObject({ ok: false, seq: 4, problem: 'removed' });
    store.close();
  });

  it('detects reordered entries', async () => {
    const path = newDatabase();
    const store = IssuerStore.open(path);
    await fillLog(store, 4);
    tamper(path, 'UPDATE issuance_log SET seq = 100 WHERE seq = 2; UPDATE issuance_log SET seq = 2 WHERE seq = 3; UPDATE issuance_log SET seq = 3 WHERE seq = 100;');

    expect(store.verifyIssuanceLog()).toMatchObject({ ok: false, seq: 2, problem: 'reordered' });
    store.close();
  });

  it('contains no private key', async () => {
    const path = newDatabase();
    const store = IssuerStore.open(path);
    await fillLog(store, 2);
    store.close();

    const db = new Database(path, { readonly: true });
    const rows = JSON.stringify(db.prepare('SELECT * FROM issuance_log').all());
    db.close();
    expect(rows).not.toMatch(/PRIVATE KEY|MII/);
  });
});
