/**
 * What Storekeep asks of a payment provider (manual, sandbox, stripe). Every call that has an effect
 * carries an idempotency key derived from our own ids (`<paymentId>:create`, `<paymentId>:capture:<n>`,
 * `<refundId>:refund`), so a retried job or request never charges, captures or refunds twice.
 * Amounts are integer minor units of an ISO 4217 currency (lower-case is the provider's business).
 */
export type ProviderName = 'manual' | 'sandbox' | 'stripe';

export type ProviderPaymentState =
  'pending' | 'requires_action' | 'authorized' | 'captured' | 'voided' | 'failed';

export interface CreatePaymentRequest {
  /** Our payment id: the provider's idempotency key and metadata derive from it. */
  paymentId: string;
  orderId: string;
  orderNumber: string;
  amount: number;
  currency: string;
  /** `manual`: authorize now, capture later (a job); `automatic`: capture at once. */
  captureMethod: 'automatic' | 'manual';
  /** A provider-specific payment method reference (a Stripe PaymentMethod id, a sandbox test card). */
  paymentMethod: string;
  idempotencyKey: string;
}

export interface ProviderPayment {
  /** The provider's id of this payment (a PaymentIntent id, `sbx_…`). */
  reference: string;
  state: ProviderPaymentState;
  /** What the provider says the amount is (must equal ours; anything else is flagged). */
  amount: number;
  currency: string;
  /** What has been captured of it, when the provider says (a partial capture takes less). */
  capturedAmount?: number;
  failureCode?: string | null;
  failureMessage?: string | null;
}

export interface ProviderRefund {
  reference: string;
  state: 'pending' | 'succeeded' | 'failed';
  amount: number;
  currency: string;
}

/** A verified inbound webhook event, normalised. */
export interface ProviderEvent {
  /** The provider's event id: recorded once, a duplicate delivery has no second effect. */
  id: string;
  type:
    | 'payment.authorized'
    | 'payment.captured'
    | 'payment.failed'
    | 'payment.voided'
    | 'refund.succeeded'
    | 'refund.failed'
    | 'other';
  /** The provider's payment reference the event is about. */
  paymentReference: string | null;
  /**
   * Our payment id, as we gave it to the provider (metadata): finds the payment when the answer that
   * named the reference was lost, so money that arrives then is never left unmatched.
   */
  paymentId: string | null;
  refundReference: string | null;
  amount: number | null;
  currency: string | null;
  /** When the provider created the event: orders events that arrive out of order. */
  createdAt: Date;
  /** The provider's own type name (`payment_intent.succeeded`), for the record. */
  providerType: string;
}

export interface PaymentProvider {
  readonly name: ProviderName;
  create(request: CreatePaymentRequest): Promise<ProviderPayment>;
  /** Full capture when `amount` equals the authorized amount, partial otherwise. */
  capture(reference: string, amount: number, idempotencyKey: string): Promise<ProviderPayment>;
  void(reference: string, idempotencyKey: string): Promise<ProviderPayment>;
  refund(reference: string, amount: number, idempotencyKey: string): Promise<ProviderRefund>;
  /**
   * Verifies the signature over the exact raw body (and its age, 300 s tolerance) before parsing
   * anything; throws WebhookSignatureError when it does not hold.
   */
  /**
   * The provider's own record of one of our payments, by its reference or — when the answer that
   * carried the reference was lost — by our payment id; null when the provider has none. Reconciliation
   * uses it for payments that stayed pending or authorized too long.
   */
  retrieve(payment: { paymentId: string; reference: string | null }): Promise<ProviderPayment | null>;
  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): ProviderEvent;
}

export class WebhookSignatureError extends Error {
  constructor(reason: string) {
    super(`webhook signature rejected: ${reason}`);
    this.name = 'WebhookSignatureError';
  }
}

/** A provider call that failed for a reason worth retrying (network, 5xx, 429): the job retries it. */
export class ProviderUnavailableError extends Error {
  constructor(provider: ProviderName, cause: unknown) {
    super(`${provider} is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'ProviderUnavailableError';
  }
}

/** The provider refused the operation for good (card declined, amount too large): no retry. */
export class ProviderRejectedError extends Error {
  constructor(
    provider: ProviderName,
    readonly code: string,
    message: string,
  ) {
    super(`${provider} refused: ${message}`);
    this.name = 'ProviderRejectedError';
  }
}
