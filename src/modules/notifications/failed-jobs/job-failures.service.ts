import { TransactionRunner } from '@app/database';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { OutboxService } from '../../outbox';
import { QueueRegistry } from '../../../queues/queue.registry';
import { EVENTS_QUEUE, type DomainEvents } from '../jobs/events.jobs';
import { JobFailureCounterService } from './job-failure-counter.service';

/** The longest failure reason an event carries (stack traces stay in Bull). */
const REASON_MAX = 500;

/**
 * Watches, in the worker (where jobs run), for jobs that failed for good: out of attempts, or
 * discarded as hopeless. Each one is counted (for /metrics) and announced as a `job.failed` domain
 * event (staff feed, webhooks) — except a failed `job.failed` event itself, which would otherwise
 * announce its own failure forever.
 */
@Injectable()
export class JobFailuresService implements OnApplicationBootstrap {
  private readonly logger = new Logger(JobFailuresService.name);

  constructor(
    private readonly queues: QueueRegistry,
    private readonly transactions: TransactionRunner,
    private readonly outbox: OutboxService,
    private readonly counter: JobFailureCounterService,
  ) {}

  onApplicationBootstrap(): void {
    for (const queue of this.queues.all()) {
      // Bull emits 'failed' on every failed attempt, in the process that ran it.
      queue.on('failed', (job: Job, error: Error) => {
        if (!isFinalFailure(job)) return;
        this.failedForGood(queue, job, error).catch((reason: unknown) =>
          this.logger.error(
            { err: reason, queue: queue.name, jobId: String(job.id) },
            'could not record a job that failed for good',
          ),
        );
      });
    }
  }

  async failedForGood(queue: Queue, job: Job, error: Error | undefined): Promise<void> {
    const event: DomainEvents['job.failed'] = {
      queue: queue.name,
      jobId: String(job.id),
      name: job.name,
      failedReason: (job.failedReason ?? error?.message ?? 'unknown').slice(0, REASON_MAX),
      attemptsMade: job.attemptsMade,
    };
    this.logger.warn(event, 'job failed for good');
    await this.counter.increment(event.queue, event.name);
    if (isJobFailedEvent(event.queue, event.name)) return;
    await this.transactions.run((tx) => this.outbox.enqueue(tx, { jobName: 'job.failed', payload: event }));
  }
}

/** The loop guard: a `job.failed` event job on the events queue. */
export const isJobFailedEvent = (queue: string, name: string): boolean =>
  queue === EVENTS_QUEUE && name === 'job.failed';

/**
 * Whether this failure moved the job to the failed set (rather than back to wait or delayed for
 * another attempt): Bull sets `finishedOn` only then, after this attempt's `processedOn`.
 */
export function isFinalFailure(
  job: Pick<Job, 'attemptsMade' | 'opts' | 'finishedOn' | 'processedOn'>,
): boolean {
  if (job.attemptsMade >= (job.opts.attempts ?? 1)) return true;
  return typeof job.finishedOn === 'number' && job.finishedOn >= (job.processedOn ?? 0);
}
