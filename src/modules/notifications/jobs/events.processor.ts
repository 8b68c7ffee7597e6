import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { OutboxJob } from '../../outbox';
import { EVENTS_QUEUE, type DomainEventName } from './events.jobs';

/**
 * Consumes domain events. Today it records them in the log; outgoing webhooks and real-time
 * events subscribe here (each handler idempotent by job id, which is the outbox id).
 */
@Processor(EVENTS_QUEUE)
export class EventsProcessor {
  private readonly logger = new Logger('DomainEvents');

  @Process({ name: '*' })
  handle(job: OutboxJob<DomainEventName>): void {
    this.logger.log(
      { event: job.name, eventId: String(job.id), payload: job.data },
      `domain event ${job.name}`,
    );
  }
}
