import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { NewOutboxMessage, OutboxRepository } from './outbox.repository';

export type { NewOutboxMessage };

/**
 * What other features call to schedule a side effect. It takes the caller's transaction manager:
 * the message exists exactly when the business change commits.
 */
@Injectable()
export class OutboxService {
  constructor(private readonly outbox: OutboxRepository) {}

  async enqueue(manager: EntityManager, ...messages: NewOutboxMessage[]): Promise<void> {
    await this.outbox.insert(manager, messages);
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
