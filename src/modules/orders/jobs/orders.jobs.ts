/** The orders queue: payment deadlines of unpaid orders and the reminders before them. */
export const ORDERS_QUEUE = 'orders';

export const OrdersJobs = {
  /** Delayed to an order's payment deadline: cancel it if still unpaid. Payload: ExpireOrderPayload. */
  expire: 'orders.expire',
  /** Repeatable safety net: expire every unpaid order past its deadline (a delayed job may be lost). */
  expireOverdue: 'orders.expire-overdue',
  /** Delayed to an order's reminder time: mail the customer how to pay, once. Payload: RemindPaymentPayload. */
  remindPayment: 'orders.remind-payment',
  /** Repeatable safety net: remind every unpaid order whose reminder is due and was never sent. */
  remindPaymentsDue: 'orders.remind-payments-due',
} as const;

export interface ExpireOrderPayload {
  orderId: string;
}

export interface RemindPaymentPayload {
  orderId: string;
}

declare module '../../outbox/outbox-jobs' {
  interface OutboxJobs {
    [OrdersJobs.expire]: ExpireOrderPayload;
    [OrdersJobs.remindPayment]: RemindPaymentPayload;
  }
}
