import { createHmac, randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A local stand-in for the part of Stripe's API that Storekeep's adapter uses, spoken over real
 * HTTP the way Stripe speaks it: form-encoded requests with bracketed keys, Bearer API key,
 * Stripe-shaped JSON objects and errors, the Idempotency-Key contract, and webhooks signed with
 * Stripe's scheme. Tests point the official SDK at `fake.url` and assert on what really happened
 * (`effectCount`), not on what the adapter believed.
 *
 * Test payment methods: `pm_card_visa` (succeeds), `pm_card_chargeDeclined` (card_declined /
 * generic_decline), `pm_card_chargeDeclinedInsufficientFunds` (card_declined / insufficient_funds),
 * `pm_card_delayed` (processing until `settle(intentId)`). Anything else: 400 resource_missing.
 */
export const FAKE_STRIPE_PAYMENT_METHODS = {
  succeeds: 'pm_card_visa',
  declined: 'pm_card_chargeDeclined',
  insufficientFunds: 'pm_card_chargeDeclinedInsufficientFunds',
  delayed: 'pm_card_delayed',
} as const;

export type FakeStripeEffect =
  'payment_intents.create' | 'payment_intents.capture' | 'payment_intents.cancel' | 'refunds.create';

export interface FakeStripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

export interface FakeStripeDelivery {
  eventId: string | null;
  type: string | null;
  /** The exact bytes sent and the Stripe-Signature header they were sent with. */
  payload: string;
  signature: string;
  /** The endpoint's HTTP status, or null when the request itself failed (`error`). */
  status: number | null;
  error: string | null;
  /** 'automatic' (a state change), 'redelivery', 'release' (held then released) or 'raw'. */
  reason: 'automatic' | 'redelivery' | 'release' | 'raw';
  at: Date;
}

export interface FakeStripeRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  stripeVersion: string | null;
  params: Record<string, unknown>;
  status: number;
  replayed: boolean;
  /** An injected failure from `failNext`. */
  injected: boolean;
  /** The effect this request had (null: a read, a replay, a refusal or an injected failure). */
  effect: FakeStripeEffect | null;
  /** The PaymentIntent the request is about, when it is about one. */
  paymentIntent: string | null;
}

export interface FakeStripeOptions {
  apiKey?: string;
  webhookSecret?: string;
  /** Unix seconds for objects' and events' `created` (tests that order events can step it). */
  clock?: () => number;
}

interface StoredResponse {
  fingerprint: string;
  status: number;
  body: string;
  requestId: string;
}

export interface FakeStripeIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  automatic_payment_methods: unknown;
  canceled_at: number | null;
  cancellation_reason: string | null;
  capture_method: string;
  client_secret: string;
  confirmation_method: 'automatic';
  created: number;
  currency: string;
  description: string | null;
  last_payment_error: Record<string, unknown> | null;
  latest_charge: string | null;
  livemode: false;
  metadata: Record<string, string>;
  next_action: null;
  payment_method: string | null;
  payment_method_types: string[];
  status: string;
}

export interface FakeStripeCharge {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  captured: boolean;
  created: number;
  currency: string;
  livemode: false;
  metadata: Record<string, string>;
  paid: boolean;
  payment_intent: string;
  payment_method: string | null;
  refunded: boolean;
  status: 'succeeded' | 'failed' | 'pending';
}

export interface FakeStripeRefund {
  id: string;
  object: 'refund';
  amount: number;
  charge: string;
  created: number;
  currency: string;
  failure_reason?: string;
  metadata: Record<string, string>;
  payment_intent: string;
  reason: string | null;
  status: 'succeeded' | 'pending' | 'failed' | 'canceled';
}

/** A Stripe error answer: the SDK picks its error class from the HTTP status and `type`. */
class StripeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    /** Stripe still keeps the answer for the idempotency key (the request ran: a decline). */
    readonly storable = false,
  ) {
    super(String(body.message));
  }
}

type Route = (params: Record<string, unknown>, context: RequestContext) => { status: number; body: object };

interface RequestContext {
  requestId: string;
  idempotencyKey: string | null;
  /** Set by the effect the request made, if any. */
  effect?: FakeStripeEffect;
}

const FAKE_API_VERSION = '2026-10-28.endive';

/**
 * What it models: PaymentIntents (create with confirm, retrieve, capture full or partial via
 * amount_to_capture, cancel), Refunds (create full/partial/several, retrieve), the four test
 * payment methods above, Stripe's error shapes and HTTP statuses (402 card_error carrying the
 * intent, 400 invalid_request_error, 401 bad key, 400 idempotency_error), Idempotency-Key replay
 * (byte for byte, `Idempotent-Replayed: true`) and its different-parameters refusal, events for
 * every state change, and Stripe-signed webhook delivery with helpers to redeliver, hold and
 * reorder, and forge. What it does not: customers, PaymentMethod objects, 3-D Secure
 * (requires_action), automatic webhook retries, the 409 for a key whose first request is still
 * running, disputes, currencies' minimum amounts, expiring authorizations, list/search endpoints.
 */
export class FakeStripe {
  readonly apiKey: string;
  readonly webhookSecret: string;
  /** Where webhooks go; null sends nothing (events are still recorded in `events`). */
  webhookUrl: string | null = null;
  readonly events: FakeStripeEvent[] = [];
  readonly deliveries: FakeStripeDelivery[] = [];
  readonly requests: FakeStripeRequest[] = [];
  port = 0;

  private readonly server: Server;
  private readonly clock: () => number;
  private readonly intents = new Map<string, FakeStripeIntent>();
  private readonly charges = new Map<string, FakeStripeCharge>();
  private readonly refunds = new Map<string, FakeStripeRefund>();
  private readonly idempotency = new Map<string, StoredResponse>();
  private readonly effects = new Map<FakeStripeEffect, number>();
  private readonly effectsByIntent = new Map<string, number>();
  private readonly failures: { status: number; afterEffect: boolean }[] = [];
  private held: FakeStripeEvent[] | null = null;
  private deliveryChain: Promise<unknown> = Promise.resolve();

  /**
   * Called with each API request once it has been handled — its effect made and its answer stored
   * under its idempotency key — and before the answer is sent; the answer waits for the returned
   * promise. A test can stop the caller right there (SIGKILL the process waiting for the answer): the
   * effect happened at "Stripe" and the caller never learned of it. A closed connection gets nothing.
   */
  beforeAnswer: ((request: FakeStripeRequest) => void | Promise<void>) | null = null;

  private constructor(options: FakeStripeOptions) {
    this.apiKey = options.apiKey ?? 'sk_test_fake_stripe';
    this.webhookSecret = options.webhookSecret ?? `whsec_${randomBytes(24).toString('hex')}`;
    this.clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(JSON.stringify({ error: { type: 'api_error', message: String(error) } }));
      });
    });
  }

  static async start(options: FakeStripeOptions = {}): Promise<FakeStripe> {
    const fake = new FakeStripe(options);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** The base URL for STRIPE_API_BASE_URL. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    await this.flush();
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  /**
   * How many real effects happened (all kinds, or one; on every PaymentIntent, or on one — a refund
   * counts for its PaymentIntent): a replayed key adds none.
   */
  effectCount(kind?: FakeStripeEffect, paymentIntent?: string): number {
    if (paymentIntent !== undefined) {
      const kinds = kind ? [kind] : [...this.effects.keys()];
      return kinds.reduce(
        (sum, each) => sum + (this.effectsByIntent.get(`${each} ${paymentIntent}`) ?? 0),
        0,
      );
    }
    if (kind) return this.effects.get(kind) ?? 0;
    return [...this.effects.values()].reduce((sum, count) => sum + count, 0);
  }

  /** The current state of an intent or refund as Stripe would return it. */
  paymentIntent(id: string): FakeStripeIntent {
    const intent = this.intents.get(id);
    if (!intent) throw new Error(`FakeStripe: no payment intent ${id}`);
    return structuredClone(intent);
  }

  refund(id: string): FakeStripeRefund {
    const refund = this.refunds.get(id);
    if (!refund) throw new Error(`FakeStripe: no refund ${id}`);
    return structuredClone(refund);
  }

  /**
   * The next `count` API requests answer `status` (500, 503, 429...). By default the request never
   * reached Stripe (no effect, nothing stored for its key: a retry runs it). With `afterEffect`
   * the effect happens and is stored under the key, and only the answer is lost: a retry with the
   * same key replays the stored answer, a retry with a new key would charge twice.
   */
  failNext(count: number, status = 500, options: { afterEffect?: boolean } = {}): void {
    for (let index = 0; index < count; index += 1)
      this.failures.push({ status, afterEffect: options.afterEffect ?? false });
  }

  /** A `pm_card_delayed` intent succeeds now (authorized for manual capture), announced by webhook. */
  async settle(intentId: string): Promise<void> {
    const intent = this.intents.get(intentId);
    if (!intent || intent.status !== 'processing')
      throw new Error(`FakeStripe: ${intentId} is not processing (${intent?.status ?? 'missing'})`);
    const charge = this.charges.get(intent.latest_charge!)!;
    if (intent.capture_method === 'manual') {
      intent.status = 'requires_capture';
      intent.amount_capturable = intent.amount;
      charge.status = 'succeeded';
      charge.paid = true;
      this.emit('payment_intent.amount_capturable_updated', intent, null);
    } else {
      intent.status = 'succeeded';
      intent.amount_received = intent.amount;
      Object.assign(charge, {
        status: 'succeeded',
        paid: true,
        captured: true,
        amount_captured: intent.amount,
      });
      this.emit('payment_intent.succeeded', intent, null);
    }
    await this.flush();
  }

  /** A refund that had succeeded fails later (it happens: a closed card account). */
  async failRefund(refundId: string): Promise<void> {
    const refund = this.refunds.get(refundId);
    if (!refund || refund.status !== 'succeeded') throw new Error(`FakeStripe: ${refundId} cannot fail`);
    refund.status = 'failed';
    refund.failure_reason = 'expired_or_canceled_card';
    const charge = this.charges.get(refund.charge)!;
    charge.amount_refunded -= refund.amount;
    charge.refunded = false;
    this.emit('refund.failed', refund, null);
    this.emit('refund.updated', refund, null);
    await this.flush();
  }

  /** Holds every event from now on instead of delivering it (see `release`). */
  hold(): void {
    this.held ??= [];
  }

  /** Stops holding and forgets the held events: webhooks that were lost for good. */
  dropHeld(): void {
    this.held = null;
  }

  /** Delivers the held events, one after another, in the order asked for, and stops holding. */
  async release(order: 'in-order' | 'reverse' | 'shuffle' = 'in-order'): Promise<FakeStripeDelivery[]> {
    const events = this.held ?? [];
    this.held = null;
    if (order === 'reverse') events.reverse();
    if (order === 'shuffle')
      for (let index = events.length - 1; index > 0; index -= 1) {
        const other = Math.floor(Math.random() * (index + 1));
        [events[index], events[other]] = [events[other], events[index]];
      }
    const sent: FakeStripeDelivery[] = [];
    for (const event of events) sent.push(await this.deliver(event, 'release'));
    return sent;
  }

  /** The held events, newest first: the order Stripe never promises but sometimes delivers. */
  deliverOutOfOrder(): Promise<FakeStripeDelivery[]> {
    return this.release('reverse');
  }

  /** Sends an event again, signed afresh, as Stripe does when an endpoint did not answer 2xx. */
  async redeliver(eventId: string): Promise<FakeStripeDelivery> {
    const event = this.events.find((candidate) => candidate.id === eventId);
    if (!event) throw new Error(`FakeStripe: no event ${eventId}`);
    return this.deliver(event, 'redelivery');
  }

  /** Waits until every automatic delivery started so far has been answered. */
  async flush(): Promise<void> {
    let chain: Promise<unknown>;
    do {
      chain = this.deliveryChain;
      await chain;
    } while (chain !== this.deliveryChain);
  }

  /**
   * Posts any payload to the webhook endpoint: signed with `secret` (default: the real one) at
   * `timestamp` (default: now), or with the literal `signature` header (null: no header at all).
   */
  async sendRaw(
    payload: string | object,
    options: { timestamp?: number; secret?: string; signature?: string | null } = {},
  ): Promise<FakeStripeDelivery> {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload, null, 2);
    const signature =
      options.signature !== undefined
        ? options.signature
        : this.sign(body, options.timestamp, options.secret ?? this.webhookSecret);
    return this.post(body, signature, null, 'raw');
  }

  /** `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<payload>">`, exactly Stripe's Stripe-Signature header. */
  sign(payload: string, timestamp = Math.floor(Date.now() / 1000), secret = this.webhookSecret): string {
    const digest = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
    return `t=${timestamp},v1=${digest}`;
  }

  // ---- the API ---------------------------------------------------------------------------------

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = request.method ?? 'GET';
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    const params = decodeForm(method === 'GET' ? (request.url?.split('?')[1] ?? '') : raw);
    const idempotencyKey = header(request, 'idempotency-key');
    const record: FakeStripeRequest = {
      method,
      path,
      idempotencyKey,
      stripeVersion: header(request, 'stripe-version'),
      params,
      status: 0,
      replayed: false,
      injected: false,
      effect: null,
      paymentIntent: paymentIntentOf(path, params),
    };
    this.requests.push(record);
    const requestId = id('req');
    const send = async (status: number, body: string, extra: Record<string, string> = {}): Promise<void> => {
      record.status = status;
      if (this.beforeAnswer) await this.beforeAnswer(record);
      if (response.destroyed || request.socket.destroyed) return;
      response.writeHead(status, {
        'Content-Type': 'application/json',
        'Request-Id': requestId,
        'Stripe-Version': FAKE_API_VERSION,
        ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
        ...extra,
      });
      response.end(body);
    };

    if (header(request, 'authorization') !== `Bearer ${this.apiKey}`) {
      await send(401, errorBody({ type: 'invalid_request_error', message: 'Invalid API Key provided.' }));
      return;
    }
    const failure = this.failures.shift();
    if (failure && !failure.afterEffect) {
      record.injected = true;
      await send(failure.status, failureBody(failure.status));
      return;
    }

    const route = this.route(method, path);
    if (!route) {
      await send(
        404,
        errorBody({
          type: 'invalid_request_error',
          message: `Unrecognized request URL (${method}: ${path}).`,
        }),
      );
      return;
    }
    const scope = idempotencyKey && method === 'POST' ? `${this.apiKey}:${idempotencyKey}` : null;
    const fingerprint = JSON.stringify([method, path, sortKeys(params)]);
    if (scope) {
      const stored = this.idempotency.get(scope);
      if (stored && stored.fingerprint !== fingerprint) {
        await send(
          400,
          errorBody({
            type: 'idempotency_error',
            message:
              `Keys for idempotent requests can only be used with the same parameters they were first used with. ` +
              `Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
          }),
        );
        return;
      }
      if (stored) {
        record.replayed = true;
        if (failure) {
          record.injected = true;
          await send(failure.status, failureBody(failure.status));
          return;
        }
        await send(stored.status, stored.body, {
          'Idempotent-Replayed': 'true',
          'Original-Request': stored.requestId,
        });
        return;
      }
    }

    let status: number;
    let body: string;
    let storable = true;
    const context: RequestContext = { requestId, idempotencyKey };
    try {
      const answer = route(params, context);
      status = answer.status;
      body = JSON.stringify(answer.body, null, 2);
    } catch (error) {
      if (!(error instanceof StripeHttpError)) throw error;
      status = error.status;
      body = JSON.stringify({ error: error.body }, null, 2);
      // Stripe keeps an answer only once the endpoint started executing (a decline); a request that
      // failed validation leaves the key free for a corrected one.
      storable = error.storable;
    }
    record.effect = context.effect ?? null;
    if (scope && storable) this.idempotency.set(scope, { fingerprint, status, body, requestId });
    if (failure) {
      record.injected = true;
      await send(failure.status, failureBody(failure.status));
      return;
    }
    await send(status, body);
  }

  private route(
    method: string,
    path: string,
  ): ((params: Record<string, unknown>, context: RequestContext) => { status: number; body: object }) | null {
    const parts = path.split('/').filter(Boolean);
    if (parts[0] !== 'v1') return null;
    const [, resource, objectId, action] = parts;
    const routes: Record<string, Route | undefined> = {
      'POST payment_intents': (params, context) => this.createIntent(params, context),
      'GET payment_intents/:id': (params) =>
        objectId === 'search'
          ? { status: 200, body: this.searchIntents(params) }
          : { status: 200, body: this.findIntent(objectId) },
      'POST payment_intents/:id/capture': (params, context) => this.capture(objectId, params, context),
      'POST payment_intents/:id/cancel': (params, context) => this.cancel(objectId, params, context),
      'POST refunds': (params, context) => this.createRefund(params, context),
      'GET refunds/:id': () => ({ status: 200, body: this.findRefund(objectId) }),
    };
    const key = [method, [resource, objectId ? ':id' : null, action].filter(Boolean).join('/')].join(' ');
    return routes[key] ?? null;
  }

  private createIntent(
    params: Record<string, unknown>,
    context: RequestContext,
  ): { status: number; body: object } {
    const amount = positiveInteger(params, 'amount');
    const currency = requiredString(params, 'currency').toLowerCase();
    if (!/^[a-z]{3}$/.test(currency)) throw invalid('currency', `Invalid currency: ${currency}.`);
    const captureMethod = typeof params.capture_method === 'string' ? params.capture_method : 'automatic';
    if (!['automatic', 'automatic_async', 'manual'].includes(captureMethod))
      throw invalid('capture_method', `Invalid capture_method: ${captureMethod}.`);
    const paymentMethod = typeof params.payment_method === 'string' ? params.payment_method : null;
    const known = Object.values(FAKE_STRIPE_PAYMENT_METHODS) as string[];
    if (paymentMethod && !known.includes(paymentMethod))
      throw new StripeHttpError(400, {
        type: 'invalid_request_error',
        code: 'resource_missing',
        param: 'payment_method',
        message: `No such PaymentMethod: '${paymentMethod}'`,
      });
    const confirm = params.confirm === 'true';
    if (confirm && !paymentMethod)
      throw invalid(
        'payment_method',
        'You cannot confirm this PaymentIntent because it is missing a payment method.',
      );

    const now = this.clock();
    const intentId = id('pi');
    const intent: FakeStripeIntent = {
      id: intentId,
      object: 'payment_intent',
      amount,
      amount_capturable: 0,
      amount_received: 0,
      automatic_payment_methods: params.automatic_payment_methods
        ? {
            enabled: true,
            allow_redirects:
              (params.automatic_payment_methods as Record<string, string>).allow_redirects ?? 'always',
          }
        : null,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: captureMethod,
      client_secret: `${intentId}_secret_${randomBytes(12).toString('hex')}`,
      confirmation_method: 'automatic',
      created: now,
      currency,
      description: typeof params.description === 'string' ? params.description : null,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      metadata: stringRecord(params.metadata),
      next_action: null,
      payment_method: paymentMethod,
      payment_method_types: ['card'],
      status: paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
    };
    this.intents.set(intent.id, intent);
    this.count('payment_intents.create', intent.id, context);
    this.emit('payment_intent.created', intent, context);
    if (!confirm) return { status: 200, body: intent };

    const charge: FakeStripeCharge = {
      id: id('ch'),
      object: 'charge',
      amount,
      amount_captured: 0,
      amount_refunded: 0,
      captured: false,
      created: now,
      currency,
      livemode: false,
      metadata: intent.metadata,
      paid: false,
      payment_intent: intent.id,
      payment_method: paymentMethod,
      refunded: false,
      status: 'pending',
    };
    this.charges.set(charge.id, charge);
    intent.latest_charge = charge.id;

    switch (paymentMethod as string) {
      case FAKE_STRIPE_PAYMENT_METHODS.declined:
      case FAKE_STRIPE_PAYMENT_METHODS.insufficientFunds: {
        const insufficient = paymentMethod === FAKE_STRIPE_PAYMENT_METHODS.insufficientFunds;
        const error = {
          type: 'card_error',
          code: 'card_declined',
          decline_code: insufficient ? 'insufficient_funds' : 'generic_decline',
          message: insufficient ? 'Your card has insufficient funds.' : 'Your card was declined.',
          charge: charge.id,
          doc_url: 'https://stripe.com/docs/error-codes/card-declined',
        };
        charge.status = 'failed';
        intent.status = 'requires_payment_method';
        intent.last_payment_error = {
          ...error,
          payment_method: { id: paymentMethod, object: 'payment_method' },
        };
        this.emit('payment_intent.payment_failed', intent, context);
        throw new StripeHttpError(402, { ...error, payment_intent: structuredClone(intent) }, true);
      }
      case FAKE_STRIPE_PAYMENT_METHODS.delayed:
        intent.status = 'processing';
        this.emit('payment_intent.processing', intent, context);
        break;
      default:
        charge.status = 'succeeded';
        charge.paid = true;
        if (captureMethod === 'manual') {
          intent.status = 'requires_capture';
          intent.amount_capturable = amount;
          this.emit('payment_intent.amount_capturable_updated', intent, context);
        } else {
          intent.status = 'succeeded';
          intent.amount_received = amount;
          charge.captured = true;
          charge.amount_captured = amount;
          this.emit('payment_intent.succeeded', intent, context);
        }
    }
    return { status: 200, body: intent };
  }

  private capture(
    intentId: string,
    params: Record<string, unknown>,
    context: RequestContext,
  ): { status: number; body: object } {
    const intent = this.findIntent(intentId);
    if (intent.status !== 'requires_capture') throw unexpectedState(intent, 'captured');
    const amount =
      params.amount_to_capture === undefined
        ? intent.amount_capturable
        : positiveInteger(params, 'amount_to_capture');
    if (amount > intent.amount_capturable)
      throw new StripeHttpError(400, {
        type: 'invalid_request_error',
        code: 'amount_too_large',
        param: 'amount_to_capture',
        message: `The amount_to_capture (${amount}) must be less than or equal to the amount_capturable (${intent.amount_capturable}).`,
      });
    intent.status = 'succeeded';
    intent.amount_received = amount;
    intent.amount_capturable = 0;
    const charge = this.charges.get(intent.latest_charge!)!;
    Object.assign(charge, { captured: true, amount_captured: amount });
    this.count('payment_intents.capture', intent.id, context);
    this.emit('payment_intent.succeeded', intent, context);
    return { status: 200, body: intent };
  }

  private cancel(
    intentId: string,
    params: Record<string, unknown>,
    context: RequestContext,
  ): { status: number; body: object } {
    const intent = this.findIntent(intentId);
    if (intent.status === 'succeeded' || intent.status === 'canceled')
      throw unexpectedState(intent, 'canceled');
    intent.status = 'canceled';
    intent.amount_capturable = 0;
    intent.canceled_at = this.clock();
    intent.cancellation_reason =
      typeof params.cancellation_reason === 'string' ? params.cancellation_reason : null;
    this.count('payment_intents.cancel', intent.id, context);
    this.emit('payment_intent.canceled', intent, context);
    return { status: 200, body: intent };
  }

  private createRefund(
    params: Record<string, unknown>,
    context: RequestContext,
  ): { status: number; body: object } {
    const intentId = requiredString(params, 'payment_intent');
    const intent = this.findIntent(intentId);
    const charge = intent.latest_charge ? this.charges.get(intent.latest_charge) : undefined;
    if (intent.status !== 'succeeded' || !charge)
      throw new StripeHttpError(400, {
        type: 'invalid_request_error',
        code: 'charge_not_refundable',
        message: `This PaymentIntent (${intent.id}) does not have a successful charge to refund.`,
      });
    const remaining = charge.amount_captured - charge.amount_refunded;
    if (remaining === 0)
      throw new StripeHttpError(400, {
        type: 'invalid_request_error',
        code: 'charge_already_refunded',
        message: `FakeStripeCharge ${charge.id} has already been refunded.`,
      });
    const amount = params.amount === undefined ? remaining : positiveInteger(params, 'amount');
    if (amount > remaining)
      throw new StripeHttpError(400, {
        type: 'invalid_request_error',
        code: 'amount_too_large',
        param: 'amount',
        message: `FakeStripeRefund amount (${amount}) is greater than unrefunded amount on charge (${remaining}).`,
      });
    const refund: FakeStripeRefund = {
      id: id('re'),
      object: 'refund',
      amount,
      charge: charge.id,
      created: this.clock(),
      currency: charge.currency,
      metadata: stringRecord(params.metadata),
      payment_intent: intent.id,
      reason: typeof params.reason === 'string' ? params.reason : null,
      status: 'succeeded',
    };
    this.refunds.set(refund.id, refund);
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount_captured;
    this.count('refunds.create', intent.id, context);
    this.emit('refund.created', refund, context);
    this.emit('charge.refunded', charge, context);
    return { status: 200, body: refund };
  }

  /** Stripe's search, for the one query Storekeep makes: `metadata['key']:'value'`. */
  private searchIntents(params: Record<string, unknown>): object {
    const query = typeof params.query === 'string' ? params.query : '';
    const match = /^metadata\['([^']+)'\]:'([^']*)'$/.exec(query);
    if (!match) throw invalid('query', `Unsupported search query: ${query}`);
    const [, key, value] = match;
    const limit = Number(params.limit ?? 10);
    const data = [...this.intents.values()]
      .filter((intent) => intent.metadata[key] === value)
      .sort((a, b) => b.created - a.created)
      .slice(0, limit);
    return { object: 'search_result', url: '/v1/payment_intents/search', has_more: false, data };
  }

  private findIntent(intentId: string | undefined): FakeStripeIntent {
    const intent = intentId ? this.intents.get(intentId) : undefined;
    if (!intent)
      throw new StripeHttpError(404, {
        type: 'invalid_request_error',
        code: 'resource_missing',
        param: 'intent',
        message: `No such payment_intent: '${intentId}'`,
      });
    return intent;
  }

  private findRefund(refundId: string | undefined): FakeStripeRefund {
    const refund = refundId ? this.refunds.get(refundId) : undefined;
    if (!refund)
      throw new StripeHttpError(404, {
        type: 'invalid_request_error',
        code: 'resource_missing',
        param: 'id',
        message: `No such refund: '${refundId}'`,
      });
    return refund;
  }

  private count(effect: FakeStripeEffect, paymentIntent: string, context: RequestContext): void {
    this.effects.set(effect, (this.effects.get(effect) ?? 0) + 1);
    const key = `${effect} ${paymentIntent}`;
    this.effectsByIntent.set(key, (this.effectsByIntent.get(key) ?? 0) + 1);
    context.effect = effect;
  }

  // ---- events and webhooks ---------------------------------------------------------------------

  private emit(type: string, object: object, context: RequestContext | null): void {
    const event: FakeStripeEvent = {
      id: id('evt'),
      object: 'event',
      api_version: FAKE_API_VERSION,
      created: this.clock(),
      // A snapshot: the event says what the object was at that moment, as Stripe's do.
      data: { object: structuredClone(object) as Record<string, unknown> },
      livemode: false,
      pending_webhooks: this.webhookUrl ? 1 : 0,
      request: { id: context?.requestId ?? null, idempotency_key: context?.idempotencyKey ?? null },
      type,
    };
    this.events.push(event);
    if (!this.webhookUrl) return;
    if (this.held) {
      this.held.push(event);
      return;
    }
    // After the API answer has gone out, like Stripe's asynchronous delivery; one at a time.
    this.deliveryChain = this.deliveryChain.then(() =>
      new Promise((resolve) => setImmediate(resolve)).then(() => this.deliver(event, 'automatic')),
    );
  }

  private deliver(event: FakeStripeEvent, reason: FakeStripeDelivery['reason']): Promise<FakeStripeDelivery> {
    const payload = JSON.stringify(event, null, 2);
    return this.post(payload, this.sign(payload), event, reason);
  }

  private async post(
    payload: string,
    signature: string | null,
    event: FakeStripeEvent | null,
    reason: FakeStripeDelivery['reason'],
  ): Promise<FakeStripeDelivery> {
    if (!this.webhookUrl) throw new Error('FakeStripe: set webhookUrl before delivering webhooks');
    const delivery: FakeStripeDelivery = {
      eventId: event?.id ?? null,
      type: event?.type ?? null,
      payload,
      signature: signature ?? '',
      status: null,
      error: null,
      reason,
      at: new Date(),
    };
    try {
      const headers: Record<string, string> = {
        'Content-Type': 'application/json; charset=utf-8',
        'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      };
      if (signature !== null) headers['Stripe-Signature'] = signature;
      const response = await fetch(this.webhookUrl, {
        method: 'POST',
        headers,
        body: payload,
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      delivery.status = response.status;
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error);
    }
    this.deliveries.push(delivery);
    return delivery;
  }
}

/** A local endpoint that keeps every webhook exactly as it arrived (raw bytes and headers). */
export class WebhookCatcher {
  readonly received: { rawBody: Buffer; headers: Record<string, string | string[] | undefined> }[] = [];
  /** The status to answer with (a test can make the endpoint fail). */
  status = 200;
  private readonly server: Server;
  port = 0;

  private constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.received.push({ rawBody: Buffer.concat(chunks), headers: request.headers });
        response.statusCode = this.status;
        response.end();
      });
    });
  }

  static async start(): Promise<WebhookCatcher> {
    const catcher = new WebhookCatcher();
    await new Promise<void>((resolve) => catcher.server.listen(0, '127.0.0.1', resolve));
    catcher.port = (catcher.server.address() as AddressInfo).port;
    return catcher;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/webhooks/stripe`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }
}

// ---- helpers ---------------------------------------------------------------------------------

function id(prefix: string): string {
  return `${prefix}_${randomBytes(18).toString('base64url').replace(/[-_]/g, '').slice(0, 24)}`;
}

/** `/v1/payment_intents/pi_…[/action]`, or a refund's `payment_intent` parameter. */
function paymentIntentOf(path: string, params: Record<string, unknown>): string | null {
  const [, resource, objectId] = path.split('/').filter(Boolean);
  if (resource === 'payment_intents' && objectId) return objectId;
  return typeof params.payment_intent === 'string' ? params.payment_intent : null;
}

function header(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name];
  return typeof value === 'string' ? value : null;
}

/** Stripe's form encoding: `metadata[orderId]=…`, `a[b][c]=…`, `list[]=…`/`list[0]=…`. */
export function decodeForm(body: string): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const match = /^([^[\]]+)((?:\[[^\]]*\])*)$/.exec(key);
    if (!match) continue;
    const path = [match[1], ...[...match[2].matchAll(/\[([^\]]*)\]/g)].map((segment) => segment[1])];
    let node = result;
    path.forEach((segment, index) => {
      const last = index === path.length - 1;
      const name = segment === '' ? String(Object.keys(node).length) : segment;
      if (last) node[name] = value;
      else node = (node[name] ??= {}) as Record<string, unknown>;
    });
  }
  return result;
}

function sortKeys(value: unknown): unknown {
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

function stringRecord(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, String(item)]));
}

function invalid(param: string, message: string): StripeHttpError {
  return new StripeHttpError(400, { type: 'invalid_request_error', param, message });
}

function requiredString(params: Record<string, unknown>, name: string): string {
  const value = params[name];
  if (typeof value !== 'string' || value === '')
    throw new StripeHttpError(400, {
      type: 'invalid_request_error',
      code: 'parameter_missing',
      param: name,
      message: `Missing required param: ${name}.`,
    });
  return value;
}

function positiveInteger(params: Record<string, unknown>, name: string): number {
  const value = requiredString(params, name);
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new StripeHttpError(400, {
      type: 'invalid_request_error',
      code: 'parameter_invalid_integer',
      param: name,
      message: `Invalid positive integer: ${name}`,
    });
  return Number(value);
}

function unexpectedState(intent: FakeStripeIntent, verb: string): StripeHttpError {
  return new StripeHttpError(400, {
    type: 'invalid_request_error',
    code: 'payment_intent_unexpected_state',
    message: `This PaymentIntent could not be ${verb} because it has a status of ${intent.status}.`,
    payment_intent: structuredClone(intent),
  });
}

function errorBody(error: Record<string, unknown>): string {
  return JSON.stringify({ error }, null, 2);
}

function failureBody(status: number): string {
  if (status === 429)
    return errorBody({
      type: 'invalid_request_error',
      code: 'rate_limit',
      message: 'Too many requests hit the API too quickly.',
    });
  return errorBody({ type: 'api_error', message: 'An unknown error occurred' });
}
