// The journal of one provisioning job: each step is recorded when it starts and again when it
// ends. A step's end is committed together with whatever the job writes next: the next step's
// start, or the job's result. The job sends nothing to the device between the two, so a crash in
// that gap leaves the step recorded as started, which reads the same as a crash during the step.
//
// Each commit is as durable as its content needs. Two kinds are committed with synchronous=FULL
// and survive a power cut: a database-only step (stepInCommit), which commits a new credential
// with its held upload before the credential's first byte goes to the device, and the job's
// result, which releases a passed unit's uploads for sync. The other step records only need to
// survive a crash of the station process, so they are committed with synchronous=NORMAL
// (Store.commitCrashSafe) and wait for no fsync. A power cut may lose the latest of them, but
// never a FULL commit made before them, and the next FULL commit syncs them as well.
import type { CredentialType, JobResult } from '../../shared/domain';
import type { ReasonCode } from '../../shared/reasons';
import type { Store } from '../store/store';

export interface JobJournalOptions {
  job: { kind: 'provision'; port: string; credentialType: CredentialType };
  /** The step that the job runs first. It is recorded as started in the commit that creates the job. */
  firstStep: string;
  /** Returns the reason code recorded with a step that threw this error. */
  reasonCode: (error: unknown) => ReasonCode;
}

export class JobJournal {
  /** Writes that wait for the job's next commit, in order. */
  private readonly unwritten: Array<() => void> = [];
  private firstStepPending: string | undefined;

  private constructor(
    private readonly store: Store,
    readonly jobId: number,
    private readonly options: JobJournalOptions,
  ) {
    this.firstStepPending = options.firstStep;
  }

  /** Creates the job's row and records its first step as started, in one crash-safe commit. */
  static start(store: Store, options: JobJournalOptions): JobJournal {
    const jobId = store.commitCrashSafe(() => {
      const id = store.startJob(options.job);
      store.journalStep(id, options.firstStep, 'started');
      return id;
    });
    return new JobJournal(store, jobId, options);
  }

  /**
   * Runs one step. Its start is committed before `action` runs, with the previous step's end.
   * A step that throws is recorded as failed at once. Otherwise its end waits for the next commit.
   */
  async step<T>(name: string, action: () => Promise<T>): Promise<T> {
    if (this.firstStepPending !== undefined) {
      if (name !== this.firstStepPending) {
        throw new Error(`the job was started with first step "${this.firstStepPending}", not "${name}"`);
      }
      this.firstStepPending = undefined;
    } else {
      this.commit(() => this.store.journalStep(this.jobId, name, 'started'), 'crash-safe');
    }

    let value: T;
    try {
      value = await action();
    } catch (error) {
      this.commit(() => this.store.journalStep(this.jobId, name, 'failed', this.options.reasonCode(error)), 'crash-safe');
      throw error;
    }
    this.unwritten.push(() => this.store.journalStep(this.jobId, name, 'done'));
    return value;
  }

  /**
   * Runs a step whose work is database writes only, such as committing a new credential, inside
   * the commit that records its start. A crash cannot split that work from its record. The commit
   * uses synchronous=FULL, because that work may have to survive a power cut. The step's end
   * waits for the next commit, as in step().
   */
  stepInCommit<T>(name: string, action: () => T): T {
    if (this.firstStepPending !== undefined) {
      throw new Error(`the job was started with first step "${this.firstStepPending}", not "${name}"`);
    }

    let value: T;
    try {
      value = this.commit(() => {
        this.store.journalStep(this.jobId, name, 'started');
        return action();
      }, 'synced');
    } catch (error) {
      // The failed transaction wrote nothing, so the step's start is committed with its failure.
      this.commit(() => {
        this.store.journalStep(this.jobId, name, 'started');
        this.store.journalStep(this.jobId, name, 'failed', this.options.reasonCode(error));
      }, 'crash-safe');
      throw error;
    }
    this.unwritten.push(() => this.store.journalStep(this.jobId, name, 'done'));
    return value;
  }

  /** Records the job's unit with the job's next commit. */
  setUnit(unitId: number): void {
    this.unwritten.push(() => this.store.setJobUnit(this.jobId, unitId));
  }

  /**
   * Records the job's result in one commit at synchronous=FULL with the last step's end and
   * `alongside`, such as releasing the unit's uploads.
   */
  finish(result: JobResult, reason?: { code: ReasonCode; detail?: string }, alongside?: () => void): void {
    this.commit(() => {
      this.store.finishJob(this.jobId, result, reason);
      alongside?.();
    }, 'synced');
  }

  /**
   * Commits the writes that wait, then `write`, in one transaction, and returns what `write`
   * returns. 'synced' commits at the database's synchronous=FULL, 'crash-safe' at NORMAL.
   */
  private commit<T>(write: () => T, durability: 'synced' | 'crash-safe'): T {
    const transaction = (): T => {
      for (const pending of this.unwritten) {
        pending();
      }
      return write();
    };
    const value = durability === 'synced' ? this.store.database.transaction(transaction)() : this.store.commitCrashSafe(transaction);
    // Only a committed transaction empties the list. After a failed one the writes wait for the next.
    this.unwritten.length = 0;
    return value;
  }
}
