import type { EntityManager } from 'typeorm';
import type { OrderMailSummary } from '../mail/mail.jobs';

/** What order mail needs of an order: the summary, its recipient, and the parcels handed to carriers. */
export interface OrderForMail extends OrderMailSummary {
  /** The order's email (a guest's or the customer's at checkout). */
  email: string;
  paymentMethod: string;
  shippingMethodName: string | null;
  shipments: Array<{ carrier: string; trackingNumber: string }>;
}

/**
 * Reads an order for its mail. The orders feature implements it (orders already depends on
 * notifications, so notifications cannot import orders); the binding is OrderMailSourceModule.
 */
export interface OrderMailSource {
  /** The order as its mail shows it, read with the caller's transaction; null when there is none. */
  find(manager: EntityManager, orderId: string): Promise<OrderForMail | null>;
}

export const ORDER_MAIL_SOURCE = Symbol('ORDER_MAIL_SOURCE');
