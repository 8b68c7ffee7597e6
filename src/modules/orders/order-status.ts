import type { OrderStatus } from './entities/order.entity';

/**
 * The order state machine: every legal move, in one place. Fulfilment states are reached by
 * recording fulfilments; refunds are recorded by staff (the payments feature will make them real).
 * `cancelled` and `refunded` are final.
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending_payment: ['paid', 'cancelled'],
  paid: ['partially_fulfilled', 'fulfilled', 'cancelled', 'partially_refunded', 'refunded'],
  partially_fulfilled: ['partially_fulfilled', 'fulfilled', 'partially_refunded', 'refunded'],
  fulfilled: ['shipped', 'partially_refunded', 'refunded'],
  shipped: ['delivered', 'partially_refunded', 'refunded'],
  delivered: ['partially_refunded', 'refunded'],
  partially_refunded: ['partially_refunded', 'refunded'],
  cancelled: [],
  refunded: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

/** States a customer may still cancel from: nothing has been handed to a carrier. */
export const CUSTOMER_CANCELLABLE: readonly OrderStatus[] = ['pending_payment', 'paid'];

/** States reached only by recording a fulfilment, never by naming them. */
export const FULFILMENT_STATES: readonly OrderStatus[] = ['partially_fulfilled', 'fulfilled'];

/** The outbox event each status change announces (order.placed is written by checkout). */
export const STATUS_EVENTS: Readonly<Record<OrderStatus, string | null>> = {
  pending_payment: null,
  paid: 'order.paid',
  partially_fulfilled: 'order.fulfilled',
  fulfilled: 'order.fulfilled',
  shipped: 'order.shipped',
  delivered: 'order.delivered',
  cancelled: 'order.cancelled',
  partially_refunded: 'order.refunded',
  refunded: 'order.refunded',
};
