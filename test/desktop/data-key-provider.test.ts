// The desktop app's data key. It is sealed by the OS keychain when there is one, and moved there
// from a plain key file on first start. Without a keychain the plain file stays and the reason
// is given. It is exported for a move to another PC. safeStorage is a fake with a key per user.
import { existsSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  exportDataKey,
  keyProtectionStatus,
  openDesktopDataKey,
  plainKeyPathFor,
  sealedKeyPathFor,
} from '../../src/main/store/data-key-provider';
import { Store } from '../../src/main/store/store';
import { useTempDir } from '../helpers/temp-dir';
import { fakeSafeStorage } from './fake-safe-storage';

const tempDir = useTempDir();

/** Makes a database with a plain key file and one sealed secret in it, as the command line does. */
function commandLineStation(): { db: string; plainKey: Buffer } {
  const db = join(tempDir(), 'station.db');
  const store = new Store(db);
  store.setSecretSetting('server.password', 'tenant-password');
  store.close();
  return { db, plainKey: Buffer.from(readFileSync(plainKeyPathFor(db), 'utf8').trim(), 'base64') };
}

function secretReadWith(db: string, key: Buffer): string | undefined {
  const store = new Store(db, { dataKey: key, create: false });
  try {
    return store.getSecretSetting('server.password');
  } finally {
    store.close();
  }
}

describe('key protection status', () => {
  it('uses a working keychain', () => {
    expect(keyProtectionStatus(fakeSafeStorage())).toEqual({ available: true, backend: 'gnome_libsecret' });
  });

  it("explains Linux's basic_text backend", () => {
    const status = keyProtectionStatus(fakeSafeStorage({ backend: 'basic_text' }));

    expect(status.available).toBe(false);
    expect(status.backend).toBe('basic_text');
    expect(status.reason).toMatch(/no keychain service \(GNOME Keyring or KWallet\) is running/);
  });

  it('explains a missing keychain', () => {
    expect(keyProtectionStatus(fakeSafeStorage({ available: false })).reason).toMatch(/offers no keychain/);
  });
});

describe('desktop data key', () => {
  it('seals a new station key without a plain file', () => {
    const db = join(tempDir(), 'station.db');

    const opened = openDesktopDataKey(db, fakeSafeStorage());

    expect(opened.storage).toBe('os-keychain');
    expect(opened.path).toBe(sealedKeyPathFor(db));
    expect(opened.key).toHaveLength(32);
    expect(existsSync(plainKeyPathFor(db))).toBe(false);
    expect(statSync(sealedKeyPathFor(db)).mode & 0o777).toBe(0o600);
    expect(readFileSync(sealedKeyPathFor(db), 'utf8').split('\n')[0]).toBe('provisioning-station data key, sealed by Electron safeStorage, format 1');
    expect(readFileSync(sealedKeyPathFor(db), 'utf8')).not.toContain(opened.key.toString('base64'));
  });

  it('opens the sealed key again', () => {
    const db = join(tempDir(), 'station.db');
    const safeStorage = fakeSafeStorage();
    const first = openDesktopDataKey(db, safeStorage);

    const second = openDesktopDataKey(db, safeStorage);

    expect(second.key.equals(first.key)).toBe(true);
  });

  it('moves a plain key file into the keychain', () => {
    const { db, plainKey } = commandLineStation();

    const opened = openDesktopDataKey(db, fakeSafeStorage());

    expect(opened.key.equals(plainKey)).toBe(true);
    expect(existsSync(plainKeyPathFor(db))).toBe(false);
    expect(existsSync(sealedKeyPathFor(db))).toBe(true);
    expect(secretReadWith(db, opened.key)).toBe('tenant-password');
  });

  it('finishes a move cut short', () => {
    const { db, plainKey } = commandLineStation();
    const safeStorage = fakeSafeStorage();
    openDesktopDataKey(db, safeStorage);
    writeFileSync(plainKeyPathFor(db), plainKey.toString('base64') + '\n');

    const opened = openDesktopDataKey(db, safeStorage);

    expect(opened.key.equals(plainKey)).toBe(true);
    expect(existsSync(plainKeyPathFor(db))).toBe(false);
  });

  it('refuses two different keys', () => {
    const { db } = commandLineStation();
    const safeStorage = fakeSafeStorage();
    openDesktopDataKey(db, safeStorage);
    writeFileSync(plainKeyPathFor(db), Buffer.alloc(32, 7).toString('base64') + '\n');

    expect(() => openDesktopDataKey(db, safeStorage)).toThrow(/hold different data keys; keep the one that belongs to this database/);
    expect(existsSync(plainKeyPathFor(db))).toBe(true);
  });

  it('keeps the plain key file without a keychain', () => {
    const { db, plainKey } = commandLineStation();

    const opened = openDesktopDataKey(db, fakeSafeStorage({ backend: 'basic_text' }));

    expect(opened).toMatchObject({ storage: 'key-file', path: plainKeyPathFor(db) });
    expect(opened.key.equals(plainKey)).toBe(true);
    expect(existsSync(sealedKeyPathFor(db))).toBe(false);
  });

  it('creates a plain key file without a keychain', () => {
    const db = join(tempDir(), 'station.db');

    const opened = openDesktopDataKey(db, fakeSafeStorage({ available: false }));

    expect(opened.storage).toBe('key-file');
    expect(statSync(plainKeyPathFor(db)).mode & 0o777).toBe(0o600);
  });

  it('reports a sealed key whose keychain is gone', () => {
    const db = join(tempDir(), 'station.db');
    const safeStorage = fakeSafeStorage();
    openDesktopDataKey(db, safeStorage);
    safeStorage.backend = 'basic_text';

    expect(() => openDesktopDataKey(db, safeStorage)).toThrow(/is sealed by the OS keychain, which is not available now/);
  });

  it('reports a key sealed for another user', () => {
    const { db } = commandLineStation();
    openDesktopDataKey(db, fakeSafeStorage());

    let error: unknown;
    try {
      openDesktopDataKey(db, fakeSafeStorage());
    } catch (caught) {
      error = caught;
    }

    expect(error).toMatchObject({ code: 'store-key-missing' });
    expect((error as Error).message).toMatch(/cannot be decrypted by this OS user on this computer/);
    expect((error as Error).message).toContain(`put the key exported from the old station at ${plainKeyPathFor(db)}`);
  });

  it('reports a database without its key', () => {
    const { db } = commandLineStation();
    unlinkSync(plainKeyPathFor(db));

    expect(() => openDesktopDataKey(db, fakeSafeStorage())).toThrow(/key file .* is missing; restore it beside the database/);
    expect(existsSync(sealedKeyPathFor(db))).toBe(false);
  });
});

describe('data key export', () => {
  it('moves a station to another user', () => {
    const { db, plainKey } = commandLineStation();
    const oldUser = fakeSafeStorage();
    openDesktopDataKey(db, oldUser);
    const exported = join(tempDir(), 'exported.key');

    exportDataKey(db, oldUser, exported);
    writeFileSync(plainKeyPathFor(db), readFileSync(exported));
    const opened = openDesktopDataKey(db, fakeSafeStorage());

    expect(statSync(exported).mode & 0o777).toBe(0o600);
    expect(opened.key.equals(plainKey)).toBe(true);
    expect(existsSync(plainKeyPathFor(db))).toBe(false);
    expect(secretReadWith(db, opened.key)).toBe('tenant-password');
  });

  it('exports a plain key file too', () => {
    const { db, plainKey } = commandLineStation();
    const exported = join(tempDir(), 'exported.key');

    exportDataKey(db, fakeSafeStorage({ backend: 'basic_text' }), exported);

    expect(Buffer.from(readFileSync(exported, 'utf8').trim(), 'base64').equals(plainKey)).toBe(true);
  });

  it('never overwrites a file', () => {
    const { db } = commandLineStation();
    const target = join(tempDir(), 'taken.key');
    writeFileSync(target, 'keep me');

    expect(() => exportDataKey(db, fakeSafeStorage(), target)).toThrow(/already exists; choose another file name/);
    expect(readFileSync(target, 'utf8')).toBe('keep me');
  });

  it('reports a missing key', () => {
    const db = join(tempDir(), 'station.db');

    expect(() => exportDataKey(db, fakeSafeStorage(), join(tempDir(), 'out.key'))).toThrow(/no data key was found beside/);
  });
});
