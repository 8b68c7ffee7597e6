/** The orders queue: payment deadlines of unpaid orders. */
export const ORDERS_QUEUE = 'orders';

export const OrdersJobs = {
  /** Delayed to an order's payment deadline: cancel it if still unpaid. Payload: ExpireOrderPayload. */
  expire: 'orders.expire',
  /** Repeatable safety net: expire every unpaid order past its deadline (a delayed job may be lost). */
  expireOverdue: 'orders.expire-overdue',
} as const;

export interface ExpireOrderPayload {
  orderId: string;
}
