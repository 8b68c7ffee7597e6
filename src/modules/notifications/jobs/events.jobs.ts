/**
 * Domain events: facts other features (and, later, outgoing webhooks) subscribe to. A feature
 * writes one to the outbox in the transaction that made it true; the worker consumes the queue.
 */
export const EVENTS_QUEUE = 'events';

export interface DomainEvents {
  /** A variant's available stock (all active locations) fell below its low-stock threshold. */
  'inventory.low-stock': { variantId: string; sku: string; available: number; threshold: number };
  /** A variant's availability crossed zero (sold out, or back in stock). */
  'inventory.availability-changed': { variantId: string; sku: string; inStock: boolean };
}
export type DomainEventName = keyof DomainEvents;
