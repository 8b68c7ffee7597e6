/** The mail queue: transactional email, sent by the worker over SMTP. */
export const MAIL_QUEUE = 'mail';

/** Associated data of secrets sealed into mail payloads: the sealing feature and the worker agree on it. */
export const MAIL_SECRET_CONTEXT = 'mail';

export const MailJobs = {
  send: 'mail.send',
} as const;

/** The templates the worker can render (HTML and text); each names the data it needs. */
export interface MailTemplates extends OrderMailTemplates {
  /** Data: name. Secrets: token (the verification link is built from it). */
  'verify-email': { data: { name: string }; secrets: { token: string } };
  /** Data: name. Secrets: token (the reset link is built from it). */
  'reset-password': { data: { name: string }; secrets: { token: string } };
  /** Data: name. A notice that the password changed, so an owner who did not do it can react. */
  'password-changed': { data: { name: string }; secrets: Record<string, never> };
  /** Data: the variant that fell below its threshold. Sent to the staff alert address. */
  'low-stock': {
    data: { sku: string; title: string; available: number; threshold: number };
    secrets: Record<string, never>;
  };
  /** Data: a webhook endpoint the worker disabled (`gone`: it answered 410; `failing`: failed for days). */
  'webhook-disabled': {
    data: { endpointId: string; url: string; reason: 'manual' | 'gone' | 'failing' };
    secrets: Record<string, never>;
  };
  /**
   * Data: an unpaid bank-transfer order before its hold runs out — its number (the payment reference),
   * amount (minor units) and currency, the deadline (ISO 8601) and the shop's bank details (may be empty).
   */
  'payment-reminder': {
    data: {
      name: string;
      number: string;
      amount: number;
      currency: string;
      payBy: string;
      instructions: string;
    };
    secrets: Record<string, never>;
  };
}
export type MailTemplate = keyof MailTemplates;

/** What order mail shows of the order: its customer's first name, number, lines and totals (minor units). */
export interface OrderMailSummary {
  name: string;
  number: string;
  currency: string;
  lines: Array<{ title: string; variantTitle: string; quantity: number; total: number }>;
  totals: {
    subtotal: number;
    discount: number;
    shipping: number;
    tax: number;
    total: number;
    taxIncluded: boolean;
  };
}

/** A parcel handed to a carrier; `trackingUrl` is null for a carrier whose tracking page is unknown. */
export interface ShipmentMailData {
  carrier: string;
  trackingNumber: string;
  trackingUrl: string | null;
}

/** The customer's mail about their order, one per domain event (see notifications/order-mail). */
export interface OrderMailTemplates {
  'order-confirmation': {
    data: OrderMailSummary & { paymentMethod: string; shippingMethodName: string | null };
    secrets: Record<string, never>;
  };
  'payment-received': { data: OrderMailSummary & { amount: number }; secrets: Record<string, never> };
  'payment-failed': {
    data: { name: string; number: string; amount: number; currency: string };
    secrets: Record<string, never>;
  };
  'order-shipped': {
    data: OrderMailSummary & { shipments: ShipmentMailData[] };
    secrets: Record<string, never>;
  };
  'order-delivered': { data: { name: string; number: string }; secrets: Record<string, never> };
  'order-cancelled': {
    data: OrderMailSummary & { reason: string | null; refundDue: boolean };
    secrets: Record<string, never>;
  };
  'order-refunded': {
    data: { name: string; number: string; amount: number; currency: string; complete: boolean };
    secrets: Record<string, never>;
  };
}
export type OrderMailTemplate = keyof OrderMailTemplates;

/**
 * The payload of a `mail.send` job, written to the outbox by the feature that wants the mail sent.
 * Secrets (e.g. a one-time token that becomes a link) are sealed with SecretBox (associated data
 * MAIL_SECRET_CONTEXT) so they are never stored in clear in the outbox table or in Redis.
 */
export interface SendMailPayload<T extends MailTemplate = MailTemplate> {
  template: T;
  to: string;
  data: MailTemplates[T]['data'];
  sealedSecrets: { [K in keyof MailTemplates[T]['secrets']]: string };
}

declare module '../../outbox/outbox-jobs' {
  interface OutboxJobs {
    [MailJobs.send]: SendMailPayload;
  }
}
