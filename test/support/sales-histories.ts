import { getQueueToken } from '@nestjs/bull';
import type { INestApplicationContext } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  SALES_ROLLUP_HANDLER,
  type DomainEventEnvelope,
  type DomainEventHandler,
} from '../../src/modules/notifications/events/domain-event-handler';
import { EVENTS_QUEUE, type DomainEventName } from '../../src/modules/notifications/jobs/events.jobs';
import { LATE_PAYMENT_REFUNDER } from '../../src/modules/payments/settlement/refunds.service';
import { ADDRESS } from './shop-client';
import { TestApi, TestEnvironment } from './test-environment';
import { waitForQueuesToSettle } from './wait-for';

/**
 * Order histories for the sales rollups and reports e2e tests: written straight into the tables at
 * chosen times (two currencies, both tax modes, discounts, partial refunds, cancellations, the Berlin
 * autumn DST change, guests and accounts who come back), with the domain events each would send.
 */

/** The fixed account id of a named test customer. */
export const accountId = (name: string): string =>
  `00000000-0000-4000-8000-${Buffer.from(name).toString('hex').padStart(12, '0').slice(-12)}`;

/**
 * One order's life, written straight into the tables at chosen times (DST, currencies, tax modes).
 * `V`: the keys of the catalog variants its lines may name (see insertHistory).
 */
export interface OrderHistory<V extends string = string> {
  name: string;
  currency: 'EUR' | 'USD';
  priceMode: 'tax_exclusive' | 'tax_inclusive';
  taxRateBp: number;
  /** `variant`: the catalog variant sold; left out, a made-up variant and product (SKU-<position>). */
  lines: Array<{ variant?: V; unitPrice: number; quantity: number; discount?: number }>;
  shipping: number;
  /** Its cart (checked out), created this many minutes before the order; left out, no cart row. */
  cartMinutesBefore?: number;
  placedAt: string;
  paidAt?: string;
  cancelledAt?: string;
  /** `amount: 'all'` refunds the order total. */
  refunds?: Array<{ amount: number | 'all'; at: string; state?: 'succeeded' | 'failed'; late?: boolean }>;
  /** Its events are never delivered: only the reconciliation can count it. */
  eventsLost?: boolean;
  /**
   * Who placed it: a guest (the email `<name>@example.test`, no account) or an account (a fixed id
   * per name, the same email). Left out: a one-off guest of its own.
   */
  customer?: { guest: string } | { account: string };
}

/** A history of the sales rollups and report tests, with the Berlin day it counts on. */
export interface History extends OrderHistory {
  /** The day it was placed on, in Europe/Berlin (the store's zone in this test). */
  berlinDay: string;
}

/** A catalog variant an order line may sell. */
export interface CatalogVariant {
  id: string;
  productId: string;
  sku: string;
}

export const HISTORIES: History[] = [
  {
    name: 'EUR exclusive, placed only',
    customer: { guest: 'ada' },
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [{ unitPrice: 2500, quantity: 2 }],
    shipping: 490,
    placedAt: '2026-10-20T09:15:00Z',
    berlinDay: '2026-10-20',
  },
  {
    name: 'EUR exclusive, paid',
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [
      { unitPrice: 1999, quantity: 3 },
      { unitPrice: 450, quantity: 1 },
    ],
    shipping: 490,
    placedAt: '2026-10-20T09:40:00Z',
    paidAt: '2026-10-20T09:41:30Z',
    berlinDay: '2026-10-20',
  },
  {
    name: 'EUR inclusive, discounted, paid an hour later',
    currency: 'EUR',
    priceMode: 'tax_inclusive',
    taxRateBp: 1900,
    lines: [{ unitPrice: 5000, quantity: 1, discount: 500 }],
    shipping: 0,
    placedAt: '2026-10-20T10:59:59Z',
    paidAt: '2026-10-20T11:00:00Z',
    berlinDay: '2026-10-20',
  },
  {
    name: 'EUR 7% inclusive, paid, partially refunded twice',
    customer: { guest: 'ada' },
    currency: 'EUR',
    priceMode: 'tax_inclusive',
    taxRateBp: 700,
    lines: [{ unitPrice: 1234, quantity: 5, discount: 617 }],
    shipping: 390,
    placedAt: '2026-10-21T14:05:00Z',
    paidAt: '2026-10-21T14:06:00Z',
    refunds: [
      { amount: 1000, at: '2026-10-22T08:00:00Z' },
      { amount: 250, at: '2026-10-23T16:30:00Z' },
    ],
    berlinDay: '2026-10-21',
  },
  {
    name: 'EUR paid, refund failed (not counted)',
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [{ unitPrice: 899, quantity: 2 }],
    shipping: 490,
    placedAt: '2026-10-21T18:00:00Z',
    paidAt: '2026-10-21T18:02:00Z',
    refunds: [{ amount: 500, at: '2026-10-21T19:00:00Z', state: 'failed' }],
    berlinDay: '2026-10-21',
  },
  {
    name: 'EUR unpaid, cancelled next day',
    customer: { guest: 'ada' },
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [{ unitPrice: 7999, quantity: 1 }],
    shipping: 490,
    placedAt: '2026-10-22T20:00:00Z',
    cancelledAt: '2026-10-23T07:10:00Z',
    berlinDay: '2026-10-22',
  },
  {
    name: 'EUR paid, cancelled, refunded in full',
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [{ unitPrice: 3000, quantity: 2, discount: 600 }],
    shipping: 490,
    placedAt: '2026-10-23T11:11:00Z',
    paidAt: '2026-10-23T11:12:00Z',
    cancelledAt: '2026-10-23T15:00:00Z',
    refunds: [{ amount: 6716, at: '2026-10-23T15:00:05Z' }],
    berlinDay: '2026-10-23',
  },
  {
    name: 'EUR cancelled, late payment refunded (not counted)',
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [{ unitPrice: 1500, quantity: 1 }],
    shipping: 490,
    placedAt: '2026-10-23T12:00:00Z',
    cancelledAt: '2026-10-23T13:00:00Z',
    refunds: [{ amount: 2275, at: '2026-10-23T13:30:00Z', late: true }],
    berlinDay: '2026-10-23',
  },
  {
    name: 'USD exclusive, paid',
    customer: { account: 'bob' },
    currency: 'USD',
    priceMode: 'tax_exclusive',
    taxRateBp: 825,
    lines: [{ unitPrice: 1099, quantity: 4 }],
    shipping: 599,
    placedAt: '2026-10-20T09:20:00Z',
    paidAt: '2026-10-20T09:25:00Z',
    berlinDay: '2026-10-20',
  },
  {
    name: 'USD inclusive, discounted, same hour as a EUR order',
    currency: 'USD',
    priceMode: 'tax_inclusive',
    taxRateBp: 1000,
    lines: [
      { unitPrice: 2000, quantity: 1, discount: 200 },
      { unitPrice: 350, quantity: 6 },
    ],
    shipping: 0,
    placedAt: '2026-10-20T09:55:00Z',
    paidAt: '2026-10-20T10:05:00Z',
    berlinDay: '2026-10-20',
  },
  {
    name: 'USD paid, partially refunded',
    customer: { account: 'bob' },
    currency: 'USD',
    priceMode: 'tax_exclusive',
    taxRateBp: 825,
    lines: [{ unitPrice: 15000, quantity: 1 }],
    shipping: 0,
    placedAt: '2026-10-22T01:00:00Z',
    paidAt: '2026-10-22T01:01:00Z',
    refunds: [{ amount: 4999, at: '2026-10-24T12:00:00Z' }],
    berlinDay: '2026-10-22',
  },
  // Around the autumn change in Berlin (2026-10-25 03:00 CEST → 02:00 CET): a 25-hour local day.
  {
    name: 'DST: first minutes of the 25-hour day (CEST)',
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [{ unitPrice: 1000, quantity: 1 }],
    shipping: 490,
    placedAt: '2026-10-24T22:30:00Z',
    paidAt: '2026-10-24T22:31:00Z',
    berlinDay: '2026-10-25',
  },
  {
    name: 'DST: the repeated 02:xx hour, first pass (CEST)',
    customer: { account: 'cleo' },
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [{ unitPrice: 1100, quantity: 2 }],
    shipping: 490,
    placedAt: '2026-10-25T00:30:00Z',
    paidAt: '2026-10-25T00:35:00Z',
    berlinDay: '2026-10-25',
  },
  {
    name: 'DST: the repeated 02:xx hour, second pass (CET)',
    customer: { account: 'cleo' },
    currency: 'EUR',
    priceMode: 'tax_inclusive',
    taxRateBp: 1900,
    lines: [{ unitPrice: 1200, quantity: 3 }],
    shipping: 0,
    placedAt: '2026-10-25T01:30:00Z',
    paidAt: '2026-10-25T01:31:00Z',
    berlinDay: '2026-10-25',
  },
  {
    name: 'DST: last hour of the 25-hour day (CET)',
    currency: 'USD',
    priceMode: 'tax_exclusive',
    taxRateBp: 825,
    lines: [{ unitPrice: 999, quantity: 1 }],
    shipping: 599,
    placedAt: '2026-10-25T22:45:00Z',
    berlinDay: '2026-10-25',
  },
  {
    name: 'DST: just after midnight, the next local day',
    customer: { guest: 'cleo' },
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [{ unitPrice: 2222, quantity: 1 }],
    shipping: 490,
    placedAt: '2026-10-25T23:05:00Z',
    paidAt: '2026-10-26T08:00:00Z',
    berlinDay: '2026-10-26',
  },
  {
    name: 'paid the day after, refunded after the DST change',
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [{ unitPrice: 4000, quantity: 1, discount: 400 }],
    shipping: 490,
    placedAt: '2026-10-24T21:59:00Z',
    paidAt: '2026-10-25T09:00:00Z',
    refunds: [
      { amount: 1200, at: '2026-10-26T10:00:00Z' },
      { amount: 300, at: '2026-10-26T10:20:00Z' },
    ],
    berlinDay: '2026-10-24',
  },
  {
    name: 'zero shipping, zero tax, 10 units',
    currency: 'USD',
    priceMode: 'tax_exclusive',
    taxRateBp: 0,
    lines: [{ unitPrice: 100, quantity: 10 }],
    shipping: 0,
    placedAt: '2026-10-26T15:00:00Z',
    paidAt: '2026-10-26T15:00:01Z',
    berlinDay: '2026-10-26',
  },
  {
    name: 'events lost: counted only by the reconciliation',
    customer: { guest: 'ada' },
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [{ unitPrice: 3100, quantity: 1 }],
    shipping: 490,
    placedAt: '2026-10-24T10:00:00Z',
    paidAt: '2026-10-24T10:10:00Z',
    refunds: [{ amount: 700, at: '2026-10-24T11:00:00Z' }],
    berlinDay: '2026-10-24',
    eventsLost: true,
  },
  {
    name: 'cancelled unpaid in another currency, two lines',
    currency: 'USD',
    priceMode: 'tax_inclusive',
    taxRateBp: 825,
    lines: [
      { unitPrice: 500, quantity: 2 },
      { unitPrice: 750, quantity: 1, discount: 75 },
    ],
    shipping: 599,
    placedAt: '2026-10-24T23:59:59Z',
    cancelledAt: '2026-10-25T00:00:00Z',
    berlinDay: '2026-10-25',
  },
];

/**
 * Writes one history into the orders, lines, payments and refunds tables (and carts, for a history
 * with `cartMinutesBefore`), and returns the domain events it would have sent (none when its events
 * are lost). `prefix`: of the order number and event ids; `catalog`: the variants the lines name.
 */
export async function insertHistory<V extends string>(
  db: DataSource,
  history: OrderHistory<V>,
  options: { prefix?: string; catalog?: Record<V, CatalogVariant> } = {},
): Promise<DomainEventEnvelope[]> {
  const prefix = options.prefix ?? 'SR';
  const orderId = randomUUID();
  const cartId = randomUUID();
  const number = `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
  const lines = history.lines.map((line, position) => {
    const subtotal = line.unitPrice * line.quantity;
    const discount = line.discount ?? 0;
    const taxed = subtotal - discount;
    const tax =
      history.priceMode === 'tax_exclusive'
        ? Math.round((taxed * history.taxRateBp) / 10_000)
        : Math.round((taxed * history.taxRateBp) / (10_000 + history.taxRateBp));
    const total = history.priceMode === 'tax_exclusive' ? taxed + tax : taxed;
    return { ...line, position, subtotal, discount, tax, total };
  });
  const sum = (pick: (line: (typeof lines)[number]) => number) => lines.reduce((a, l) => a + pick(l), 0);
  const shippingTax =
    history.priceMode === 'tax_exclusive' ? Math.round((history.shipping * history.taxRateBp) / 10_000) : 0;
  const subtotal = sum((l) => l.subtotal);
  const discount = sum((l) => l.discount);
  const tax = sum((l) => l.tax) + shippingTax;
  const total = sum((l) => l.total) + history.shipping + shippingTax;
  const status = history.cancelledAt ? 'cancelled' : history.paidAt ? 'paid' : 'pending_payment';
  const address = JSON.stringify({ ...ADDRESS });
  const placedAt = new Date(history.placedAt);
  if (history.cartMinutesBefore !== undefined)
    await db.query(
      `INSERT INTO carts (id, customer_id, token_hash, status, email, currency, order_id, version, created_at, updated_at)
       VALUES (?, NULL, NULL, 'checked_out', NULL, ?, ?, 2, ?, ?)`,
      [
        cartId,
        history.currency,
        orderId,
        new Date(placedAt.getTime() - history.cartMinutesBefore * 60_000),
        placedAt,
      ],
    );
  const customer = history.customer;
  const customerId = customer && 'account' in customer ? accountId(customer.account) : null;
  const email = customer
    ? `${'account' in customer ? customer.account : customer.guest}@example.test`
    : `${orderId}@example.test`;
  await db.query(
    `INSERT INTO orders (id, number, cart_id, customer_id, token_hash, email, status, payment_method, currency,
       price_mode, subtotal, discount, shipping, shipping_tax, tax, total, tax_rate_bp, promotion_code,
       shipping_method_id, shipping_method_name, shipping_address, billing_address, expires_at,
       payment_reminder_sent_at, paid_at, cancelled_at, version, created_at, updated_at)
     VALUES (?, ?, ?, ?, NULL, ?, ?, 'card', ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, 'Standard', ?, ?, NULL,
       NULL, ?, ?, 1, ?, ?)`,
    [
      orderId,
      number,
      cartId,
      customerId,
      email,
      status,
      history.currency,
      history.priceMode,
      subtotal,
      discount,
      history.shipping,
      shippingTax,
      tax,
      total,
      history.taxRateBp,
      address,
      address,
      history.paidAt ? new Date(history.paidAt) : null,
      history.cancelledAt ? new Date(history.cancelledAt) : null,
      placedAt,
      placedAt,
    ],
  );
  for (const line of lines) {
    const variant = line.variant === undefined ? undefined : options.catalog?.[line.variant];
    if (line.variant !== undefined && !variant) throw new Error(`no catalog variant ${line.variant}`);
    await db.query(
      `INSERT INTO order_lines (id, order_id, position, variant_id, product_id, sku, title, variant_title,
         unit_price, quantity, subtotal, discount, tax, total, fulfilled_quantity, restocked_quantity)
       VALUES (?, ?, ?, ?, ?, ?, 'Item', 'Default', ?, ?, ?, ?, ?, ?, 0, 0)`,
      [
        randomUUID(),
        orderId,
        line.position,
        variant?.id ?? randomUUID(),
        variant?.productId ?? randomUUID(),
        variant?.sku ?? `SKU-${line.position}`,
        line.unitPrice,
        line.quantity,
        line.subtotal,
        line.discount,
        line.tax,
        line.total,
      ],
    );
  }
  const base = { orderId, number, customerId };
  const envelopes: Array<{ type: DomainEventName; at: string; payload: unknown }> = [
    {
      type: 'order.placed',
      at: history.placedAt,
      payload: { ...base, from: null, to: 'pending_payment', total, currency: history.currency },
    },
  ];
  if (history.paidAt)
    envelopes.push({
      type: 'order.paid',
      at: history.paidAt,
      payload: { ...base, from: 'pending_payment', to: 'paid' },
    });
  if (history.cancelledAt)
    envelopes.push({
      type: 'order.cancelled',
      at: history.cancelledAt,
      payload: { ...base, from: status, to: 'cancelled', reason: null, refundDue: !!history.paidAt },
    });
  if (history.paidAt || history.refunds) {
    const paymentId = randomUUID();
    const amountOf = (refund: { amount: number | 'all' }) =>
      refund.amount === 'all' ? total : refund.amount;
    const refunded = (history.refunds ?? []).filter((r) => (r.state ?? 'succeeded') === 'succeeded');
    await db.query(
      `INSERT INTO payments (id, order_id, provider, amount, currency, state, captured_amount, refunded_amount,
         version, created_at, updated_at)
       VALUES (?, ?, 'manual', ?, ?, 'captured', ?, ?, 1, ?, ?)`,
      [
        paymentId,
        orderId,
        total,
        history.currency,
        total,
        refunded.reduce((a, r) => a + amountOf(r), 0),
        new Date(history.paidAt ?? history.placedAt),
        new Date(history.paidAt ?? history.placedAt),
      ],
    );
    let refundedSoFar = 0;
    for (const refund of history.refunds ?? []) {
      const refundId = randomUUID();
      const state = refund.state ?? 'succeeded';
      const amount = amountOf(refund);
      await db.query(
        `INSERT INTO payment_refunds (id, payment_id, amount, state, reason, requested_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'test', ?, ?, ?)`,
        [
          refundId,
          paymentId,
          amount,
          state,
          refund.late ? LATE_PAYMENT_REFUNDER : 'user:staff',
          new Date(refund.at),
          new Date(refund.at),
        ],
      );
      if (state !== 'succeeded') continue;
      refundedSoFar += amount;
      envelopes.push({
        type: 'payment.refunded',
        at: refund.at,
        payload: {
          paymentId,
          orderId,
          provider: 'manual',
          amount,
          currency: history.currency,
          refundId,
          refunded: refundedSoFar,
          complete: refundedSoFar >= total,
        },
      });
    }
  }
  if (history.eventsLost) return [];
  return envelopes.map(({ type, at, payload }) => ({
    id: `${prefix.toLowerCase()}-${randomUUID()}`,
    type,
    timestamp: at,
    payload: payload as DomainEventEnvelope['payload'],
  }));
}

/** The API and a worker of one test environment whose store is in `timeZone`, and its database. */
export interface SalesEnvironment {
  env: TestEnvironment;
  api: TestApi;
  worker: INestApplicationContext;
  db: DataSource;
}

/**
 * Starts the environment of a rollups or reports test: no rate limit on the API; with
 * `sandboxPayments`, a worker that delivers the sandbox's card webhooks back to the API (100 ms).
 */
export async function startSalesEnvironment(options: {
  timeZone: string;
  sandboxPayments: boolean;
}): Promise<SalesEnvironment> {
  const env = await TestEnvironment.create({ analytics: { storeTimeZone: options.timeZone } });
  const api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
  const worker = options.sandboxPayments
    ? await env.startWorker([], {
        payments: {
          sandboxWebhookUrl: `${api.baseUrl}/v1/payments/webhooks/sandbox`,
          sandboxSettleDelayMs: 100,
        },
      })
    : await env.startWorker();
  return { env, api, worker, db: api.app.get(DataSource) };
}

/**
 * The events through the worker's real queue and EventsProcessor (the job id is the event id, as
 * the outbox relay does it), until the queue has settled.
 */
export async function deliverEvents(
  worker: INestApplicationContext,
  delivered: readonly DomainEventEnvelope[],
): Promise<void> {
  const events = worker.get<Queue>(getQueueToken(EVENTS_QUEUE));
  for (const event of delivered) await events.add(event.type, event.payload, { jobId: event.id });
  await waitForQueuesToSettle(worker, [EVENTS_QUEUE], 30_000);
}

/**
 * Delivered events again: twice more straight to the sales rollup handler, then once more through
 * the queue as Bull redelivers it (the job removed, a new job with the same id), until the queue has
 * settled. `beforeRedelivery` looks at each event's finished job first.
 */
export async function replayEvents(
  worker: INestApplicationContext,
  delivered: readonly DomainEventEnvelope[],
  beforeRedelivery: (job: Job | null) => Promise<void> | void = () => undefined,
): Promise<void> {
  const handler = worker.get<DomainEventHandler>(SALES_ROLLUP_HANDLER);
  for (let round = 0; round < 2; round++) for (const event of delivered) await handler.handle(event);
  const events = worker.get<Queue>(getQueueToken(EVENTS_QUEUE));
  for (const event of delivered) {
    const job = await events.getJob(event.id);
    await beforeRedelivery(job);
    await job?.remove();
    await events.add(event.type, event.payload, { jobId: event.id });
  }
  await waitForQueuesToSettle(worker, [EVENTS_QUEUE], 30_000);
}
