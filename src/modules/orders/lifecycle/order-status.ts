import type { Order, OrderStatus, PaymentMethod } from '../entities/order.entity';

/**
 * What a payment method means for an order: when an unpaid order is given up, and whether goods
 * may leave before the money comes.
 * - `reservation`: the checkout reservation (CHECKOUT_RESERVATION_TTL_SECONDS) — a card pays at once.
 * - `hold`: days (PAYMENT_BANK_TRANSFER_HOLD_DAYS) — a transfer takes days; the customer is reminded.
 * - `none`: never — cash on delivery is paid at the door, after the goods went out.
 */
export interface PaymentPolicy {
  deadline: 'reservation' | 'hold' | 'none';
  /** The customer is mailed the bank details before the deadline (PAYMENT_BANK_TRANSFER_REMINDER_HOURS). */
  remindsBeforeDeadline: boolean;
  /** Fulfilment, shipment and delivery may come before the payment is recorded. */
  shipsUnpaid: boolean;
}

export const PAYMENT_POLICIES: Readonly<Record<PaymentMethod, PaymentPolicy>> = {
  card: { deadline: 'reservation', remindsBeforeDeadline: false, shipsUnpaid: false },
  bank_transfer: { deadline: 'hold', remindsBeforeDeadline: true, shipsUnpaid: false },
  cash_on_delivery: { deadline: 'none', remindsBeforeDeadline: false, shipsUnpaid: true },
};

/** The settings the deadlines are made of (checkout and payments configuration). */
export interface DeadlineSettings {
  reservationTtlSeconds: number;
  bankTransferHoldDays: number;
  bankTransferReminderHours: number;
}

/** When an unpaid order placed at `placedAt` is cancelled (null: never) and when its customer is reminded. */
export function paymentDeadlines(
  method: PaymentMethod,
  placedAt: Date,
  settings: DeadlineSettings,
): { expiresAt: Date | null; remindAt: Date | null } {
  const policy = PAYMENT_POLICIES[method];
  const holdMs = {
    reservation: settings.reservationTtlSeconds * 1000,
    hold: settings.bankTransferHoldDays * 24 * 3_600_000,
    none: null,
  }[policy.deadline];
  if (holdMs === null) return { expiresAt: null, remindAt: null };
  const expiresAt = new Date(placedAt.getTime() + holdMs);
  const reminderMs = settings.bankTransferReminderHours * 3_600_000;
  const remindAt =
    policy.remindsBeforeDeadline && reminderMs > 0
      ? new Date(Math.max(placedAt.getTime(), expiresAt.getTime() - reminderMs))
      : null;
  return { expiresAt, remindAt };
}

/**
 * The order state machine for an order paid before it ships — every card and bank-transfer order,
 * and a cash-on-delivery order once its payment is recorded. Fulfilment states are reached by
 * recording fulfilments; `cancelled` and `refunded` are final.
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

/**
 * A cash-on-delivery order whose payment is not recorded yet: it is fulfilled, shipped and delivered
 * unpaid; it is cancelled only before its first fulfilment (units already sold do not come back by
 * cancelling); nothing is refunded, since nothing was paid. The payment is recorded in whatever
 * state it is in (`PAYABLE_IN_PLACE`), and from then on `ORDER_TRANSITIONS` applies. States that
 * imply a payment (`paid`, the refund states) cannot be reached unpaid: their rows are empty.
 */
export const UNPAID_ON_DELIVERY_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending_payment: ['paid', 'partially_fulfilled', 'fulfilled', 'cancelled'],
  paid: [],
  partially_fulfilled: ['partially_fulfilled', 'fulfilled'],
  fulfilled: ['shipped'],
  shipped: ['delivered'],
  delivered: [],
  partially_refunded: [],
  cancelled: [],
  refunded: [],
};

/** What the state machine reads of an order. */
export type OrderPosition = Pick<Order, 'status' | 'paymentMethod' | 'paidAt'>;

/** Whether the order ships before it is paid and has not been paid yet. */
const shipsUnpaidNow = (order: OrderPosition): boolean =>
  order.paidAt === null && PAYMENT_POLICIES[order.paymentMethod].shipsUnpaid;

/** The statuses this order may move to next. */
export function allowedTransitions(order: OrderPosition): readonly OrderStatus[] {
  return (shipsUnpaidNow(order) ? UNPAID_ON_DELIVERY_TRANSITIONS : ORDER_TRANSITIONS)[order.status];
}

export function canTransition(order: OrderPosition, to: OrderStatus): boolean {
  return allowedTransitions(order).includes(to);
}

/**
 * Where a cash-on-delivery order's payment is recorded without a status change: the money comes
 * at the door, after the goods went out, and the order never moves back to `paid`.
 */
export const PAYABLE_IN_PLACE: readonly OrderStatus[] = [
  'partially_fulfilled',
  'fulfilled',
  'shipped',
  'delivered',
];

/**
 * Whether a payment may be recorded for the order now: it awaits payment (`pending_payment`), or it
 * went out unpaid on delivery terms and has not been cancelled.
 */
export function awaitsPayment(order: OrderPosition): boolean {
  if (order.paidAt !== null) return false;
  if (order.status === 'pending_payment') return true;
  return shipsUnpaidNow(order) && PAYABLE_IN_PLACE.includes(order.status);
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
