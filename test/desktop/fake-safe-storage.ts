// A stand-in for Electron's safeStorage: AES-256-GCM under a key of its own, so a second fake
// (another OS user, another computer) cannot decrypt what the first one sealed.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SafeStorageLike } from '../../src/main/credentials/x509/key-protector';

export interface FakeSafeStorage extends SafeStorageLike {
  available: boolean;
  backend: string;
  encryptCalls: number;
}

export function fakeSafeStorage(options: { available?: boolean; backend?: string } = {}): FakeSafeStorage {
  const userKey = randomBytes(32);
  const fake: FakeSafeStorage = {
    available: options.available ?? true,
    backend: options.backend ?? 'gnome_libsecret',
    encryptCalls: 0,
    isEncryptionAvailable: () => fake.available,
    getSelectedStorageBackend: () => fake.backend,
    encryptString(plainText) {
      fake.encryptCalls += 1;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', userKey, iv);
      const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decryptString(encrypted) {
      const decipher = createDecipheriv('aes-256-gcm', userKey, encrypted.subarray(0, 12));
      decipher.setAuthTag(encrypted.subarray(12, 28));
      return Buffer.concat([decipher.update(encrypted.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
  return fake;
}
