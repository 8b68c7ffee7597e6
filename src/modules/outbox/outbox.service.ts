import { activeTraceCarrier } from '@app/common';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { NewOutboxMessage, OUTBOX_ROUTES, OutboxRoutes } from './outbox-jobs';
import { OutboxRepository } from './outbox.repository';

export type { NewOutboxMessage };

/**
 * What other features call to schedule a side effect. It takes the caller's transaction manager:
 * the message exists exactly when the business change commits. Each message names a job of the
 * OutboxJobs map with that job's payload; the row goes to the queue the job is routed to. With
 * tracing on, each row carries the caller's trace context, which the job continues.
 */
@Injectable()
export class OutboxService {
  constructor(
    private readonly outbox: OutboxRepository,
    @Inject(OUTBOX_ROUTES) private readonly routes: OutboxRoutes,
  ) {}

  async enqueue(manager: EntityManager, ...messages: NewOutboxMessage[]): Promise<void> {
    const traceContext = activeTraceCarrier();
    await this.outbox.insert(
      manager,
      messages.map((message) => ({ ...message, queue: this.routes[message.jobName], traceContext })),
    );
  }

  /** How far the relay is behind: rows waiting and the age of the oldest (for /metrics). */
  async backlog(): Promise<{ pending: number; oldestAgeSeconds: number }> {
    const [pending, oldestAgeSeconds] = await Promise.all([
      this.outbox.countUnpublished(),
      this.outbox.oldestUnpublishedAgeSeconds(),
    ]);
    return { pending, oldestAgeSeconds };
  }
}
