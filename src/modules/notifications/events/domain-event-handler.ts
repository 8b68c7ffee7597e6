import type { DomainEventName, DomainEvents } from '../jobs/events.jobs';

/** One domain event as its subscribers see it: the outbox id is its id (stable across redeliveries). */
export interface DomainEventEnvelope<K extends DomainEventName = DomainEventName> {
  /** The outbox row's id: the same on every delivery of this event, so handlers dedupe on it. */
  id: string;
  type: K;
  /** When the event was published to the queue (ISO 8601). */
  timestamp: string;
  payload: DomainEvents[K];
}

/**
 * A subscriber of every domain event (outgoing webhooks, real-time streams, order email). Bull
 * delivers an event at least once and retries the whole job when a handler throws, so each handler
 * is idempotent by `event.id` and cheap: slow work (an HTTP delivery, an SMTP send) goes to its own job.
 */
export interface DomainEventHandler {
  handle(event: DomainEventEnvelope): Promise<void>;
}

/** The handlers the events processor calls, in order (provided by NotificationsWorkerModule). */
export const DOMAIN_EVENT_HANDLERS = Symbol('DOMAIN_EVENT_HANDLERS');

/**
 * The sales rollups' handler (analytics), a port: analytics depends on orders, which depend on
 * notifications, so notifications cannot import it. A global module of analytics binds it; the
 * events processor calls it after the handlers above. Optional: a worker without analytics runs.
 */
export const SALES_ROLLUP_HANDLER = Symbol('SALES_ROLLUP_HANDLER');
