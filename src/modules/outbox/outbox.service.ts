import { activeTraceCarrier } from '@app/common';
import { isTransactionContext } from '@app/database';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { NewOutboxMessage, OUTBOX_ROUTES, OutboxRoutes } from './outbox-jobs';
import { OutboxRepository, type OutboxRowToInsert } from './outbox.repository';

export type { NewOutboxMessage };

/**
 * What other features call to schedule a side effect. It takes the caller's transaction manager:
 * the message exists exactly when the business change commits. Each message names a job of the
 * OutboxJobs map with that job's payload; the row goes to the queue the job is routed to. With
 * tracing on, each row carries the caller's trace context, which the job continues. Inside a
 * TransactionRunner transaction the rows are collected and written in one INSERT just before it
 * commits, however many features enqueue (a payment's success and its order's `order.paid`).
 */
@Injectable()
export class OutboxService {
  constructor(
    private readonly outbox: OutboxRepository,
    @Inject(OUTBOX_ROUTES) private readonly routes: OutboxRoutes,
  ) {}

  /** Rows waiting for their transaction's end, per transaction attempt (each has its own manager). */
  private readonly pending = new WeakMap<EntityManager, OutboxRowToInsert[]>();

  async enqueue(manager: EntityManager, ...messages: NewOutboxMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const traceContext = activeTraceCarrier();
    const rows = messages.map((message) => ({
      ...message,
      queue: this.routes[message.jobName],
      traceContext,
    }));
    if (!isTransactionContext(manager)) return this.outbox.insert(manager, rows);
    const pending = this.pending.get(manager);
    if (pending) {
      pending.push(...rows);
      return;
    }
    this.pending.set(manager, rows);
    manager.beforeCommit(async () => {
      const all = this.pending.get(manager) ?? [];
      this.pending.delete(manager);
      await this.outbox.insert(manager, all);
    }, 'outbox');
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
