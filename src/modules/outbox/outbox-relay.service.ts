import { TRACE_CONTEXT_JOB_OPTION, withTimeout } from '@app/common';
import { AppConfig } from '@app/config';
import { TransactionRunner } from '@app/database';
import { Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import type { JobOptions, Queue } from 'bull';
import { OutboxRedriveService } from './outbox-redrive.service';
import { OutboxRepository, PendingOutboxMessage } from './outbox.repository';

export const outboxJobId = (outboxId: string): string => `outbox-${outboxId}`;

/**
 * Finds the Bull queue a row names, if this process registered it. Provided by src/queues (its
 * QueueRegistry), which knows every queue: the outbox does not import it, so that it can import the
 * outbox's job map without a cycle.
 */
export abstract class OutboxQueues {
  abstract get(name: string): Queue | undefined;
}

/**
 * Moves committed outbox rows to their Bull queues (worker only). Each batch is locked with
 * FOR UPDATE SKIP LOCKED, added to Bull with the row id as job id, and marked published in the same
 * transaction, so concurrent relays never publish the same row twice. If the commit fails after
 * Bull accepted the jobs, the next pass adds them again under the same job id, which Bull ignores.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelayService.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private consecutiveFailures = 0;
  private static readonly MAX_BACKOFF_MS = 5_000;
  /** A hung Redis must not hold the batch's row locks (and the shutdown) for Bull's minutes of retries. */
  private static readonly ADD_TIMEOUT_MS = 5_000;

  constructor(
    private readonly config: AppConfig,
    private readonly transactions: TransactionRunner,
    private readonly outbox: OutboxRepository,
    private readonly queues: OutboxQueues,
    private readonly redrive: OutboxRedriveService,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /**
   * Publishes one batch; returns how many rows it published. READ COMMITTED: the locking read then
   * locks the rows it takes and no gap, so the writers appending to the outbox meanwhile (every
   * business transaction) neither wait for the batch's Bull round trip nor deadlock with it.
   */
  async publishBatch(): Promise<number> {
    return this.transactions.run(
      async (manager) => {
        const messages = await this.outbox.lockNextUnpublished(manager, this.config.outbox.batchSize);
        if (messages.length === 0) return 0;
        const published: string[] = [];
        for (const [queueName, batch] of groupByQueue(messages)) {
          const queue = this.queues.get(queueName);
          const ids = batch.map((message) => message.id);
          if (!queue) {
            // Leave the rows for a worker that knows the queue (e.g. during a rolling deploy); after
            // MAX_ATTEMPTS passes they are parked, so they cannot hold the head of the outbox forever.
            await this.outbox.recordFailure(manager, ids, `Unknown queue "${queueName}"`);
            this.logger.error(`Outbox rows ${ids.join(', ')} name unknown queue "${queueName}"`);
            continue;
          }
          const jobs = await withTimeout(
            queue.addBulk(
              batch.map((message) => ({
                name: message.jobName,
                data: message.payload,
                opts: jobOptions(message),
              })),
            ),
            OutboxRelayService.ADD_TIMEOUT_MS,
            'Bull did not accept the jobs in time (is Redis down?)',
          );
          // Bull's addBulk resolves even when Redis refused a job (MISCONF, OOM, READONLY): that job
          // comes back without an id. Marking its row published would lose the side effect.
          const refused = batch.filter(
            (message, index) => String(jobs[index]?.id) !== outboxJobId(message.id),
          );
          if (refused.length > 0) {
            throw new Error(`Bull refused ${refused.length} job(s) on queue "${queueName}"`);
          }
          published.push(...ids);
        }
        await this.outbox.markPublished(manager, published);
        return published.length;
      },
      { isolation: 'READ COMMITTED' },
    );
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass().finally(() => (this.running = undefined));
    }, delayMs);
  }

  private async pass(): Promise<void> {
    let next = this.config.outbox.pollIntervalMs;
    try {
      // Before publishing: jobs published into a Redis that has since lost its data are published again.
      await this.redrive.guard();
      const count = await this.publishBatch();
      if (this.consecutiveFailures > 0) this.logger.log('Outbox relay recovered');
      this.consecutiveFailures = 0;
      // A full batch means more are waiting: go again at once.
      if (count >= this.config.outbox.batchSize) next = 0;
    } catch (error) {
      // While MySQL or Redis is down, back off (up to 5 s) and log the outage once, not every pass.
      this.consecutiveFailures++;
      if (this.consecutiveFailures === 1)
        this.logger.error({ err: error }, 'Outbox relay pass failed; backing off');
      next = Math.min(
        OutboxRelayService.MAX_BACKOFF_MS,
        this.config.outbox.pollIntervalMs * 2 ** this.consecutiveFailures,
      );
    }
    this.schedule(next);
  }
}

/**
 * The row id as job id, its delay, and the trace context it was written in: a job option, not part
 * of the payload, so processors and what they forward (webhook bodies) never see it.
 */
function jobOptions(message: PendingOutboxMessage): JobOptions {
  const options: JobOptions & { [TRACE_CONTEXT_JOB_OPTION]?: PendingOutboxMessage['traceContext'] } = {
    jobId: outboxJobId(message.id),
    delay: message.delayMs || undefined,
  };
  if (message.traceContext) options[TRACE_CONTEXT_JOB_OPTION] = message.traceContext;
  return options;
}

function groupByQueue(messages: PendingOutboxMessage[]): Map<string, PendingOutboxMessage[]> {
  const groups = new Map<string, PendingOutboxMessage[]>();
  for (const message of messages) {
    const group = groups.get(message.queue) ?? [];
    group.push(message);
    groups.set(message.queue, group);
  }
  return groups;
}
