// One writer per station database: a lock file beside it (`<database>.lock`) names the process
// that has the database open, so the desktop app and `station serve` or another command never
// run the station on one database at once. SQLite's own locks serialize single writes, but two
// stations would both drive the same ports and sync the same outbox.
//
// The lock file holds JSON: pid, host name, program, start time and, on Linux, the kernel's boot
// id. A lock whose process is gone (same host, and the PID no longer exists or the machine
// rebooted since) is stale and taken over.
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { StationError } from '../../shared/reasons';
import { getLogger } from '../log';

const log = getLogger('store');

export interface LockHolder {
  pid: number;
  host: string;
  /** Name of the program that has the database open, such as "station serve". */
  program: string;
  /** ISO 8601 time the lock was taken. */
  since: string;
  /**
   * Linux's /proc/sys/kernel/random/boot_id, new at every boot, or null elsewhere. It separates
   * a PID reused after a reboot from the holder itself. The wall clock cannot, because it may
   * jump while the holder runs.
   */
  bootId: string | null;
}

export interface DatabaseLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Deletes the lock file if it is still this process's lock. Safe to call more than once. */
  release(): void;
}

/** The database is open in another live process. */
export class DatabaseLockedError extends StationError {
  constructor(
    readonly lockPath: string,
    readonly holder: LockHolder | undefined,
  ) {
    super('store-in-use', describeHeldLock(lockPath, holder));
    this.name = 'DatabaseLockedError';
  }
}

export interface AcquireLockOptions {
  /** Names this process in the lock file, for the message another process shows. */
  program: string;
  /** Tells whether a process exists; replaceable in tests. */
  processExists?: (pid: number) => boolean;
  /** Returns this machine's boot id, or null; replaceable in tests. */
  bootId?: () => string | null;
}

export function lockPathFor(databasePath: string): string {
  return `${databasePath}.lock`;
}

/**
 * Takes the lock of the station database at `databasePath`, or raises DatabaseLockedError
 * (code store-in-use) naming the process that holds it. A stale lock left by a process that
 * ended without releasing it (a crash, a power cut) is replaced.
 */
export function acquireDatabaseLock(databasePath: string, options: AcquireLockOptions): DatabaseLock {
  const lockPath = lockPathFor(databasePath);
  const processExists = options.processExists ?? isProcessAlive;
  const bootId = options.bootId ?? readBootId;
  const holder: LockHolder = { pid: process.pid, host: hostname(), program: options.program, since: new Date().toISOString(), bootId: bootId() };
  const content = JSON.stringify(holder) + '\n';
  mkdirSync(dirname(lockPath), { recursive: true });

  if (!tryCreate(lockPath, content)) {
    const existing = readLock(lockPath);
    if (existing === 'missing') {
      // Released between our attempt and the read: try once more.
      if (!tryCreate(lockPath, content)) {
        throw new DatabaseLockedError(lockPath, asHolder(readLock(lockPath)));
      }
    } else if (isStale(existing.holder, holder, processExists)) {
      takeOverStale(lockPath, existing.text, content, existing.holder);
    } else {
      throw new DatabaseLockedError(lockPath, existing.holder);
    }
  }

  let released = false;
  return {
    path: lockPath,
    holder,
    release() {
      if (released) {
        return;
      }
      released = true;
      const current = readLock(lockPath);
      if (current !== 'missing' && current.text === content) {
        unlinkSync(lockPath);
      }
    },
  };
}

/**
 * Creates the lock file with its whole content in one step: the content goes to a private
 * temp file, and link() publishes it under the lock's name or fails with EEXIST. A reader
 * therefore never finds a lock file that is empty or half written.
 */
function tryCreate(lockPath: string, content: string): boolean {
  const temporary = `${lockPath}.${process.pid}.${Date.now()}.tmp`;
  const descriptor = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(descriptor, content);
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }

  try {
    linkSync(temporary, lockPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return false;
    }
    throw new StationError('store-failed', `cannot create the database lock ${lockPath}: ${(error as Error).message}`, { cause: error });
  } finally {
    unlinkSync(temporary);
  }
}

type LockRead = 'missing' | { text: string; holder: LockHolder | undefined };

function readLock(lockPath: string): LockRead {
  let text: string;
  try {
    text = readFileSync(lockPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return 'missing';
    }
    throw error;
  }
  return { text, holder: parseHolder(text) };
}

function asHolder(read: LockRead): LockHolder | undefined {
  return read === 'missing' ? undefined : read.holder;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.program === 'string') {
      return {
        pid: value.pid,
        host: value.host,
        program: value.program,
        since: typeof value.since === 'string' ? value.since : 'an unknown time',
        bootId: typeof value.bootId === 'string' ? value.bootId : null,
      };
    }
  } catch {
    // An unreadable lock is treated as held: nothing proves its process is gone.
  }
  return undefined;
}

/**
 * Decides whether a lock is stale. It is stale only when this machine can prove its process is
 * gone: the lock names this host, and the machine rebooted since or no process has that PID. A lock
 * from another host (a database on a network share) or one that cannot be parsed is never
 * taken over, because a live process elsewhere cannot be ruled out.
 */
function isStale(existing: LockHolder | undefined, self: LockHolder, processExists: (pid: number) => boolean): existing is LockHolder {
  if (existing === undefined || existing.host !== self.host) {
    return false;
  }
  if (existing.bootId !== null && self.bootId !== null && existing.bootId !== self.bootId) {
    return true;
  }
  if (existing.pid === self.pid) {
    // This process has the lock already, so a second open here is rejected like any other.
    return false;
  }
  return !processExists(existing.pid);
}

/**
 * Replaces a stale lock. The file is deleted only if it still contains the stale text, then
 * created anew. If another process took it over in between, this one gets DatabaseLockedError.
 */
function takeOverStale(lockPath: string, staleText: string, content: string, stale: LockHolder): void {
  // NOTE: two processes taking over the same stale lock at the same instant can both pass the
  // re-read below. The window between the re-read and the unlink is short but not measured.
  // link() still lets only one of them create the new lock, unless the other deletes it then.
  const current = readLock(lockPath);
  if (current !== 'missing' && current.text === staleText) {
    unlinkSync(lockPath);
  }
  if (!tryCreate(lockPath, content)) {
    throw new DatabaseLockedError(lockPath, asHolder(readLock(lockPath)));
  }
  log.warn({ lock: lockPath, stalePid: stale.pid, staleProgram: stale.program, staleSince: stale.since }, 'took over a stale database lock');
}

function describeHeldLock(lockPath: string, holder: LockHolder | undefined): string {
  const database = lockPath.replace(/\.lock$/, '');
  if (holder === undefined) {
    return `database ${database} is locked by ${lockPath}, which cannot be read; if no station program uses this database, delete ${lockPath} and try again`;
  }
  return (
    `database ${database} is in use by ${holder.program} (process ${holder.pid} on ${holder.host}, since ${holder.since}); ` +
    `close that program first, or if it is no longer running, delete ${lockPath} and try again`
  );
}

/** Signal 0 checks that a process exists without touching it; EPERM means it exists under another user. */
function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Reads Linux's boot id. Windows and macOS offer no such file, so there a PID that another
 * process took after a reboot keeps the lock held, and the error message says how to clear it.
 */
function readBootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
}
