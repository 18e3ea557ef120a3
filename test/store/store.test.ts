import { existsSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { digestFields } from '../../src/main/credentials/generate';
import { MIGRATIONS } from '../../src/main/store/migrations';
import { Store } from '../../src/main/store/store';
import { useTempDir } from '../helpers/temp-dir';

const tempDir = useTempDir();

function newUnit(store: Store, hardwareId = 'HW-1') {
  return store.createUnit({ hardwareId, name: `dev-${hardwareId}`, model: 'M1', firmwareVersion: '1.0.0' });
}

describe('Store', () => {
  it('applies migrations on a real file with WAL and synchronous FULL', () => {
    const path = join(tempDir(), 'station.db');
    new Store(path).close();

    const db = new Database(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    db.close();
  });

  it('commitCrashSafe restores synchronous FULL', () => {
    const store = new Store(join(tempDir(), 'station.db'));
    const level = (): unknown => store.database.pragma('synchronous', { simple: true });
    let levelInside: unknown;

    const unit = store.commitCrashSafe(() => {
      levelInside = level();
      return newUnit(store, 'HW-CRASH-SAFE');
    });
    expect(levelInside).toBe(1);
    expect(level()).toBe(2);
    expect(store.findUnitByHardwareId('HW-CRASH-SAFE')).toEqual(unit);

    expect(() =>
      store.commitCrashSafe(() => {
        newUnit(store, 'HW-ROLLED-BACK');
        throw new Error('write failed');
      }),
    ).toThrow('write failed');
    expect(level()).toBe(2);
    expect(store.findUnitByHardwareId('HW-ROLLED-BACK')).toBeUndefined();
    store.close();
  });

  it('commitCrashSafe joins an open transaction', () => {
    const store = new Store(join(tempDir(), 'station.db'));
    let levelInside: unknown;

    store.database.transaction(() => {
      store.commitCrashSafe(() => {
        levelInside = store.database.pragma('synchronous', { simple: true });
        newUnit(store, 'HW-NESTED');
      });
    })();

    expect(levelInside).toBe(2);
    expect(store.findUnitByHardwareId('HW-NESTED')).toBeDefined();
    store.close();
  });

  it('creates the key file with mode 0600', () => {
    const path = join(tempDir(), 'station.db');
    new Store(path).close();
    expect(statSync(`${path}.key`).mode & 0o777).toBe(0o600);
  });

  it('stores tokens encrypted, never as plain text', () => {
    const path = join(tempDir(), 'station.db');
    const store = new Store(path);
    const unit = newUnit(store);
    store.commitCredential(unit.id, { type: 'token', token: 'PlainTokenValue1234567' }, digestFields({ token: 'PlainTokenValue1234567' }));
    store.close();

    for (const file of [path, `${path}-wal`]) {
      if (existsSync(file)) {
        expect(readFileSync(file).includes('PlainTokenValue1234567')).toBe(false);
      }
    }
    const reopened = new Store(path);
    const credential = reopened.activeCredential(unit.id);
    expect(credential?.secret).toEqual({ type: 'token', token: 'PlainTokenValue1234567' });
    reopened.close();
  });

  it('replaces an empty key file left before the database existed', () => {
    const path = join(tempDir(), 'station.db');
    writeFileSync(`${path}.key`, '');

    const store = new Store(path);
    store.close();

    expect(readFileSync(`${path}.key`, 'utf8').trim()).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it('refuses an empty key file beside an existing database', () => {
    const path = join(tempDir(), 'station.db');
    new Store(path).close();
    writeFileSync(`${path}.key`, '');
    expect(() => new Store(path)).toThrow(/does not contain a 32-byte base64 key/);
  });

  it('refuses to open a database whose key file is gone', () => {
    const path = join(tempDir(), 'station.db');
    new Store(path).close();
    unlinkSync(`${path}.key`);
    expect(() => new Store(path)).toThrow(/key file .* is missing/);
  });

  it('holds the upload from the credential commit until release', () => {
    const store = new Store(join(tempDir(), 'station.db'));
    const unit = newUnit(store);
    const credential = store.commitCredential(unit.id, { type: 'token', token: 'a'.repeat(24) }, {});

    expect(store.outboxCounts()).toEqual({ held: 1, queued: 0, done: 0, parked: 0, retired: 0 });
    expect(store.queuedOutbox()).toHaveLength(0);

    store.releaseUploads(unit.id);
    const queued = store.queuedOutbox();
    expect(queued).toHaveLength(1);
    expect(queued[0]?.credentialId).toBe(credential.id);
    store.close();
  });

  it('retires the upload of a retired credential', () => {
    const store = new Store(join(tempDir(), 'station.db'));
    const unit = newUnit(store);
    const first = store.commitCredential(unit.id, { type: 'token', token: 'a'.repeat(24) }, {});
    store.retireCredential(first.id, 'never reached the device');
    store.commitCredential(unit.id, { type: 'token', token: 'b'.repeat(24) }, {});

    expect(store.outboxCounts()).toMatchObject({ held: 1, retired: 1 });
    expect(store.listOutbox()[0]).toMatchObject({ state: 'retired', lastError: 'never reached the device' });
    expect(store.retiredCredentials(unit.id)[0]?.secret).toEqual({ type: 'token', token: 'a'.repeat(24) });
    store.close();
  });

  it('allows one active credential per unit', () => {
    const store = new Store(join(tempDir(), 'station.db'));
    const unit = newUnit(store);
    store.commitCredential(unit.id, { type: 'token', token: 'a'.repeat(24) }, {});
    expect(() => store.commitCredential(unit.id, { type: 'token', token: 'b'.repeat(24) }, {})).toThrow(/UNIQUE/);
    expect(store.listOutbox()).toHaveLength(1);
    store.close();
  });

  it('keeps parked entries with their reason', () => {
    const store = new Store(join(tempDir(), 'station.db'));
    const unit = newUnit(store);
    store.commitCredential(unit.id, { type: 'token', token: 'a'.repeat(24) }, {});
    store.releaseUploads(unit.id);
    const entry = store.queuedOutbox()[0];
    store.parkOutbox(entry?.id ?? 0, 'server-credential-conflict: other token');

    expect(store.queuedOutbox()).toHaveLength(0);
    expect(store.listOutbox()[0]).toMatchObject({ state: 'parked', lastError: 'server-credential-conflict: other token' });
    store.close();
  });

  it('backs up before a failing migration', () => {
    const path = join(tempDir(), 'station.db');
    const store = new Store(path);
    newUnit(store);
    store.close();

    const broken = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'broken', sql: 'ALTER TABLE missing ADD x' }];
    expect(() => new Store(path, { migrations: broken })).toThrow(/before-migration/);

    const backup = new Database(`${path}.before-migration-${MIGRATIONS.length + 1}`);
    expect(backup.prepare('SELECT COUNT(*) AS n FROM units').get()).toEqual({ n: 1 });
    backup.close();
    const reopened = new Store(path);
    expect(reopened.findUnitByHardwareId('HW-1')?.name).toBe('dev-HW-1');
    reopened.close();
  });

  it('keeps the station id across restarts', () => {
    const path = join(tempDir(), 'station.db');
    const first = new Store(path);
    const id = first.stationId();
    first.close();
    const second = new Store(path);
    expect(second.stationId()).toBe(id);
    second.close();
  });
});
