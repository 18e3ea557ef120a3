// Storage of the desktop app's station data key. When Electron's safeStorage can encrypt
// with the OS keychain (DPAPI on Windows, the Keychain on macOS, libsecret or KWallet on Linux),
// the key lives sealed in `<database>.key.safestorage` and a plain `<database>.key` is moved
// there on first start. Without a keychain (Linux with safeStorage's 'basic_text' backend) the
// plain key file stays, as for the command line, and the caller tells the operator so.
// safeStorage is passed in, so this module needs no Electron import.
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { StationError } from '../../shared/reasons';
import type { SafeStorageLike } from '../credentials/x509/key-protector';
import { getLogger } from '../log';
import { loadOrCreateKeyFile } from './secret-box';

const log = getLogger('store');

const KEY_BYTES = 32;
/** First line of a sealed key file: it names the format, so a later format change is detectable. */
const SEALED_HEADER = 'provisioning-station data key, sealed by Electron safeStorage, format 1';

export interface KeyProtectionStatus {
  /** True when safeStorage encrypts with a real OS keychain. */
  available: boolean;
  /** safeStorage's Linux backend ('gnome_libsecret', 'kwallet5', 'basic_text', ...), or null elsewhere. */
  backend: string | null;
  /** Reason the keychain is not used, in words for the operator; undefined when it is used. */
  reason?: string;
}

export interface DesktopDataKey {
  key: Buffer;
  /** Storage of the key from now on. */
  storage: 'os-keychain' | 'key-file';
  /** Path of the file that contains it. */
  path: string;
}

export function plainKeyPathFor(databasePath: string): string {
  return `${databasePath}.key`;
}

export function sealedKeyPathFor(databasePath: string): string {
  return `${databasePath}.key.safestorage`;
}

/** Tells whether safeStorage protects secrets on this computer, and if not, why. */
export function keyProtectionStatus(safeStorage: SafeStorageLike): KeyProtectionStatus {
  const backend = safeStorage.getSelectedStorageBackend?.() ?? null;
  if (!safeStorage.isEncryptionAvailable()) {
    return { available: false, backend, reason: 'the operating system offers no keychain to encrypt the station keys' };
  }
  if (backend === 'basic_text') {
    return {
      available: false,
      backend,
      reason: 'no keychain service (GNOME Keyring or KWallet) is running for this user, so the station keys stay in files readable by this OS user',
    };
  }
  return { available: true, backend };
}

/**
 * Opens the desktop app's data key for the database at `databasePath`, moving a plain key file
 * into the OS keychain when one is available. Raises store-key-missing when the database exists
 * but no key that opens it is found, or when the sealed key cannot be decrypted by this OS user.
 */
export function openDesktopDataKey(databasePath: string, safeStorage: SafeStorageLike): DesktopDataKey {
  const plainPath = plainKeyPathFor(databasePath);
  const sealedPath = sealedKeyPathFor(databasePath);
  const status = keyProtectionStatus(safeStorage);

  if (!status.available) {
    if (existsSync(sealedPath) && !existsSync(plainPath)) {
      throw new StationError(
        'store-key-missing',
        `the data key ${sealedPath} is sealed by the OS keychain, which is not available now (${status.reason ?? 'unknown reason'}); ` +
          `start the keychain and the station again, or put the key exported from this station at ${plainPath}`,
      );
    }
    return { key: loadOrCreateKeyFile(plainPath, existsSync(databasePath)), storage: 'key-file', path: plainPath };
  }

  if (existsSync(sealedPath)) {
    return openSealedKey(sealedPath, plainPath, safeStorage);
  }
  return moveIntoKeychain(databasePath, plainPath, sealedPath, safeStorage);
}

function openSealedKey(sealedPath: string, plainPath: string, safeStorage: SafeStorageLike): DesktopDataKey {
  const plainExists = existsSync(plainPath);
  let key: Buffer;
  try {
    key = unsealKey(readFileSync(sealedPath, 'utf8'), safeStorage);
  } catch (error) {
    if (!plainExists) {
      throw new StationError(
        'store-key-missing',
        `the data key ${sealedPath} cannot be decrypted by this OS user on this computer, because the keychain seals it for one user ` +
          `and machine; put the key exported from the old station at ${plainPath} and start again`,
        { cause: error },
      );
    }
    // A plain key beside a sealed one this user cannot open: a station moved to a new PC with
    // its exported key. The plain key replaces the old seal.
    key = loadOrCreateKeyFile(plainPath, true);
    writeSealedKey(sealedPath, key, safeStorage);
    unlinkSync(plainPath);
    log.info({ key: sealedPath }, 'sealed the imported data key for this OS user');
    return { key, storage: 'os-keychain', path: sealedPath };
  }

  if (plainExists) {
    const plain = loadOrCreateKeyFile(plainPath, true);
    if (!plain.equals(key)) {
      throw new StationError(
        'store-key-missing',
        `${plainPath} and ${sealedPath} hold different data keys; keep the one that belongs to this database and move the other away`,
      );
    }
    // Left by a move into the keychain that stopped before it deleted the plain file.
    unlinkSync(plainPath);
  }
  return { key, storage: 'os-keychain', path: sealedPath };
}

function moveIntoKeychain(databasePath: string, plainPath: string, sealedPath: string, safeStorage: SafeStorageLike): DesktopDataKey {
  const plainExists = existsSync(plainPath);
  // A new station's key is made in memory, so it never touches the disk in plain text.
  const key = plainExists || existsSync(databasePath) ? loadOrCreateKeyFile(plainPath, existsSync(databasePath)) : randomBytes(KEY_BYTES);

  writeSealedKey(sealedPath, key, safeStorage);
  if (!unsealKey(readFileSync(sealedPath, 'utf8'), safeStorage).equals(key)) {
    throw new StationError('store-failed', `the sealed data key ${sealedPath} does not decrypt to the key just sealed`);
  }
  if (plainExists) {
    // NOTE: deleting a file does not overwrite its blocks; the plain key may stay readable on
    // the raw disk until they are reused. Full-disk encryption covers that case.
    unlinkSync(plainPath);
    log.info({ from: plainPath, to: sealedPath }, 'moved the data key into the OS keychain');
  }
  return { key, storage: 'os-keychain', path: sealedPath };
}

/**
 * Writes the data key as a plain key file at `targetPath` (mode 0600), for a move to another
 * computer or OS user, whose keychain cannot open this one's seal. Refuses to overwrite a file.
 */
export function exportDataKey(databasePath: string, safeStorage: SafeStorageLike, targetPath: string): void {
  if (existsSync(targetPath)) {
    throw new StationError('invalid-argument', `${targetPath} already exists; choose another file name`);
  }
  const sealedPath = sealedKeyPathFor(databasePath);
  const plainPath = plainKeyPathFor(databasePath);
  let key: Buffer;
  if (existsSync(sealedPath)) {
    key = unsealKey(readFileSync(sealedPath, 'utf8'), safeStorage);
  } else if (existsSync(plainPath)) {
    key = loadOrCreateKeyFile(plainPath, true);
  } else {
    throw new StationError('store-key-missing', `no data key was found beside ${databasePath}`);
  }
  writeFileAtomically(targetPath, key.toString('base64') + '\n');
  log.info({ database: databasePath, to: targetPath }, 'exported the data key');
}

function writeSealedKey(sealedPath: string, key: Buffer, safeStorage: SafeStorageLike): void {
  const sealed = safeStorage.encryptString(key.toString('base64'));
  writeFileAtomically(sealedPath, `${SEALED_HEADER}\n${sealed.toString('base64')}\n`);
}

function unsealKey(text: string, safeStorage: SafeStorageLike): Buffer {
  const [header, body] = text.split('\n');
  if (header !== SEALED_HEADER || body === undefined || body === '') {
    throw new StationError('store-key-missing', 'the sealed data key file has an unknown format');
  }
  const key = Buffer.from(safeStorage.decryptString(Buffer.from(body, 'base64')), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new StationError('store-key-missing', `the sealed data key holds ${key.length} bytes, not ${KEY_BYTES}`);
  }
  return key;
}

/** Writes to a temp file, flushes and renames, so a crash never leaves a key file cut short. */
function writeFileAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const descriptor = openSync(temporary, 'w', 0o600);
  try {
    writeSync(descriptor, text);
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
  renameSync(temporary, path);
}
