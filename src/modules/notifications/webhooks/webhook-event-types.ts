import type { DomainEventName } from '../jobs/events.jobs';

/** The test event `POST /v1/admin/webhooks/{id}/ping` sends; it reaches the endpoint whatever its filters. */
export const PING_EVENT_TYPE = 'webhook.ping';

/** Every domain event a webhook can subscribe to (the compile-time check below keeps it complete). */
export const WEBHOOK_EVENT_TYPES = [
  'order.placed',
  'order.paid',
  'order.cancelled',
  'order.fulfilled',
  'order.shipped',
  'order.delivered',
  'order.refunded',
  'payment.succeeded',
  'payment.failed',
  'payment.refunded',
  'payment.late-refund',
  'inventory.low-stock',
  'inventory.availability-changed',
  'job.failed',
] as const satisfies readonly DomainEventName[];

type Unlisted = Exclude<DomainEventName, (typeof WEBHOOK_EVENT_TYPES)[number]>;
// A domain event added without being listed here fails to compile.
export const EVERY_EVENT_LISTED: [Unlisted] extends [never] ? true : Unlisted = true;

const PREFIXES = new Set(WEBHOOK_EVENT_TYPES.map((type) => type.split('.')[0]));

/** A filter is `*`, `<group>.*` for a group of events (`order.*`), or one event type. */
export function isValidEventFilter(filter: string): boolean {
  if (filter === '*') return true;
  if (filter.endsWith('.*')) return PREFIXES.has(filter.slice(0, -2));
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(filter);
}

export function matchesEventFilters(filters: readonly string[], type: string): boolean {
  return filters.some(
    (filter) =>
      filter === '*' || filter === type || (filter.endsWith('.*') && type.startsWith(filter.slice(0, -1))),
  );
}
