import { checkedFetch } from '@app/testing';
import { getQueueToken } from '@nestjs/bull';
import type { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bull';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ANALYTICS_QUEUE, AnalyticsJobs } from '../../src/modules/analytics/analytics.jobs';
import { SalesReconciliationService } from '../../src/modules/analytics/sales-reconciliation.service';
import { localDaysInUtc } from '../../src/modules/analytics/store-calendar';
import {
  DOMAIN_EVENT_HANDLERS,
  SALES_ROLLUP_HANDLER,
  type DomainEventEnvelope,
  type DomainEventHandler,
} from '../../src/modules/notifications/events/domain-event-handler';
import { EVENTS_QUEUE, type DomainEventName } from '../../src/modules/notifications/jobs/events.jobs';
import { LATE_PAYMENT_REFUNDER } from '../../src/modules/payments/settlement/refunds.service';
import { SANDBOX_CARDS } from '../../src/modules/payments/providers/sandbox.provider';
import { AuthClient, createUser } from '../support/auth-client';
import { payWithCard } from '../support/payments-shop';
import { ADDRESS, ShopAdmin, ShopClient, type Order } from '../support/shop-client';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { waitFor, waitForQueuesToSettle } from '../support/wait-for';

/** One order's life, written straight into the tables at chosen times (DST, currencies, tax modes). */
interface History {
  name: string;
  currency: 'EUR' | 'USD';
  priceMode: 'tax_exclusive' | 'tax_inclusive';
  taxRateBp: number;
  lines: Array<{ unitPrice: number; quantity: number; discount?: number }>;
  shipping: number;
  placedAt: string;
  /** The day it was placed on, in Europe/Berlin (the store's zone in this test). */
  berlinDay: string;
  paidAt?: string;
  cancelledAt?: string;
  refunds?: Array<{ amount: number; at: string; state?: 'succeeded' | 'failed'; late?: boolean }>;
  /** Its events are never delivered: only the reconciliation can count it. */
  eventsLost?: boolean;
}

const HISTORIES: History[] = [
  {
    name: 'EUR exclusive, placed only',
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

/** The window the reconciliation covers in this test: all of the histories above. */
const RECONCILE_NOW = new Date('2026-10-31T00:00:00Z');
const RECONCILE_DAYS = 14;

type Row = Record<string, string | number>;
const COLUMNS = [
  'orders_placed',
  'orders_paid',
  'orders_cancelled',
  'units',
  'gross',
  'discounts',
  'shipping',
  'tax',
  'placed_total',
  'paid_total',
  'refunds',
  'net',
] as const;

/**
 * The hourly sales rollups: events through the real worker, redelivered, against the orders; the
 * expectation is computed independently, straight from the orders and refunds tables in SQL.
 */
describe('sales rollups', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let worker: INestApplicationContext;
  let db: DataSource;
  let events: Queue;
  const delivered: DomainEventEnvelope[] = [];

  beforeAll(async () => {
    env = await TestEnvironment.create({ analytics: { storeTimeZone: 'Europe/Berlin' } });
    api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    worker = await env.startWorker([], {
      payments: {
        sandboxWebhookUrl: `${api.baseUrl}/v1/payments/webhooks/sandbox`,
        sandboxSettleDelayMs: 100,
      },
    });
    db = api.app.get(DataSource);
    events = worker.get<Queue>(getQueueToken(EVENTS_QUEUE));
  }, 60_000);
  afterAll(async () => {
    await env?.cleanup();
  });

  /** Independently: every order and succeeded refund, grouped by UTC hour and currency, in SQL. */
  async function expectedFromOrders(): Promise<Map<string, Row>> {
    const rows = await db.query<Row[]>(
      `
      SELECT DATE_FORMAT(b, '%Y-%m-%dT%H:00:00Z') AS bucket, currency,
             SUM(placed) AS orders_placed, SUM(paid) AS orders_paid, SUM(cancelled) AS orders_cancelled,
             SUM(units) AS units, SUM(gross) AS gross, SUM(discounts) AS discounts, SUM(shipping) AS shipping,
             SUM(tax) AS tax, SUM(placed_total) AS placed_total, SUM(paid_total) AS paid_total,
             SUM(refunds) AS refunds, SUM(paid_total) - SUM(refunds) AS net
      FROM (
        SELECT o.created_at AS b, o.currency, 1 AS placed, 0 AS paid, 0 AS cancelled,
               (SELECT SUM(l.quantity) FROM order_lines l WHERE l.order_id = o.id) AS units,
               o.subtotal AS gross, o.discount AS discounts, o.shipping, o.tax, o.total AS placed_total,
               0 AS paid_total, 0 AS refunds
        FROM orders o
        UNION ALL
        SELECT paid_at, currency, 0, 1, 0, 0, 0, 0, 0, 0, 0, total, 0 FROM orders WHERE paid_at IS NOT NULL
        UNION ALL
        SELECT cancelled_at, currency, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 FROM orders WHERE cancelled_at IS NOT NULL
        UNION ALL
        SELECT r.created_at, p.currency, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, r.amount
        FROM payment_refunds r JOIN payments p ON p.id = r.payment_id
        WHERE r.state = 'succeeded' AND r.requested_by <> ?
      ) AS moves
      GROUP BY bucket, currency`,
      [LATE_PAYMENT_REFUNDER],
    );
    return byBucket(rows);
  }

  async function storedRollups(): Promise<Map<string, Row>> {
    const rows = await db.query<Row[]>(
      `SELECT DATE_FORMAT(bucket_start, '%Y-%m-%dT%H:00:00Z') AS bucket, currency, ${COLUMNS.join(', ')}
       FROM sales_hourly`,
    );
    // A bucket whose moves cancel out to zero is the same as no bucket.
    return byBucket(rows.filter((row) => COLUMNS.some((column) => Number(row[column]) !== 0)));
  }

  function byBucket(rows: Row[]): Map<string, Row> {
    return new Map(
      rows.map((row) => [
        `${row.bucket}|${row.currency}`,
        Object.fromEntries(COLUMNS.map((column) => [column, Number(row[column])])),
      ]),
    );
  }

  async function insertHistory(history: History): Promise<DomainEventEnvelope[]> {
    const orderId = randomUUID();
    const number = `SR-${Math.random().toString(36).slice(2, 10)}`;
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
    await db.query(
      `INSERT INTO orders (id, number, cart_id, customer_id, token_hash, email, status, payment_method, currency,
         price_mode, subtotal, discount, shipping, shipping_tax, tax, total, tax_rate_bp, promotion_code,
         shipping_method_id, shipping_method_name, shipping_address, billing_address, expires_at,
         payment_reminder_sent_at, paid_at, cancelled_at, version, created_at, updated_at)
       VALUES (?, ?, ?, NULL, NULL, ?, ?, 'card', ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, 'Standard', ?, ?, NULL,
         NULL, ?, ?, 1, ?, ?)`,
      [
        orderId,
        number,
        randomUUID(),
        `${orderId}@example.test`,
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
        new Date(history.placedAt),
        new Date(history.placedAt),
      ],
    );
    for (const line of lines)
      await db.query(
        `INSERT INTO order_lines (id, order_id, position, variant_id, product_id, sku, title, variant_title,
           unit_price, quantity, subtotal, discount, tax, total, fulfilled_quantity, restocked_quantity)
         VALUES (?, ?, ?, ?, ?, ?, 'Item', 'Default', ?, ?, ?, ?, ?, ?, 0, 0)`,
        [
          randomUUID(),
          orderId,
          line.position,
          randomUUID(),
          randomUUID(),
          `SKU-${line.position}`,
          line.unitPrice,
          line.quantity,
          line.subtotal,
          line.discount,
          line.tax,
          line.total,
        ],
      );
    const base = { orderId, number, customerId: null };
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
          refunded.reduce((a, r) => a + r.amount, 0),
          new Date(history.paidAt ?? history.placedAt),
          new Date(history.paidAt ?? history.placedAt),
        ],
      );
      let refundedSoFar = 0;
      for (const refund of history.refunds ?? []) {
        const refundId = randomUUID();
        const state = refund.state ?? 'succeeded';
        await db.query(
          `INSERT INTO payment_refunds (id, payment_id, amount, state, reason, requested_by, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'test', ?, ?, ?)`,
          [
            refundId,
            paymentId,
            refund.amount,
            state,
            refund.late ? LATE_PAYMENT_REFUNDER : 'user:staff',
            new Date(refund.at),
            new Date(refund.at),
          ],
        );
        if (state !== 'succeeded') continue;
        refundedSoFar += refund.amount;
        envelopes.push({
          type: 'payment.refunded',
          at: refund.at,
          payload: {
            paymentId,
            orderId,
            provider: 'manual',
            amount: refund.amount,
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
      id: `sr-${randomUUID()}`,
      type,
      timestamp: at,
      payload: payload as DomainEventEnvelope['payload'],
    }));
  }

  it('the events processor hands every domain event to the sales rollups', () => {
    const handlers = worker.get<readonly DomainEventHandler[]>(DOMAIN_EVENT_HANDLERS);
    expect(handlers).toContain(worker.get(SALES_ROLLUP_HANDLER));
  });

  it(`${HISTORIES.length} order histories, their events through the worker: rollups equal the orders to the minor unit`, async () => {
    for (const history of HISTORIES) delivered.push(...(await insertHistory(history)));
    // Through the real queue and EventsProcessor: the job id is the event id, as the outbox relay does it.
    for (const event of delivered) await events.add(event.type, event.payload, { jobId: event.id });
    await waitForQueuesToSettle(worker, [EVENTS_QUEUE], 30_000);

    const expected = await expectedFromOrders();
    const lost = HISTORIES.filter((h) => h.eventsLost);
    expect(lost).toHaveLength(1);
    // Everything but the history whose events were lost is counted exactly.
    const stored = await storedRollups();
    const lostHours = new Set(['2026-10-24T10:00:00Z|EUR', '2026-10-24T11:00:00Z|EUR']);
    for (const [key, row] of expected)
      if (!lostHours.has(key)) expect([key, stored.get(key)]).toEqual([key, row]);
    for (const key of lostHours) expect(stored.get(key)).toBeUndefined();
    expect(stored.size).toBe(expected.size - lostHours.size);
  }, 60_000);

  it('replaying every event twice more changes nothing', async () => {
    const before = await storedRollups();
    const handler = worker.get<DomainEventHandler>(SALES_ROLLUP_HANDLER);
    for (let round = 0; round < 2; round++) for (const event of delivered) await handler.handle(event);
    // And once more through the queue and the processor, as Bull redelivers it: a new job, the same id.
    for (const event of delivered) {
      const done = await events.getJob(event.id);
      expect(await done?.getState()).toBe('completed');
      await done!.remove();
      await events.add(event.type, event.payload, { jobId: event.id });
    }
    await waitForQueuesToSettle(worker, [EVENTS_QUEUE], 30_000);
    const states = await Promise.all(
      delivered.map(async (event) => (await events.getJob(event.id))?.getState()),
    );
    expect(new Set(states)).toEqual(new Set(['completed']));
    expect(await storedRollups()).toEqual(before);
    const [{ applied }] = await db.query<Array<{ applied: string }>>(
      'SELECT COUNT(*) AS applied FROM analytics_applied_events',
    );
    expect(Number(applied)).toBe(delivered.length);
  }, 60_000);

  it('the reconciliation counts the lost events, then corrects injected drift and reports it', async () => {
    const reconciliation = worker.get(SalesReconciliationService);
    const first = await reconciliation.reconcile({ now: RECONCILE_NOW, days: RECONCILE_DAYS });
    // The lost history: placed+paid in one hour (1 placed, 1 paid), a refund the next hour.
    expect(first.bucketsCorrected).toBe(2);
    expect(await storedRollups()).toEqual(await expectedFromOrders());

    const clean = await reconciliation.reconcile({ now: RECONCILE_NOW, days: RECONCILE_DAYS });
    expect(clean.bucketsCorrected).toBe(0);
    expect(clean.amountCorrected).toBe(0);

    // Drift: a bucket edited by hand, a bucket lost, a bucket that should not exist.
    await db.query(
      "UPDATE sales_hourly SET gross = gross + 123, orders_paid = orders_paid + 1 WHERE bucket_start = '2026-10-25 00:00:00' AND currency = 'EUR'",
    );
    const [lostBucket] = await db.query<Row[]>(
      "SELECT * FROM sales_hourly WHERE bucket_start = '2026-10-23 15:00:00' AND currency = 'EUR'",
    );
    await db.query(
      "DELETE FROM sales_hourly WHERE bucket_start = '2026-10-23 15:00:00' AND currency = 'EUR'",
    );
    await db.query(
      "INSERT INTO sales_hourly (bucket_start, currency, refunds, net) VALUES ('2026-10-27 05:00:00', 'USD', 50, -50)",
    );
    expect(await storedRollups()).not.toEqual(await expectedFromOrders());

    const report = await reconciliation.reconcile({ now: RECONCILE_NOW, days: RECONCILE_DAYS });
    expect(await storedRollups()).toEqual(await expectedFromOrders());
    expect(report.bucketsCorrected).toBe(3);
    const lostAmount = [
      'gross',
      'discounts',
      'shipping',
      'tax',
      'placed_total',
      'paid_total',
      'refunds',
      'net',
    ]
      .map((column) => Math.abs(Number(lostBucket[column])))
      .reduce((a, b) => a + b, 0);
    const lostCount = ['orders_placed', 'orders_paid', 'orders_cancelled', 'units']
      .map((column) => Number(lostBucket[column]))
      .reduce((a, b) => a + b, 0);
    expect(report.amountCorrected).toBe(123 + lostAmount + 100);
    expect(report.countCorrected).toBe(1 + lostCount);
    expect(report.corrections).toEqual(
      expect.arrayContaining([
        { bucketStart: '2026-10-25T00:00:00.000Z', currency: 'EUR', diff: { gross: -123, ordersPaid: -1 } },
        { bucketStart: '2026-10-27T05:00:00.000Z', currency: 'USD', diff: { refunds: -50, net: 50 } },
      ]),
    );

    // What a dashboard (or a test) reads afterwards: the report, stored.
    const rows = await db.query<Row[]>(
      'SELECT buckets_corrected, amount_corrected, count_corrected FROM analytics_reconciliations ORDER BY id',
    );
    expect(rows.map((row) => Number(row.buckets_corrected))).toEqual([2, 0, 3]);
    expect(Number(rows[2].amount_corrected)).toBe(report.amountCorrected);

    // And what Prometheus scrapes from the API: the same totals.
    const metrics = await (await checkedFetch(`${api.baseUrl}/metrics`)).text();
    expect(metrics).toContain(`sales_rollup_buckets_corrected_total ${first.bucketsCorrected + 3}`);
    expect(metrics).toContain(
      `sales_rollup_amount_corrected_total ${first.amountCorrected + report.amountCorrected}`,
    );
    expect(metrics).toMatch(/sales_rollup_last_reconciliation_timestamp_seconds [1-9]\d{9}/);
  }, 60_000);

  it('summed by Berlin day, the 25-hour 2026-10-25 holds exactly the orders placed on it', async () => {
    const days = localDaysInUtc('2026-10-20', '2026-10-26', 'Europe/Berlin');
    expect(days.find((day) => day.date === '2026-10-25')?.hours).toBe(25);
    for (const day of days) {
      const [{ placed }] = await db.query<Array<{ placed: string | null }>>(
        'SELECT SUM(orders_placed) AS placed FROM sales_hourly WHERE bucket_start >= ? AND bucket_start < ?',
        [day.start, day.end],
      );
      const want = HISTORIES.filter((history) => history.berlinDay === day.date).length;
      expect([day.date, Number(placed ?? 0)]).toEqual([day.date, want]);
    }
  });

  it('an order placed, paid and partly refunded through the API reaches the rollups', async () => {
    const client = new AuthClient(api.baseUrl);
    const owner = await createUser(client, db, { role: 'admin' });
    const admin = new ShopAdmin(client, owner.tokens.accessToken);
    await admin.setUp();
    const shop = new ShopClient(api.baseUrl);
    const { variantId } = await admin.variantWithStock(10, 2500);
    const { cart, shopper } = await shop.newCart();
    await shop.add(cart.id, shopper, variantId, 3);
    await shop.prepare(cart.id, shopper);
    const placed = await shop.checkout(cart.id, shopper, randomUUID(), { paymentMethod: 'card' });
    expect(placed.status).toBe(201);
    const order: Order = placed.body;
    const payment = await payWithCard(shop, order.id, shopper, SANDBOX_CARDS.succeeds);
    const status = async () => (await admin.send<Order>('GET', `/v1/admin/orders/${order.id}`)).body.status;
    await waitFor(async () => (await status()) === 'paid', 15_000, 'the order to be paid');
    const refund = await admin.send(
      'POST',
      `/v1/admin/payments/${payment.body.id}/refunds`,
      { amount: 1000, reason: 'damaged' },
      { 'idempotency-key': randomUUID() },
    );
    expect(refund.status).toBe(202);
    await waitFor(async () => (await status()) === 'partially_refunded', 15_000, 'the refund');
    await waitForQueuesToSettle(worker, [EVENTS_QUEUE], 30_000);
    await waitFor(
      async () =>
        JSON.stringify([...(await storedRollups())]) === JSON.stringify([...(await expectedFromOrders())]),
      15_000,
      'the rollups to equal the orders',
    );
    const [{ placedTotal, refunds }] = await db.query<Array<{ placedTotal: string; refunds: string }>>(
      'SELECT SUM(placed_total) AS placedTotal, SUM(refunds) AS refunds FROM sales_hourly WHERE bucket_start >= ?',
      [new Date(Date.now() - 2 * 3_600_000)], // only this order: the histories above are weeks older
    );
    expect(Number(placedTotal)).toBe(order.totals.total);
    expect(Number(refunds)).toBe(1000);
  }, 90_000);

  it('the reconcile job runs in the worker and records its report', async () => {
    const analytics = worker.get<Queue>(getQueueToken(ANALYTICS_QUEUE));
    const repeatable = await analytics.getRepeatableJobs();
    expect(repeatable).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: AnalyticsJobs.reconcile, cron: '30 3 * * *', tz: 'Europe/Berlin' }),
      ]),
    );
    const job = await analytics.add(AnalyticsJobs.reconcile, { days: 2 });
    const result = (await job.finished()) as { bucketsChecked: number; bucketsCorrected: number };
    // The API order of the last hour is still settling, so it is outside the window: nothing to correct.
    expect(result.bucketsCorrected).toBe(0);
    const [{ count }] = await db.query<Array<{ count: string }>>(
      'SELECT COUNT(*) AS count FROM analytics_reconciliations',
    );
    expect(Number(count)).toBe(4);
  }, 30_000);
});
