/**
 * What real-time events need to know about orders, provided by the orders feature (notifications
 * cannot import it: orders publish their events through notifications).
 */
export interface OrderAudience {
  /** The customer of an order: null for a guest's order, undefined when there is no such order. */
  customerOf(orderId: string): Promise<string | null | undefined>;
  /** Whether this guest token (an order or cart token) opens this guest order. */
  guestMayFollow(orderId: string, token: string): Promise<boolean>;
}

export const ORDER_AUDIENCE = Symbol('ORDER_AUDIENCE');
