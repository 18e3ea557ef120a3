// Protection at rest for the CA private key. Two protectors seal and open it:
//   passphrase     scrypt derives an AES-256-GCM key from an operator's passphrase
//   safe-storage   Electron's safeStorage (the OS keychain); the desktop app injects it
import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { StationError } from '../../../shared/reasons';

export type KeyProtectorKind = 'passphrase' | 'safe-storage';

/** Scrypt parameters as stored beside a sealed key, so a later change of defaults still opens old keys. */
export interface ScryptParams {
  algorithm: 'scrypt';
  logN: number;
  r: number;
  p: number;
}

export interface KeyProtector {
  readonly kind: KeyProtectorKind;
  /** The key derivation parameters new seals use, or null when the protector derives no key. */
  readonly kdf: ScryptParams | null;
  seal(plain: Buffer): Promise<Buffer>;
  open(sealed: Buffer): Promise<Buffer>;
}

/**
 * Default scrypt cost: N = 2^17, r = 8, p = 1 needs 128 MiB (128 * N * r bytes) and takes
 * roughly a quarter to half a second on a desktop CPU (an estimate, not a measurement here). It
 * runs once per station start or issuer import, so the cost falls on an attacker's guesses.
 */
export const DEFAULT_SCRYPT: ScryptParams = { algorithm: 'scrypt', logN: 17, r: 8, p: 1 };

/** Upper bounds on stored parameters, so a tampered row cannot make open() allocate without limit. */
const MAX_LOG_N = 20;
const MAX_R = 16;
const MAX_P = 4;

const FORMAT_VERSION = 1;
const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
// version, logN, r, p, salt, iv, tag
const HEADER_BYTES = 4 + SALT_BYTES + IV_BYTES + TAG_BYTES;

/**
 * Creates the passphrase protector. The sealed form is self-describing: a version byte, logN, r
 * and p, a random 16-byte salt, a 12-byte IV, the GCM tag, then the ciphertext. The header is
 * authenticated as GCM associated data, so altered parameters fail like a wrong passphrase.
 */
export function createPassphraseProtector(passphrase: string, params: ScryptParams = DEFAULT_SCRYPT): KeyProtector {
  if (passphrase.length === 0) {
    throw new StationError('invalid-argument', 'the CA key passphrase must not be empty');
  }
  checkScryptParams(params);

  return {
    kind: 'passphrase',
    kdf: params,

    async seal(plain) {
      const header = Buffer.alloc(HEADER_BYTES - TAG_BYTES);
      header.writeUInt8(FORMAT_VERSION, 0);
      header.writeUInt8(params.logN, 1);
      header.writeUInt8(params.r, 2);
      header.writeUInt8(params.p, 3);
      randomBytes(SALT_BYTES).copy(header, 4);
      randomBytes(IV_BYTES).copy(header, 4 + SALT_BYTES);

      const key = await deriveKey(passphrase, header.subarray(4, 4 + SALT_BYTES), params);
      try {
        const cipher = createCipheriv('aes-256-gcm', key, header.subarray(4 + SALT_BYTES));
        cipher.setAAD(header);
        const body = Buffer.concat([cipher.update(plain), cipher.final()]);
        return Buffer.concat([header, cipher.getAuthTag(), body]);
      } finally {
        key.fill(0);
      }
    },

    async open(sealed) {
      if (sealed.length < HEADER_BYTES || sealed[0] !== FORMAT_VERSION) {
        throw new StationError('store-failed', 'the sealed CA key is damaged or has an unknown format');
      }
      const header = sealed.subarray(0, HEADER_BYTES - TAG_BYTES);
      const stored: ScryptParams = { algorithm: 'scrypt', logN: sealed[1] ?? 0, r: sealed[2] ?? 0, p: sealed[3] ?? 0 };
      if (!scryptParamsInRange(stored)) {
        throw new StationError('store-failed', 'the sealed CA key names scrypt parameters out of range, so it was altered');
      }

      const key = await deriveKey(passphrase, header.subarray(4, 4 + SALT_BYTES), stored);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, header.subarray(4 + SALT_BYTES));
        decipher.setAAD(header);
        decipher.setAuthTag(sealed.subarray(HEADER_BYTES - TAG_BYTES, HEADER_BYTES));
        return Buffer.concat([decipher.update(sealed.subarray(HEADER_BYTES)), decipher.final()]);
      } catch (error) {
        // GCM cannot tell a wrong passphrase from altered bytes; the wrong passphrase is far likelier.
        throw new StationError('issuer-passphrase-wrong', 'the CA key passphrase is wrong, or the sealed key was altered', { cause: error });
      } finally {
        key.fill(0);
      }
    },
  };
}

/** The part of Electron's safeStorage that the protector uses (Electron 15 and later). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: 'basic_text' means a hard-coded key, which protects nothing. */
  getSelectedStorageBackend?(): string;
}

/**
 * Creates the protector that seals with Electron's safeStorage, passed in so this module needs
 * no Electron import. The key travels through safeStorage as base64 text because its API takes
 * strings. Raises issuer-protection-unavailable when the OS offers no keychain, and on Linux
 * when safeStorage fell back to its 'basic_text' backend.
 */
export function createSafeStorageProtector(safeStorage: SafeStorageLike): KeyProtector {
  const checkAvailable = (): void => {
    if (!safeStorage.isEncryptionAvailable()) {
      throw new StationError('issuer-protection-unavailable', 'the operating system offers no keychain to safeStorage');
    }
    if (safeStorage.getSelectedStorageBackend?.() === 'basic_text') {
      throw new StationError('issuer-protection-unavailable', "safeStorage fell back to 'basic_text', which does not encrypt");
    }
  };

  return {
    kind: 'safe-storage',
    kdf: null,

    // Promise.then turns a synchronous throw into a rejection, as callers of an async API expect.
    seal: (plain) =>
      Promise.resolve().then(() => {
        checkAvailable();
        return safeStorage.encryptString(plain.toString('base64'));
      }),

    open: (sealed) =>
      Promise.resolve().then(() => {
        checkAvailable();
        try {
          return Buffer.from(safeStorage.decryptString(sealed), 'base64');
        } catch (error) {
          throw new StationError(
            'issuer-protection-unavailable',
            'safeStorage cannot decrypt the CA key, which happens when it was sealed under another OS user or machine',
            { cause: error },
          );
        }
      }),
  };
}

function deriveKey(passphrase: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.logN;
  // Node rejects scrypt when 128 * N * r exceeds maxmem (32 MiB by default); allow twice that.
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 2 * 128 * N * params.r };
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => (error === null ? resolve(key) : reject(error)));
  });
}

function scryptParamsInRange(params: ScryptParams): boolean {
  const inRange = (value: number, min: number, max: number): boolean => Number.isInteger(value) && value >= min && value <= max;
  return inRange(params.logN, 10, MAX_LOG_N) && inRange(params.r, 1, MAX_R) && inRange(params.p, 1, MAX_P);
}

function checkScryptParams(params: ScryptParams): void {
  if (!scryptParamsInRange(params)) {
    throw new StationError('invalid-argument', `scrypt parameters out of range: logN ${params.logN}, r ${params.r}, p ${params.p}`);
  }
}
