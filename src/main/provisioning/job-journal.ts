// The journal of one provisioning job: each step is recorded when it starts and again when it
// ends. With synchronous=FULL every commit waits for an fsync, so a step's end is committed
// together with whatever the job writes next: the next step's start, or the job's result. The
// job sends nothing to the device between the two, so a crash in that gap leaves the step
// recorded as started, which reads the same as a crash during the step.
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

  /** Creates the job's row and records its first step as started, in one commit. */
  static start(store: Store, options: JobJournalOptions): JobJournal {
    const jobId = store.database.transaction(() => {
      const id = store.startJob(options.job);
      store.journalStep(id, options.firstStep, 'started');
      return id;
    })();
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
      this.commit(() => this.store.journalStep(this.jobId, name, 'started'));
    }

    let value: T;
    try {
      value = await action();
    } catch (error) {
      this.commit(() => this.store.journalStep(this.jobId, name, 'failed', this.options.reasonCode(error)));
      throw error;
    }
    this.unwritten.push(() => this.store.journalStep(this.jobId, name, 'done'));
    return value;
  }

  /**
   * Runs a step whose work is database writes only, such as committing a new credential, inside
   * the commit that records its start. A crash cannot split that work from its record. The step's
   * end waits for the next commit, as in step().
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
      });
    } catch (error) {
      // The failed transaction wrote nothing, so the step's start is committed with its failure.
      this.commit(() => {
        this.store.journalStep(this.jobId, name, 'started');
        this.store.journalStep(this.jobId, name, 'failed', this.options.reasonCode(error));
      });
      throw error;
    }
    this.unwritten.push(() => this.store.journalStep(this.jobId, name, 'done'));
    return value;
  }

  /** Records the job's unit with the job's next commit. */
  setUnit(unitId: number): void {
    this.unwritten.push(() => this.store.setJobUnit(this.jobId, unitId));
  }

  /** Records the job's result in one commit with the last step's end and `alongside`, such as releasing the unit's uploads. */
  finish(result: JobResult, reason?: { code: ReasonCode; detail?: string }, alongside?: () => void): void {
    this.commit(() => {
      this.store.finishJob(this.jobId, result, reason);
      alongside?.();
    });
  }

  /** Commits the writes that wait, then `write`, in one transaction, and returns what `write` returns. */
  private commit<T>(write: () => T): T {
    const value = this.store.database.transaction(() => {
      for (const pending of this.unwritten) {
        pending();
      }
      return write();
    })();
    // Only a committed transaction empties the list. After a failed one the writes wait for the next.
    this.unwritten.length = 0;
    return value;
  }
}
