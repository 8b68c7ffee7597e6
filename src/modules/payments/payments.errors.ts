import { DomainError } from '@app/common';

export class PaymentNotFoundError extends DomainError {
  readonly kind = 'not_found';
  readonly type = 'payment-not-found';
  readonly title = 'Payment not found';
  constructor(id: string) {
    super(`There is no payment ${id}.`);
  }
}

/** The order is not awaiting payment (paid, cancelled, …): answered with its status. */
export class OrderNotPayableError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'order-not-payable';
  readonly title = 'The order is not awaiting payment';
  constructor(status: string) {
    super(`The order is ${status}; only an order awaiting payment can be paid.`, { currentStatus: status });
  }
}

export class PaymentInProgressError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'payment-in-progress';
  readonly title = 'The order already has a payment under way';
  constructor(paymentId: string, state: string) {
    super(`Payment ${paymentId} is ${state}; wait for it to settle (or fail) before starting another.`, {
      paymentId,
      state,
    });
  }
}

export class RefundNotPossibleError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'refund-not-possible';
  readonly title = 'This refund cannot be made';
}

export class CaptureNotPossibleError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'capture-not-possible';
  readonly title = 'This capture cannot be made';
}

export class WebhookRejectedError extends DomainError {
  readonly kind = 'malformed';
  readonly type = 'webhook-signature-invalid';
  readonly title = 'The webhook signature does not hold';
}

export class UnknownProviderError extends DomainError {
  readonly kind = 'not_found';
  readonly type = 'unknown-provider';
  readonly title = 'No such payment provider';
  constructor(name: string) {
    super(`Storekeep takes webhooks from "sandbox" and "stripe", not "${name}".`);
  }
}

export class ProviderDownError extends DomainError {
  readonly kind = 'unavailable';
  readonly type = 'payment-provider-unavailable';
  readonly title = 'The payment provider did not answer';
  constructor() {
    super(
      'The payment provider did not answer. Retry with the same Idempotency-Key: you will not be charged twice.',
      {},
      { 'retry-after': '2' },
    );
  }
}
