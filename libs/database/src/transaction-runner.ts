import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';

/** MySQL/MariaDB errors after which the whole transaction can simply be tried again. */
const RETRYABLE_ERRNOS = new Set([
  1213, // ER_LOCK_DEADLOCK: InnoDB rolled us back to break a deadlock
  1205, // ER_LOCK_WAIT_TIMEOUT
  1020, // ER_CHECKREAD: MariaDB "record has changed since last read" (snapshot isolation)
]);

export interface TransactionOptions {
  isolation?: IsolationLevel;
  /** Attempts in all, the first included. */
  maxAttempts?: number;
}

export function isRetryableTransactionError(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const errno = (error.driverError as { errno?: unknown } | undefined)?.errno;
  return typeof errno === 'number' && RETRYABLE_ERRNOS.has(errno);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type AfterCommitWork = () => unknown;
export type BeforeCommitWork = () => Promise<unknown>;

/**
 * The manager of one transaction attempt, plus `afterCommit`: whoever changes state inside the
 * transaction registers here what must follow once it has committed (a cache purge, a principal
 * publish). The work runs once, after a successful commit of this attempt — never after a rollback
 * or an attempt that was retried — and its failure is logged, not thrown: durability belongs to the
 * outbox row written in the same transaction; after-commit work only makes the change visible
 * sooner. Work registered under a `key` runs once per transaction, in its latest form.
 */
export interface TransactionContext extends EntityManager {
  afterCommit(work: AfterCommitWork, key?: string): void;
  /**
   * Work that belongs to the transaction but is best done once, at its end: it runs inside the
   * transaction after the use case returned and before COMMIT (its failure rolls everything back).
   * Under a `key` it runs once, in its latest form — the outbox writes all of a transaction's rows
   * in one INSERT this way.
   */
  beforeCommit(work: BeforeCommitWork, key?: string): void;
}

/** Set on every context TransactionRunner makes (and on test doubles of one). */
export const TRANSACTION_CONTEXT = Symbol('TransactionContext');

/** Whether `manager` is a transaction's context from TransactionRunner (which offers beforeCommit). */
export function isTransactionContext(manager: EntityManager): manager is TransactionContext {
  return (manager as Partial<Record<typeof TRANSACTION_CONTEXT, boolean>>)[TRANSACTION_CONTEXT] === true;
}

class WorkQueue<W> {
  private readonly keyed = new Map<string, W>();
  private unkeyed: W[] = [];

  add(work: W, key?: string): void {
    if (key === undefined) this.unkeyed.push(work);
    else this.keyed.set(key, work);
  }

  get works(): W[] {
    return [...this.unkeyed, ...this.keyed.values()];
  }

  /** The works queued so far, which leave the queue (work may queue more while it runs). */
  take(): W[] {
    const works = this.works;
    this.unkeyed = [];
    this.keyed.clear();
    return works;
  }
}

/**
 * One explicit transaction per use case. Everything inside `work` must use the given manager.
 * Deadlocks and lock wait timeouts roll back the whole transaction, so the whole `work` is run
 * again, a bounded number of times, after an exponential delay with full jitter (so the two sides
 * of a deadlock do not collide again in lockstep). `work` must therefore have no side effects
 * outside the database: those belong in the outbox.
 */
@Injectable()
export class TransactionRunner {
  static readonly DEFAULT_MAX_ATTEMPTS = 5;
  static readonly BASE_DELAY_MS = 15;
  static readonly MAX_DELAY_MS = 500;
  private readonly logger = new Logger(TransactionRunner.name);

  constructor(private readonly dataSource: DataSource) {}

  async run<T>(work: (tx: TransactionContext) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const maxAttempts = options.maxAttempts ?? TransactionRunner.DEFAULT_MAX_ATTEMPTS;
    for (let attempt = 1; ; attempt++) {
      // Fresh queues per attempt: what a rolled-back attempt registered is dropped with it.
      const afterCommit = new WorkQueue<AfterCommitWork>();
      const attemptWork = async (manager: EntityManager) => {
        const beforeCommit = new WorkQueue<BeforeCommitWork>();
        const outcome = await work(withCommitHooks(manager, afterCommit, beforeCommit));
        for (let due = beforeCommit.take(); due.length > 0; due = beforeCommit.take())
          for (const finish of due) await finish();
        return outcome;
      };
      let result: T;
      try {
        result = options.isolation
          ? await this.dataSource.transaction(options.isolation, attemptWork)
          : await this.dataSource.transaction(attemptWork);
      } catch (error) {
        if (attempt >= maxAttempts || !isRetryableTransactionError(error)) throw error;
        const ceiling = Math.min(
          TransactionRunner.MAX_DELAY_MS,
          TransactionRunner.BASE_DELAY_MS * 2 ** attempt,
        );
        const delay = Math.floor(Math.random() * ceiling);
        this.logger.warn(
          `Transaction attempt ${attempt} failed (${(error as Error).message}); retrying in ${delay} ms`,
        );
        await sleep(delay);
        continue;
      }
      await this.runAfterCommit(afterCommit.works);
      return result;
    }
  }

  private async runAfterCommit(works: AfterCommitWork[]): Promise<void> {
    for (const work of works) {
      try {
        await work();
      } catch (error) {
        this.logger.warn({ err: error }, 'after-commit work failed; the outbox makes the change good later');
      }
    }
  }
}

/**
 * The transaction's own manager (TypeORM makes one per transaction) gains `afterCommit` and
 * `beforeCommit`: every repository keeps taking an EntityManager, and only code that registers work
 * needs the wider type.
 */
function withCommitHooks(
  manager: EntityManager,
  after: WorkQueue<AfterCommitWork>,
  before: WorkQueue<BeforeCommitWork>,
): TransactionContext {
  return Object.assign(manager, {
    [TRANSACTION_CONTEXT]: true,
    afterCommit: (work: AfterCommitWork, key?: string) => after.add(work, key),
    beforeCommit: (work: BeforeCommitWork, key?: string) => before.add(work, key),
  });
}
