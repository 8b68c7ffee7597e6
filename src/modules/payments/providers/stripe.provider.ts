import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import {
  CreatePaymentRequest,
  PaymentProvider,
  ProviderEvent,
  ProviderPayment,
  ProviderRefund,
  ProviderRejectedError,
  ProviderUnavailableError,
  WebhookSignatureError,
} from './payment-provider';

/**
 * The API version every request is pinned to, so an account upgrade on Stripe's side never changes
 * the shapes this adapter reads. It is the SDK's own version (its types describe only that one):
 * upgrading the `stripe` package fails the typecheck here until this line is moved on purpose.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive' satisfies Stripe.LatestApiVersion;

/** Stripe's own default, and what the issue asks for: an event older than this is refused. */
export const STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300;

export interface StripeProviderOptions {
  secretKey: string;
  webhookSecret: string;
  /** `https://api.stripe.com`, or a local Stripe-compatible server in tests (scheme, host, port only). */
  apiBaseUrl: string;
  /** Per-request timeout; Stripe's default of 80 s would hold a checkout request far too long. */
  timeoutMs?: number;
}

/**
 * Stripe through PaymentIntents: create-and-confirm in one call (manual or automatic capture),
 * capture (full or partial), cancel, refunds, and verified webhooks. Every effect carries the
 * caller's idempotency key, so a retried job replays Stripe's first answer instead of charging,
 * capturing or refunding again. The SDK never retries on its own (`maxNetworkRetries: 0`): the Bull
 * jobs own the retry policy and see ProviderUnavailableError for anything worth another try.
 */
@Injectable()
export class StripeProvider implements PaymentProvider {
  readonly name = 'stripe' as const;
  private readonly stripe: Stripe;
  private readonly webhookSecret: string;

  constructor(config: AppConfig) {
    const options = StripeProvider.optionsFrom(config);
    this.stripe = StripeProvider.client(options);
    this.webhookSecret = options.webhookSecret;
  }

  static optionsFrom(config: AppConfig): StripeProviderOptions {
    return {
      secretKey: config.payments.stripeSecretKey,
      webhookSecret: config.payments.stripeWebhookSecret,
      apiBaseUrl: config.payments.stripeApiBaseUrl,
    };
  }

  static client(options: StripeProviderOptions): Stripe {
    const base = new URL(options.apiBaseUrl);
    const protocol = base.protocol === 'http:' ? 'http' : 'https';
    return new Stripe(options.secretKey, {
      apiVersion: STRIPE_API_VERSION,
      host: base.hostname,
      port: base.port || (protocol === 'http' ? 80 : 443),
      protocol,
      maxNetworkRetries: 0,
      timeout: options.timeoutMs ?? 20_000,
      telemetry: false,
      appInfo: { name: 'storekeep' },
    });
  }

  async create(request: CreatePaymentRequest): Promise<ProviderPayment> {
    try {
      const intent = await this.stripe.paymentIntents.create(
        {
          amount: request.amount,
          currency: request.currency.toLowerCase(),
          payment_method: request.paymentMethod,
          capture_method: request.captureMethod,
          confirm: true,
          // A server-side confirmation has no page to come back to: card payments only need no
          // redirect (3-D Secure still surfaces as requires_action), and no return_url is asked for.
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
          metadata: {
            paymentId: request.paymentId,
            orderId: request.orderId,
            orderNumber: request.orderNumber,
          },
        },
        { idempotencyKey: request.idempotencyKey },
      );
      return toProviderPayment(intent);
    } catch (error) {
      // A declined card still creates the PaymentIntent (requires_payment_method, with
      // last_payment_error): answer with it, so the payment keeps its reference and later events
      // about the same intent find it. The same key replays this very answer.
      if (error instanceof Stripe.errors.StripeCardError && error.payment_intent)
        return toProviderPayment(error.payment_intent);
      throw translate(error);
    }
  }

  async capture(reference: string, amount: number, idempotencyKey: string): Promise<ProviderPayment> {
    try {
      const intent = await this.stripe.paymentIntents.capture(
        reference,
        { amount_to_capture: amount },
        { idempotencyKey },
      );
      return toProviderPayment(intent);
    } catch (error) {
      throw translate(error);
    }
  }

  async void(reference: string, idempotencyKey: string): Promise<ProviderPayment> {
    try {
      const intent = await this.stripe.paymentIntents.cancel(reference, {}, { idempotencyKey });
      return toProviderPayment(intent);
    } catch (error) {
      throw translate(error);
    }
  }

  async retrieve(payment: { paymentId: string; reference: string | null }): Promise<ProviderPayment | null> {
    try {
      if (payment.reference)
        return toProviderPayment(await this.stripe.paymentIntents.retrieve(payment.reference));
      // The answer that named the intent was lost: find it by the metadata we gave it. Stripe's search
      // can lag a minute behind; reconciliation only asks about payments far older than that.
      const found = await this.stripe.paymentIntents.search({
        query: `metadata['paymentId']:'${payment.paymentId}'`,
        limit: 1,
      });
      return found.data[0] ? toProviderPayment(found.data[0]) : null;
    } catch (error) {
      throw translate(error);
    }
  }

  async refund(reference: string, amount: number, idempotencyKey: string): Promise<ProviderRefund> {
    try {
      const refund = await this.stripe.refunds.create(
        { payment_intent: reference, amount },
        { idempotencyKey },
      );
      return {
        reference: refund.id,
        state: refundState(refund.status),
        amount: refund.amount,
        currency: refund.currency.toUpperCase(),
      };
    } catch (error) {
      throw translate(error);
    }
  }

  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): ProviderEvent {
    const header = headers['stripe-signature'];
    if (typeof header !== 'string' || header.length === 0)
      throw new WebhookSignatureError('no Stripe-Signature header');
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(
        rawBody,
        header,
        this.webhookSecret,
        STRIPE_WEBHOOK_TOLERANCE_SECONDS,
      );
    } catch (error) {
      throw new WebhookSignatureError(error instanceof Error ? error.message : String(error));
    }
    // The SDK only refuses timestamps that are too old; one from the future would pass, and a
    // signature that is valid for longer than 300 s is what the tolerance exists to prevent.
    const timestamp = Number(/(?:^|,)t=(\d+)/.exec(header)?.[1]);
    if (timestamp - Math.floor(Date.now() / 1000) > STRIPE_WEBHOOK_TOLERANCE_SECONDS)
      throw new WebhookSignatureError('timestamp is in the future, outside the tolerance');
    return toProviderEvent(event);
  }
}

function toProviderPayment(intent: Stripe.PaymentIntent): ProviderPayment {
  const base = { reference: intent.id, amount: intent.amount, currency: intent.currency.toUpperCase() };
  switch (intent.status) {
    case 'requires_capture':
      return { ...base, state: 'authorized' };
    case 'succeeded':
      return { ...base, state: 'captured', capturedAmount: intent.amount_received };
    case 'canceled':
      return { ...base, state: 'voided' };
    case 'requires_action':
      return { ...base, state: 'requires_action' };
    case 'requires_payment_method':
      // After a decline the intent waits for another payment method; for us that attempt failed.
      if (intent.last_payment_error)
        return {
          ...base,
          state: 'failed',
          failureCode: intent.last_payment_error.decline_code ?? intent.last_payment_error.code ?? 'declined',
          failureMessage: intent.last_payment_error.message ?? null,
        };
      return { ...base, state: 'pending' };
    case 'processing':
    case 'requires_confirmation':
    default:
      // Still under way (and any status a later API version adds): the webhook says how it ends.
      return { ...base, state: 'pending' };
  }
}

function refundState(status: string | null): ProviderRefund['state'] {
  if (status === 'succeeded') return 'succeeded';
  if (status === 'failed' || status === 'canceled') return 'failed';
  return 'pending';
}

/** What to do about a failed call: retry (unavailable) or give up for good (rejected). */
function translate(error: unknown): Error {
  if (!(error instanceof Stripe.errors.StripeError)) return new ProviderUnavailableError('stripe', error);
  if (
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeRateLimitError ||
    error instanceof Stripe.errors.StripeAPIError ||
    // A bad or revoked key is our configuration, not the customer's card: keep the payment
    // pending and retrying (and visible in the job failures) rather than failing it for good.
    error instanceof Stripe.errors.StripeAuthenticationError ||
    error instanceof Stripe.errors.StripePermissionError ||
    (error.statusCode !== undefined && error.statusCode >= 500)
  )
    return new ProviderUnavailableError('stripe', error);
  // Card errors, invalid requests (amount too large, wrong state), idempotency-key misuse.
  return new ProviderRejectedError(
    'stripe',
    error.decline_code ?? error.code ?? error.rawType ?? error.type,
    error.message,
  );
}

const INTENT_EVENTS: Partial<Record<string, ProviderEvent['type']>> = {
  'payment_intent.amount_capturable_updated': 'payment.authorized',
  'payment_intent.succeeded': 'payment.captured',
  'payment_intent.payment_failed': 'payment.failed',
  'payment_intent.canceled': 'payment.voided',
};

type StripeObject = { object?: string; id?: string } & Record<string, unknown>;

function toProviderEvent(event: Stripe.Event): ProviderEvent {
  const object = event.data.object as unknown as StripeObject;
  const normalised: ProviderEvent = {
    id: event.id,
    type: 'other',
    paymentReference: null,
    paymentId: null,
    refundReference: null,
    amount: null,
    currency: null,
    createdAt: new Date(event.created * 1000),
    providerType: event.type,
  };
  if (object.object === 'payment_intent') {
    const intent = object as unknown as Stripe.PaymentIntent;
    normalised.paymentReference = intent.id;
    normalised.paymentId = intent.metadata?.paymentId ?? null;
    normalised.currency = intent.currency.toUpperCase();
    normalised.amount = intent.amount;
    const type = INTENT_EVENTS[event.type];
    if (type) normalised.type = type;
    // What was authorized and what was received are the amounts those two events are about.
    if (type === 'payment.authorized') normalised.amount = intent.amount_capturable;
    if (type === 'payment.captured') normalised.amount = intent.amount_received;
    return normalised;
  }
  if (object.object === 'refund') {
    const refund = object as unknown as Stripe.Refund;
    normalised.refundReference = refund.id;
    normalised.paymentReference = idOf(refund.payment_intent);
    normalised.amount = refund.amount;
    normalised.currency = refund.currency.toUpperCase();
    // Card refunds usually succeed at once: Stripe then sends refund.created already succeeded and
    // no refund.updated, so both name the outcome by the refund's status.
    if ((event.type === 'refund.created' || event.type === 'refund.updated') && refund.status === 'succeeded')
      normalised.type = 'refund.succeeded';
    else if (
      event.type === 'refund.failed' ||
      (event.type === 'refund.updated' && refund.status === 'failed')
    )
      normalised.type = 'refund.failed';
    return normalised;
  }
  if (object.object === 'charge' && event.type === 'charge.refunded') {
    const charge = object as unknown as Stripe.Charge;
    normalised.type = 'refund.succeeded';
    normalised.paymentReference = idOf(charge.payment_intent);
    normalised.currency = charge.currency.toUpperCase();
    // The charge names its refunds only when they are expanded (API versions since 2022-11-15 leave
    // them out); without one, the amount is the charge's total refunded so far, not one refund's.
    const newest = charge.refunds?.data?.[0];
    normalised.refundReference = newest?.id ?? null;
    normalised.amount = newest ? newest.amount : charge.amount_refunded;
    return normalised;
  }
  return normalised;
}

function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}
