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

  async run<T>(work: (manager: EntityManager) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const maxAttempts = options.maxAttempts ?? TransactionRunner.DEFAULT_MAX_ATTEMPTS;
    for (let attempt = 1; ; attempt++) {
      try {
        return options.isolation
          ? await this.dataSource.transaction(options.isolation, work)
          : await this.dataSource.transaction(work);
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
      }
    }
  }
}
