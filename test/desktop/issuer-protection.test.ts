// The issuing CA key in the desktop app: which protector opens it, and its move from a
// passphrase into the OS keychain (and back, for a move to another PC). safeStorage is a fake.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createIssuer } from '../../src/main/credentials/x509/create-issuer';
import { issuerProtectorFor, moveIssuerKeyToKeychain, resealIssuerKey } from '../../src/main/credentials/x509/issuer-protection';
import { createPassphraseProtector, createSafeStorageProtector } from '../../src/main/credentials/x509/key-protector';
import { IssuerStore } from '../../src/main/store/issuer-store';
import { useTempDir } from '../helpers/temp-dir';
import { fakeSafeStorage } from './fake-safe-storage';

const tempDir = useTempDir();
const PASSPHRASE = 'correct horse battery staple';
const stores: IssuerStore[] = [];

afterEach(() => {
  for (const store of stores.splice(0)) {
    store.close();
  }
});

async function stationWithIssuer(): Promise<IssuerStore> {
  const store = IssuerStore.open(join(tempDir(), 'station.db'));
  stores.push(store);
  await store.saveIssuer(await createIssuer({ name: 'Line 1 test' }), createPassphraseProtector(PASSPHRASE), 'created');
  return store;
}

describe('issuer key protection', () => {
  it('moves a passphrase-sealed key into the keychain', async () => {
    const store = await stationWithIssuer();
    const before = store.activeIssuerInfo();
    const safeStorage = fakeSafeStorage();

    expect(await moveIssuerKeyToKeychain(store, safeStorage, PASSPHRASE)).toBe(true);

    const after = store.activeIssuerInfo();
    expect(after?.protectorKind).toBe('safe-storage');
    expect(after?.chainPem).toBe(before?.chainPem);
    expect(after?.source).toBe('created');
    const { issuer } = await store.loadActiveIssuer(issuerProtectorFor(store, { safeStorage }));
    expect(issuer.certificate.subject).toBe(before?.subject);
  });

  it('moves the key only once', async () => {
    const store = await stationWithIssuer();
    const safeStorage = fakeSafeStorage();
    await moveIssuerKeyToKeychain(store, safeStorage, PASSPHRASE);
    const encryptCalls = safeStorage.encryptCalls;

    expect(await moveIssuerKeyToKeychain(store, safeStorage, PASSPHRASE)).toBe(false);
    expect(safeStorage.encryptCalls).toBe(encryptCalls);
  });

  it('keeps the passphrase without a keychain', async () => {
    const store = await stationWithIssuer();

    expect(await moveIssuerKeyToKeychain(store, fakeSafeStorage({ backend: 'basic_text' }), PASSPHRASE)).toBe(false);
    expect(store.activeIssuerInfo()?.protectorKind).toBe('passphrase');
  });

  it('keeps the passphrase when none was given', async () => {
    const store = await stationWithIssuer();

    expect(await moveIssuerKeyToKeychain(store, fakeSafeStorage(), undefined)).toBe(false);
    expect(store.activeIssuerInfo()?.protectorKind).toBe('passphrase');
  });

  it('rejects a wrong passphrase and keeps the seal', async () => {
    const store = await stationWithIssuer();

    await expect(moveIssuerKeyToKeychain(store, fakeSafeStorage(), 'wrong passphrase')).rejects.toMatchObject({ code: 'issuer-passphrase-wrong' });
    expect(store.activeIssuerInfo()?.protectorKind).toBe('passphrase');
  });

  it('seals with a passphrase again for a move', async () => {
    const store = await stationWithIssuer();
    const safeStorage = fakeSafeStorage();
    await moveIssuerKeyToKeychain(store, safeStorage, PASSPHRASE);

    const moved = await resealIssuerKey(store, createSafeStorageProtector(safeStorage), createPassphraseProtector('new station passphrase'));

    expect(moved).toBe(true);
    const protector = issuerProtectorFor(store, { passphrase: 'new station passphrase' });
    expect(protector.kind).toBe('passphrase');
    expect((await store.loadActiveIssuer(protector)).issuer.certificate.subject).toContain('Line 1 test');
  });

  it('asks for the passphrase of a passphrase-sealed key', async () => {
    const store = await stationWithIssuer();

    expect(() => issuerProtectorFor(store, { safeStorage: fakeSafeStorage() })).toThrow(/sealed with a passphrase, and none was given/);
  });

  it('needs the desktop app for a keychain-sealed key', async () => {
    const store = await stationWithIssuer();
    await moveIssuerKeyToKeychain(store, fakeSafeStorage(), PASSPHRASE);

    expect(() => issuerProtectorFor(store, { passphrase: PASSPHRASE })).toThrow(/sealed by the desktop app's OS keychain/);
  });

  it('reports a station without an issuer', () => {
    const store = IssuerStore.open(join(tempDir(), 'station.db'));
    stores.push(store);

    expect(() => issuerProtectorFor(store, { passphrase: PASSPHRASE })).toThrow(/no active issuer/);
  });
});
