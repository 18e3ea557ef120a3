// The job journal shares commits between steps: a step's end waits for the next step's start or
// the job's result, a database-only step runs inside the commit that records it, and a token job
// commits eight times. Only the credential and the result wait for an fsync. Commits are counted
// in the SQLite write-ahead log.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runProvisionJob } from '../../src/main/provisioning/provision-job';
import { JobJournal } from '../../src/main/provisioning/job-journal';
import { Store } from '../../src/main/store/store';
import { StationError, isStationError } from '../../src/shared/reasons';
import { startHarness, type Harness } from '../device/harness';
import { useTempDir } from '../helpers/temp-dir';

const tempDir = useTempDir();
const harnesses: Harness[] = [];
afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.close();
});

function openStore(): { store: Store; path: string } {
  const path = join(tempDir(), 'station.db');
  return { store: new Store(path), path };
}

function startJournal(store: Store, firstStep = 'hello'): JobJournal {
  return JobJournal.start(store, {
    job: { kind: 'provision', port: '/dev/ttyTEST', credentialType: 'token' },
    firstStep,
    reasonCode: (error) => (isStationError(error) ? error.code : 'internal'),
  });
}

function steps(store: Store, jobId: number): string[] {
  return store.jobSteps(jobId).map((entry) => `${entry.step}:${entry.state}${entry.detail === null ? '' : `:${entry.detail}`}`);
}

/**
 * Counts the commits in a database's write-ahead log: each commit ends with a frame whose header
 * carries the database size after the commit. Frames with other salts are left over from before
 * the log was last reset. Layout: https://www.sqlite.org/fileformat2.html#walformat
 */
function walCommits(databasePath: string): number {
  const wal = readFileSync(`${databasePath}-wal`);
  const pageSize = wal.readUInt32BE(8);
  const salts = wal.subarray(16, 24);
  let commits = 0;
  for (let offset = 32; offset + 24 + pageSize <= wal.length; offset += 24 + pageSize) {
    const current = wal.subarray(offset + 8, offset + 16).equals(salts);
    if (current && wal.readUInt32BE(offset + 4) !== 0) {
      commits += 1;
    }
  }
  return commits;
}

/** SQLite's `PRAGMA synchronous` values. */
const SYNCHRONOUS_NORMAL = 1;
const SYNCHRONOUS_FULL = 2;

/**
 * Records the synchronous level of each outermost transaction on the store's connection, read
 * from SQLite as the transaction starts. In WAL mode SQLite syncs the log when a transaction
 * commits at FULL and not at NORMAL (https://www.sqlite.org/pragma.html#pragma_synchronous).
 */
function recordCommitLevels(store: Store): number[] {
  const db = store.database;
  const levels: number[] = [];
  const transaction = db.transaction.bind(db);
  const recording = (action: (...args: unknown[]) => unknown) => {
    const run = transaction(action);
    return (...args: unknown[]): unknown => {
      if (!db.inTransaction) {
        levels.push(Number(db.pragma('synchronous', { simple: true })));
      }
      return run(...args);
    };
  };
  db.transaction = recording as unknown as typeof db.transaction;
  return levels;
}

describe('JobJournal', () => {
  it('commits a step end with the next start', async () => {
    const { store } = openStore();
    const journal = startJournal(store);
    expect(steps(store, journal.jobId)).toEqual(['hello:started']);

    await journal.step('hello', () => Promise.resolve('hw'));
    expect(steps(store, journal.jobId)).toEqual(['hello:started']);

    let seenInsideNext: string[] = [];
    await journal.step('check-device', () => {
      seenInsideNext = steps(store, journal.jobId);
      return Promise.resolve();
    });
    expect(seenInsideNext).toEqual(['hello:started', 'hello:done', 'check-device:started']);

    journal.finish('passed');
    expect(steps(store, journal.jobId)).toEqual(['hello:started', 'hello:done', 'check-device:started', 'check-device:done']);
    store.close();
  });

  it('records a failed step at once', async () => {
    const { store } = openStore();
    const journal = startJournal(store);

    const failing = journal.step('hello', () => Promise.reject(new StationError('device-timeout', 'no reply')));
    await expect(failing).rejects.toThrow('no reply');

    expect(steps(store, journal.jobId)).toEqual(['hello:started', 'hello:failed:device-timeout']);
    store.close();
  });

  it('rejects a first step other than the one started', async () => {
    const { store } = openStore();
    const journal = startJournal(store, 'hello');

    await expect(journal.step('identify', () => Promise.resolve())).rejects.toThrow('first step "hello"');
    store.close();
  });

  it('rolls back a failed database-only step', async () => {
    const { store } = openStore();
    const journal = startJournal(store);
    await journal.step('hello', () => Promise.resolve());

    expect(() =>
      journal.stepInCommit('credential', () => {
        store.createUnit({ hardwareId: 'HW-ROLLBACK', name: 'UNIT-ROLLBACK', model: 'M', firmwareVersion: '1' });
        throw new StationError('credential-type-unsupported', 'other type');
      }),
    ).toThrow('other type');

    expect(store.findUnitByHardwareId('HW-ROLLBACK')).toBeUndefined();
    expect(steps(store, journal.jobId)).toEqual(['hello:started', 'hello:done', 'credential:started', 'credential:failed:credential-type-unsupported']);
    store.close();
  });

  it('token job syncs only credential and result', async () => {
    const { store, path } = openStore();
    const harness = await startHarness('virtual', { hardwareId: 'HW-SYNCED', baudRate: 0 }, { requestTimeoutMs: 300, retries: 1 });
    harnesses.push(harness);
    const walBefore = walCommits(path);
    const levels = recordCommitLevels(store);

    const outcome = await runProvisionJob({ store, link: harness.link, credentialType: 'token' });

    expect(outcome.result).toBe('passed');
    // Every commit of the job went through a recorded transaction, none was a lone statement.
    expect(levels).toHaveLength(walCommits(path) - walBefore);
    // The 5th commit holds the credential and its upload, the 8th the result and the upload's release.
    expect(levels).toEqual([
      SYNCHRONOUS_NORMAL, SYNCHRONOUS_NORMAL, SYNCHRONOUS_NORMAL, SYNCHRONOUS_NORMAL,
      SYNCHRONOUS_FULL, SYNCHRONOUS_NORMAL, SYNCHRONOUS_NORMAL, SYNCHRONOUS_FULL,
    ]);
    expect(store.database.pragma('synchronous', { simple: true })).toBe(SYNCHRONOUS_FULL);
    store.close();
  });

  it('failed job syncs its result', async () => {
    const { store } = openStore();
    const journal = startJournal(store);
    const levels = recordCommitLevels(store);

    await expect(journal.step('hello', () => Promise.reject(new StationError('device-timeout', 'no reply')))).rejects.toThrow('no reply');
    journal.finish('failed', { code: 'device-timeout' });

    expect(levels).toEqual([SYNCHRONOUS_NORMAL, SYNCHRONOUS_FULL]);
    store.close();
  });

  it('token job commits eight times', async () => {
    const { store, path } = openStore();
    const harness = await startHarness('virtual', { hardwareId: 'HW-COMMITS', baudRate: 0 }, { requestTimeoutMs: 300, retries: 1 });
    harnesses.push(harness);
    const before = walCommits(path);

    const outcome = await runProvisionJob({ store, link: harness.link, credentialType: 'token' });

    expect(outcome.result).toBe('passed');
    // 1. the job's row and hello's start, 2. hello's end and identify's start, 3. the new unit,
    // 4. identify's end, the job's unit and check-device's start, 5. check-device's end, the
    // credential step and the credential, 6. to 8. the starts of write and verify and the
    // result, each with the end of the step before.
    expect(walCommits(path) - before).toBe(8);
    expect(steps(store, outcome.jobId)).toEqual([
      'hello:started', 'hello:done', 'identify:started', 'identify:done', 'check-device:started', 'check-device:done',
      'credential:started', 'credential:done', 'write:started', 'write:done', 'verify:started', 'verify:done',
    ]);
    store.close();
  });
});
