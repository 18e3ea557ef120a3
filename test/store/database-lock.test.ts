// The station database lock: one process at a time, a clear reason when a second one tries, and
// a lock left by a process that is gone taken over. The second processes here are real ones.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDatabaseLock, DatabaseLockedError, lockPathFor, type LockHolder } from '../../src/main/store/database-lock';
import { useTempDir } from '../helpers/temp-dir';

const tempDir = useTempDir();
const HOLDER_SCRIPT = fileURLToPath(new URL('./fixtures/hold-database-lock.ts', import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];

afterEach(() => {
  for (const child of children.splice(0)) {
    child.kill('SIGKILL');
  }
});

/** Starts a separate Node.js process that takes the lock, and resolves once it holds it. */
function holdInChild(databasePath: string): Promise<ChildProcessWithoutNullStreams> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER_SCRIPT, databasePath], { stdio: 'pipe' });
  children.push(child);
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('locked')) {
        resolve(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`lock holder exited with ${String(code)}: ${stderr}`)));
  });
}

function exited(child: ChildProcessWithoutNullStreams): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
    } else {
      child.once('exit', () => resolve());
    }
  });
}

/** Returns a PID that names no process: that of a child that has exited. */
function pidOfEndedProcess(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

function writeLock(databasePath: string, holder: Partial<LockHolder>): void {
  const full: LockHolder = { pid: 1, host: hostname(), program: 'desktop app', since: '2026-01-01T00:00:00.000Z', bootId: null, ...holder };
  writeFileSync(lockPathFor(databasePath), JSON.stringify(full));
}

function readHolder(databasePath: string): LockHolder {
  return JSON.parse(readFileSync(lockPathFor(databasePath), 'utf8')) as LockHolder;
}

describe('database lock', () => {
  it('writes the holder beside the database', () => {
    const db = join(tempDir(), 'station.db');

    const lock = acquireDatabaseLock(db, { program: 'desktop app' });

    expect(lock.path).toBe(`${db}.lock`);
    expect(readHolder(db)).toMatchObject({ pid: process.pid, host: hostname(), program: 'desktop app' });
    lock.release();
  });

  it('creates a missing database folder', () => {
    const db = join(tempDir(), 'new', 'folder', 'station.db');

    const lock = acquireDatabaseLock(db, { program: 'desktop app' });

    expect(existsSync(`${db}.lock`)).toBe(true);
    lock.release();
  });

  it('deletes the lock on release', () => {
    const db = join(tempDir(), 'station.db');
    const lock = acquireDatabaseLock(db, { program: 'desktop app' });

    lock.release();
    lock.release();

    expect(existsSync(`${db}.lock`)).toBe(false);
  });

  it('refuses a second open in the same process', () => {
    const db = join(tempDir(), 'station.db');
    const first = acquireDatabaseLock(db, { program: 'desktop app' });

    expect(() => acquireDatabaseLock(db, { program: 'station serve' })).toThrow(DatabaseLockedError);
    first.release();
  });

  it('refuses a second process with the reason', async () => {
    const db = join(tempDir(), 'station.db');
    const child = await holdInChild(db);

    let error: unknown;
    try {
      acquireDatabaseLock(db, { program: 'desktop app' });
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(DatabaseLockedError);
    const locked = error as DatabaseLockedError;
    expect(locked.code).toBe('store-in-use');
    expect(locked.holder).toMatchObject({ pid: child.pid, program: 'station serve', host: hostname() });
    expect(locked.message).toContain(`database ${db} is in use by station serve (process ${String(child.pid)} on ${hostname()}`);
    expect(locked.message).toContain(`close that program first, or if it is no longer running, delete ${db}.lock and try again`);
    expect(readHolder(db).pid).toBe(child.pid);
  });

  it('opens once the other process releases', async () => {
    const db = join(tempDir(), 'station.db');
    const child = await holdInChild(db);
    child.stdin.end();
    await exited(child);

    const lock = acquireDatabaseLock(db, { program: 'desktop app' });

    expect(readHolder(db).pid).toBe(process.pid);
    lock.release();
  });

  it('takes over the lock of a killed process', async () => {
    const db = join(tempDir(), 'station.db');
    const child = await holdInChild(db);
    child.kill('SIGKILL');
    await exited(child);
    expect(readHolder(db).pid).toBe(child.pid);

    const lock = acquireDatabaseLock(db, { program: 'desktop app' });

    expect(readHolder(db)).toMatchObject({ pid: process.pid, program: 'desktop app' });
    lock.release();
  });

  it('takes over a lock whose PID no longer exists', () => {
    const db = join(tempDir(), 'station.db');
    writeLock(db, { pid: pidOfEndedProcess() });

    const lock = acquireDatabaseLock(db, { program: 'desktop app' });

    expect(readHolder(db).pid).toBe(process.pid);
    lock.release();
  });

  it('takes over a lock from before a reboot', () => {
    const db = join(tempDir(), 'station.db');
    writeLock(db, { pid: process.ppid, bootId: 'boot-before' });

    const lock = acquireDatabaseLock(db, { program: 'desktop app', bootId: () => 'boot-now' });

    expect(readHolder(db)).toMatchObject({ pid: process.pid, bootId: 'boot-now' });
    lock.release();
  });

  it('keeps a lock whose PID is alive in this boot', () => {
    const db = join(tempDir(), 'station.db');
    writeLock(db, { pid: process.ppid, bootId: 'boot-now' });

    expect(() => acquireDatabaseLock(db, { program: 'desktop app', bootId: () => 'boot-now' })).toThrow(/in use by desktop app \(process \d+/);
  });

  it('keeps a lock from another host', () => {
    const db = join(tempDir(), 'station.db');
    writeLock(db, { pid: pidOfEndedProcess(), host: 'other-station-pc' });

    expect(() => acquireDatabaseLock(db, { program: 'desktop app' })).toThrow(/on other-station-pc/);
  });

  it('keeps a lock it cannot read', () => {
    const db = join(tempDir(), 'station.db');
    writeFileSync(lockPathFor(db), 'not json');

    expect(() => acquireDatabaseLock(db, { program: 'desktop app' })).toThrow(/cannot be read; if no station program uses this database, delete/);
    expect(readFileSync(lockPathFor(db), 'utf8')).toBe('not json');
  });

  it('leaves a lock it no longer holds', () => {
    const db = join(tempDir(), 'station.db');
    const lock = acquireDatabaseLock(db, { program: 'desktop app' });
    writeLock(db, { pid: 4242, program: 'station serve' });

    lock.release();

    expect(readHolder(db).pid).toBe(4242);
  });

  it('uses the injected process check', () => {
    const db = join(tempDir(), 'station.db');
    writeLock(db, { pid: 999_999 });

    expect(() => acquireDatabaseLock(db, { program: 'desktop app', processExists: () => true })).toThrow(DatabaseLockedError);
    const lock = acquireDatabaseLock(db, { program: 'desktop app', processExists: () => false });
    lock.release();
  });
});
