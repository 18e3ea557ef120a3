import { describe, expect, it } from 'vitest';
import {
  createPassphraseProtector,
  createSafeStorageProtector,
  DEFAULT_SCRYPT,
  type SafeStorageLike,
} from '../../src/main/credentials/x509/key-protector';

const KEY = Buffer.from('-----BEGIN PRIVATE KEY-----\nstand-in CA key bytes\n-----END PRIVATE KEY-----\n');

describe('passphrase protector', () => {
  it('round-trips with the default scrypt cost', async () => {
    const protector = createPassphraseProtector('correct horse battery staple');
    const sealed = await protector.seal(KEY);

    expect(sealed.includes(KEY)).toBe(false);
    expect(sealed.includes(Buffer.from('stand-in CA key'))).toBe(false);
    expect(protector.kdf).toEqual(DEFAULT_SCRYPT);
    expect(await protector.open(sealed)).toEqual(KEY);
  });

  it('rejects a wrong passphrase clearly', async () => {
    const sealed = await createPassphraseProtector('right passphrase').seal(KEY);
    const wrong = createPassphraseProtector('wrong passphrase');

    await expect(wrong.open(sealed)).rejects.toMatchObject({ code: 'issuer-passphrase-wrong' });
    await expect(wrong.open(sealed)).rejects.toThrow(/passphrase is wrong/);
  });

  it('salts each seal', async () => {
    const protector = createPassphraseProtector('same passphrase', { algorithm: 'scrypt', logN: 12, r: 8, p: 1 });
    const first = await protector.seal(KEY);
    const second = await protector.seal(KEY);

    expect(first.equals(second)).toBe(false);
    expect(await protector.open(second)).toEqual(KEY);
  });

  it('opens with the parameters stored in the seal', async () => {
    const sealed = await createPassphraseProtector('pass', { algorithm: 'scrypt', logN: 12, r: 8, p: 1 }).seal(KEY);
    expect(await createPassphraseProtector('pass').open(sealed)).toEqual(KEY);
  });

  it('rejects altered parameters', async () => {
    const sealed = await createPassphraseProtector('pass', { algorithm: 'scrypt', logN: 12, r: 8, p: 1 }).seal(KEY);
    sealed[1] = 13;
    await expect(createPassphraseProtector('pass').open(sealed)).rejects.toMatchObject({ code: 'issuer-passphrase-wrong' });
  });

  it('rejects an empty passphrase', () => {
    expect(() => createPassphraseProtector('')).toThrow(/must not be empty/);
  });
});

/** A stand-in for Electron's safeStorage that XORs with a fixed byte, enough to prove the wiring. */
function fakeSafeStorage(overrides: Partial<SafeStorageLike> = {}): SafeStorageLike {
  const flip = (data: Buffer): Buffer => Buffer.from(data.map((byte) => byte ^ 0x5a));
  return {
    isEncryptionAvailable: () => true,
    encryptString: (text) => flip(Buffer.from(text, 'utf8')),
    decryptString: (data) => flip(data).toString('utf8'),
    ...overrides,
  };
}

describe('safe-storage protector', () => {
  it('round-trips through safeStorage', async () => {
    const protector = createSafeStorageProtector(fakeSafeStorage());
    const sealed = await protector.seal(KEY);

    expect(protector.kind).toBe('safe-storage');
    expect(protector.kdf).toBeNull();
    expect(await protector.open(sealed)).toEqual(KEY);
  });

  it('rejects when no keychain exists', async () => {
    const protector = createSafeStorageProtector(fakeSafeStorage({ isEncryptionAvailable: () => false }));
    await expect(protector.seal(KEY)).rejects.toMatchObject({ code: 'issuer-protection-unavailable' });
  });

  it("rejects Linux's basic_text backend", async () => {
    const protector = createSafeStorageProtector(fakeSafeStorage({ getSelectedStorageBackend: () => 'basic_text' }));
    await expect(protector.seal(KEY)).rejects.toMatchObject({ code: 'issuer-protection-unavailable' });
  });

  it('reports a key it cannot decrypt', async () => {
    const protector = createSafeStorageProtector(
      fakeSafeStorage({
        decryptString: () => {
          throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
        },
      }),
    );
    await expect(protector.open(Buffer.from('x'))).rejects.toMatchObject({ code: 'issuer-protection-unavailable' });
  });
});
