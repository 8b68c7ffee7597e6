import { Process, Processor } from '@nestjs/bull';
import { Inject, Logger } from '@nestjs/common';
import type { OutboxJob } from '../../outbox';
import {
  DOMAIN_EVENT_HANDLERS,
  type DomainEventEnvelope,
  type DomainEventHandler,
} from './domain-event-handler';
import { EVENTS_QUEUE, type DomainEventName } from '../jobs/events.jobs';

/**
 * Consumes domain events: logs each one and hands it to every subscriber (DOMAIN_EVENT_HANDLERS).
 * The job id is the outbox id, so a redelivered event reaches each handler with the same id.
 */
@Processor(EVENTS_QUEUE)
export class EventsProcessor {
  private readonly logger = new Logger('DomainEvents');

  constructor(@Inject(DOMAIN_EVENT_HANDLERS) private readonly handlers: readonly DomainEventHandler[]) {}

  @Process({ name: '*' })
  async handle(job: OutboxJob<DomainEventName>): Promise<void> {
    const event: DomainEventEnvelope = {
      id: String(job.id),
      type: job.name as DomainEventName,
      timestamp: new Date(job.timestamp).toISOString(),
      payload: job.data,
    };
    this.logger.log(
      { event: event.type, eventId: event.id, payload: event.payload },
      `domain event ${event.type}`,
    );
    for (const handler of this.handlers) await handler.handle(event);
  }
}
