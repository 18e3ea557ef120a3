// Encryption at rest for secrets in the database: AES-256-GCM under a 32-byte station data key.
// Where the key lives is the key provider's business: a key file with mode 0600 for the command
// line and the headless station (so a copied database file or backup is useless without it),
// and Electron's safeStorage for the desktop app.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { StationError } from '../../shared/reasons';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT_VERSION = 1;

export interface SecretBox {
  seal(plaintext: string, associatedData: string): Buffer;
  open(sealed: Buffer, associatedData: string): string;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES) {
    throw new StationError('store-key-missing', `the station data key must be ${KEY_BYTES} bytes, got ${key.length}`);
  }

  return {
    seal(plaintext, associatedData) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from([FORMAT_VERSION]), iv, cipher.getAuthTag(), body]);
    },

    open(sealed, associatedData) {
      if (sealed[0] !== FORMAT_VERSION) {
        throw new StationError('store-failed', `sealed secret has unknown format ${String(sealed[0])}`);
      }
      const iv = sealed.subarray(1, 1 + IV_BYTES);
      const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
      const body = sealed.subarray(1 + IV_BYTES + TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
      } catch (error) {
        throw new StationError(
          'store-key-missing',
          'a stored secret cannot be decrypted with this station data key; use the key file that belongs to this database',
          { cause: error },
        );
      }
    },
  };
}

/**
 * Loads the station data key from `keyPath`, creating it (mode 0600) when neither the key nor
 * the database exists yet. A database without its key file is an error, not a reason to make a
 * new key: the secrets already stored would become unreadable.
 */
export function loadOrCreateKeyFile(keyPath: string, databaseExists: boolean): Buffer {
  if (existsSync(keyPath)) {
    const key = Buffer.from(readFileSync(keyPath, 'utf8').trim(), 'base64');
    if (key.length === KEY_BYTES) {
      return key;
    }
    // A key file cut short before its database was created encrypted nothing, so it is safe
    // to replace. Beside an existing database it may be the only copy, so it is kept.
    if (databaseExists) {
      throw new StationError('store-key-missing', `key file ${keyPath} does not contain a ${KEY_BYTES}-byte base64 key`);
    }
  }

  if (databaseExists) {
    throw new StationError(
      'store-key-missing',
      `key file ${keyPath} is missing; restore it beside the database, or start a new database`,
    );
  }

  // Written to a temp file, flushed, then renamed, so a crash never leaves a key file cut short.
  const key = randomBytes(KEY_BYTES);
  const temporary = `${keyPath}.${process.pid}.tmp`;
  const descriptor = openSync(temporary, 'w', 0o600);
  try {
    writeSync(descriptor, key.toString('base64') + '\n');
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
  chmodSync(temporary, 0o600);
  renameSync(temporary, keyPath);
  return key;
}
