// Opens the station database: better-sqlite3 on one file, WAL journal, synchronous=FULL so a
// committed transaction survives a power cut, and the numbered migrations applied in order.
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StationError } from '../../shared/reasons';
import { getLogger } from '../log';
import { MIGRATIONS, type Migration } from './migrations';

const log = getLogger('store');

export type SqliteDatabase = Database.Database;

export interface OpenDatabaseOptions {
  /** better-sqlite3's `nativeBinding`: lets the Electron build load its own compiled addon. */
  nativeBinding?: string;
  migrations?: readonly Migration[];
}

export function openDatabase(path: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  mkdirSync(dirname(path), { recursive: true });
  if (!existsSync(path)) {
    // Created owner-only, like its key file: it names every unit and server device.
    closeSync(openSync(path, 'a', 0o600));
  }

  let db: SqliteDatabase;
  try {
    db = new Database(path, options.nativeBinding === undefined ? {} : { nativeBinding: options.nativeBinding });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
  } catch (error) {
    throw new StationError('store-failed', `cannot open database ${path}: ${(error as Error).message}`, { cause: error });
  }

  migrate(db, path, options.migrations ?? MIGRATIONS);
  return db;
}

function migrate(db: SqliteDatabase, path: string, migrations: readonly Migration[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const pending = migrations.filter((migration) => migration.version > current);
  if (pending.length === 0) {
    return;
  }

  // A database that already holds data is copied first, so a failed migration never costs data.
  let backupPath: string | undefined;
  if (current > 0 && existsSync(path)) {
    db.pragma('wal_checkpoint(TRUNCATE)');
    backupPath = `${path}.before-migration-${current + 1}`;
    copyFileSync(path, backupPath);
  }

  for (const migration of pending) {
    try {
      db.transaction(() => {
        db.exec(migration.sql);
        db.pragma(`user_version = ${migration.version}`);
      })();
      log.info({ version: migration.version, name: migration.name }, 'migration applied');
    } catch (error) {
      db.close();
      const backupNote = backupPath === undefined ? '' : `; the database before migrating is saved as ${backupPath}`;
      throw new StationError(
        'store-failed',
        `migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}${backupNote}`,
        { cause: error },
      );
    }
  }
}
