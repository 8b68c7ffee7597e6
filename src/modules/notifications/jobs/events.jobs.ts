/**
 * Domain events: facts other features (and, later, outgoing webhooks) subscribe to. A feature
 * writes one to the outbox in the transaction that made it true; the worker consumes the queue.
 */
export const EVENTS_QUEUE = 'events';

export interface DomainEvents extends OrderEvents, PaymentEvents {
  /** A variant's available stock (all active locations) fell below its low-stock threshold. */
  'inventory.low-stock': { variantId: string; sku: string; available: number; threshold: number };
  /** A variant's availability crossed zero (sold out, or back in stock). */
  'inventory.availability-changed': { variantId: string; sku: string; inStock: boolean };
  /** A job ran out of retries (or was discarded as hopeless) and waits in its queue's failed list. */
  'job.failed': { queue: string; jobId: string; name: string; failedReason: string; attemptsMade: number };
}

/** Every order event carries ids and the move it announces; subscribers read the rest. */
export interface OrderEvent {
  orderId: string;
  number: string;
  customerId: string | null;
  from: string | null;
  to: string;
}

export interface OrderEvents {
  'order.placed': OrderEvent & { total: number; currency: string };
  'order.paid': OrderEvent;
  /** `refundDue`: the order had been paid, so its money must go back (the payments feature). */
  'order.cancelled': OrderEvent & { reason: string | null; refundDue: boolean };
  'order.fulfilled': OrderEvent & { fulfilmentId: string | null; complete: boolean };
  'order.shipped': OrderEvent;
  'order.delivered': OrderEvent;
  'order.refunded': OrderEvent & { complete: boolean };
}

/** What a payment event says: ids, the provider and the money; subscribers read the rest. */
export interface PaymentEvent {
  paymentId: string;
  orderId: string;
  provider: string;
  amount: number;
  currency: string;
}

export interface PaymentEvents {
  /** The order's money is held (`authorized`) or taken (`captured`): announced once per payment. */
  'payment.succeeded': PaymentEvent & { state: 'authorized' | 'captured' };
  /** The provider refused the payment; the order still awaits payment (another card may pay it). */
  'payment.failed': PaymentEvent & { failureCode: string | null; failureMessage: string | null };
  /** A refund reached the customer (`complete`: nothing captured is left on the payment). */
  'payment.refunded': PaymentEvent & { refundId: string; refunded: number; complete: boolean };
  /** Money arrived for an order already cancelled: it is being refunded; tell the customer. */
  'payment.late-refund': { orderId: string; paymentId: string; amount: number; currency: string };
}

export type DomainEventName = keyof DomainEvents;

/** Every domain event is an outbox job of the same name (all on EVENTS_QUEUE). */
declare module '../../outbox/outbox-jobs' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the merge adds DomainEvents' keys
  interface OutboxJobs extends DomainEvents {}
}
