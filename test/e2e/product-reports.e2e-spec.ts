import { expectProblem, type JsonResponse, request } from '@app/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SalesReconciliationService } from '../../src/modules/analytics/sales-reconciliation.service';
import type { DomainEventEnvelope } from '../../src/modules/notifications/events/domain-event-handler';
import { EVENTS_QUEUE } from '../../src/modules/notifications/jobs/events.jobs';
import { LATE_PAYMENT_REFUNDER } from '../../src/modules/payments/settlement/refunds.service';
import { AuthClient, createUser } from '../support/auth-client';
import { orderPaidThenPartlyRefunded } from '../support/payments-shop';
import {
  deliverEvents,
  insertHistory,
  type OrderHistory,
  replayEvents,
  startSalesEnvironment,
} from '../support/sales-histories';
import { ShopAdmin, ShopClient } from '../support/shop-client';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { waitFor, waitForQueuesToSettle } from '../support/wait-for';

/*
 * The top-products, stock and funnel reports through HTTP, each against a calculation of its own
 * made here straight from the orders, order lines, refunds, inventory and carts tables (no app code:
 * the store's days, the refund allocation and the ranking are worked out again below).
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const NOW = Date.now();
/** A reconciliation window (days back from now) over every history below. */
const RECONCILE_DAYS = Math.ceil((NOW - Date.parse('2026-10-01T00:00:00Z')) / (24 * 3_600_000)) + 1;
const ago = (ms: number): string => new Date(NOW - ms).toISOString();

type VariantKey = 'A-S' | 'A-M' | 'B-S' | 'B-M' | 'C' | 'D';

/** Every history here has its cart (the funnel counts carts), and sells catalog variants. */
type History = OrderHistory<VariantKey> & { cartMinutesBefore: number };

const HISTORIES: History[] = [
  {
    name: 'EUR exclusive, two products, paid',
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [
      { variant: 'A-S', unitPrice: 2500, quantity: 2 },
      { variant: 'B-S', unitPrice: 1000, quantity: 1 },
    ],
    shipping: 490,
    cartMinutesBefore: 30,
    placedAt: '2026-10-20T09:15:00Z',
    paidAt: '2026-10-20T09:20:00Z',
  },
  {
    name: 'EUR inclusive, discounted, paid an hour later',
    currency: 'EUR',
    priceMode: 'tax_inclusive',
    taxRateBp: 1900,
    lines: [
      { variant: 'A-M', unitPrice: 5000, quantity: 1, discount: 500 },
      { variant: 'C', unitPrice: 700, quantity: 3, discount: 210 },
    ],
    shipping: 0,
    cartMinutesBefore: 5,
    placedAt: '2026-10-20T10:59:59Z',
    paidAt: '2026-10-20T11:00:00Z',
  },
  {
    name: 'EUR 7% inclusive, paid, partially refunded twice',
    currency: 'EUR',
    priceMode: 'tax_inclusive',
    taxRateBp: 700,
    lines: [
      { variant: 'B-M', unitPrice: 1234, quantity: 5, discount: 617 },
      { variant: 'A-S', unitPrice: 2500, quantity: 1, discount: 250 },
    ],
    shipping: 390,
    cartMinutesBefore: 60 * 20, // created the evening before (Berlin)
    placedAt: '2026-10-21T14:05:00Z',
    paidAt: '2026-10-21T14:06:00Z',
    refunds: [
      { amount: 1000, at: '2026-10-22T08:00:00Z' },
      { amount: 250, at: '2026-10-23T16:30:00Z' },
    ],
  },
  {
    name: 'EUR paid, refund failed (not counted)',
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [{ variant: 'D', unitPrice: 899, quantity: 2 }],
    shipping: 490,
    cartMinutesBefore: 12,
    placedAt: '2026-10-21T18:00:00Z',
    paidAt: '2026-10-21T18:02:00Z',
    refunds: [{ amount: 500, at: '2026-10-21T19:00:00Z', state: 'failed' }],
  },
  {
    name: 'EUR unpaid, cancelled next day (sold nothing)',
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [{ variant: 'A-S', unitPrice: 2500, quantity: 4 }],
    shipping: 490,
    cartMinutesBefore: 3,
    placedAt: '2026-10-22T20:00:00Z',
    cancelledAt: '2026-10-23T07:10:00Z',
  },
  {
    name: 'EUR paid, cancelled, refunded in full',
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [
      { variant: 'B-S', unitPrice: 3000, quantity: 2, discount: 600 },
      { variant: 'C', unitPrice: 799, quantity: 1, discount: 80 },
    ],
    shipping: 490,
    cartMinutesBefore: 7,
    placedAt: '2026-10-23T11:11:00Z',
    paidAt: '2026-10-23T11:12:00Z',
    cancelledAt: '2026-10-23T15:00:00Z',
    refunds: [{ amount: 'all', at: '2026-10-23T15:00:05Z' }],
  },
  {
    name: 'EUR cancelled, late payment refunded (not counted)',
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [{ variant: 'C', unitPrice: 1500, quantity: 1 }],
    shipping: 490,
    cartMinutesBefore: 9,
    placedAt: '2026-10-23T12:00:00Z',
    cancelledAt: '2026-10-23T13:00:00Z',
    refunds: [{ amount: 'all', at: '2026-10-23T13:30:00Z', late: true }],
  },
  {
    name: 'USD exclusive, paid',
    currency: 'USD',
    priceMode: 'tax_exclusive',
    taxRateBp: 825,
    lines: [{ variant: 'A-S', unitPrice: 1099, quantity: 4 }],
    shipping: 599,
    cartMinutesBefore: 15,
    placedAt: '2026-10-20T09:20:00Z',
    paidAt: '2026-10-20T09:25:00Z',
  },
  {
    name: 'USD inclusive, discounted, two lines',
    currency: 'USD',
    priceMode: 'tax_inclusive',
    taxRateBp: 1000,
    lines: [
      { variant: 'B-S', unitPrice: 2000, quantity: 1, discount: 200 },
      { variant: 'D', unitPrice: 350, quantity: 6 },
    ],
    shipping: 0,
    cartMinutesBefore: 40,
    placedAt: '2026-10-20T09:55:00Z',
    paidAt: '2026-10-20T10:05:00Z',
  },
  {
    name: 'USD paid, partially refunded two days later',
    currency: 'USD',
    priceMode: 'tax_exclusive',
    taxRateBp: 825,
    lines: [{ variant: 'C', unitPrice: 15000, quantity: 1 }],
    shipping: 0,
    cartMinutesBefore: 2,
    placedAt: '2026-10-22T01:00:00Z',
    paidAt: '2026-10-22T01:01:00Z',
    refunds: [{ amount: 4999, at: '2026-10-24T12:00:00Z' }],
  },
  {
    name: 'DST: the repeated 02:xx hour, second pass (CET)',
    currency: 'EUR',
    priceMode: 'tax_inclusive',
    taxRateBp: 1900,
    lines: [{ variant: 'A-M', unitPrice: 1200, quantity: 3 }],
    shipping: 0,
    cartMinutesBefore: 45, // 00:45 UTC: the first 02:xx (CEST)
    placedAt: '2026-10-25T01:30:00Z',
    paidAt: '2026-10-25T01:31:00Z',
  },
  {
    name: 'DST: placed on the 25-hour day, paid the next local day',
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [{ variant: 'D', unitPrice: 2222, quantity: 1 }],
    shipping: 490,
    cartMinutesBefore: 20,
    placedAt: '2026-10-25T22:50:00Z',
    paidAt: '2026-10-26T08:00:00Z',
  },
  {
    name: 'paid the day after, refunded twice after the DST change',
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [
      { variant: 'A-S', unitPrice: 4000, quantity: 1, discount: 400 },
      { variant: 'B-M', unitPrice: 1333, quantity: 2, discount: 267 },
    ],
    shipping: 490,
    cartMinutesBefore: 90,
    placedAt: '2026-10-24T21:59:00Z',
    paidAt: '2026-10-25T09:00:00Z',
    refunds: [
      { amount: 1200, at: '2026-10-26T10:00:00Z' },
      { amount: 301, at: '2026-10-26T10:20:00Z' },
    ],
  },
  {
    name: 'events lost: counted only by the reconciliation',
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [{ variant: 'B-M', unitPrice: 3100, quantity: 1 }],
    shipping: 490,
    cartMinutesBefore: 6,
    placedAt: '2026-10-24T10:00:00Z',
    paidAt: '2026-10-24T10:10:00Z',
    refunds: [{ amount: 700, at: '2026-10-24T11:00:00Z' }],
    eventsLost: true,
  },
  {
    name: 'USD zero tax, zero shipping, 10 units',
    currency: 'USD',
    priceMode: 'tax_exclusive',
    taxRateBp: 0,
    lines: [{ variant: 'D', unitPrice: 100, quantity: 10 }],
    shipping: 0,
    cartMinutesBefore: 1,
    placedAt: '2026-10-26T15:00:00Z',
    paidAt: '2026-10-26T15:00:01Z',
  },
  // Recent: what the stock report's last 30 days hold (and do not).
  {
    name: 'recent: paid two days ago',
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [{ variant: 'A-S', unitPrice: 2500, quantity: 2 }],
    shipping: 490,
    cartMinutesBefore: 10,
    placedAt: ago(2 * DAY_MS + 10 * 60_000),
    paidAt: ago(2 * DAY_MS),
  },
  {
    name: 'recent: paid 29 days ago, refunded since (units stay sold)',
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [{ variant: 'C', unitPrice: 1800, quantity: 3 }],
    shipping: 490,
    cartMinutesBefore: 10,
    placedAt: ago(29 * DAY_MS),
    paidAt: ago(29 * DAY_MS),
    refunds: [{ amount: 1000, at: ago(5 * DAY_MS) }],
  },
  {
    name: 'recent: paid 31 days ago (outside the 30 days)',
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [{ variant: 'B-M', unitPrice: 1000, quantity: 4 }],
    shipping: 490,
    cartMinutesBefore: 10,
    placedAt: ago(31 * DAY_MS),
    paidAt: ago(31 * DAY_MS),
  },
  {
    name: 'recent: USD paid three hours ago',
    currency: 'USD',
    priceMode: 'tax_exclusive',
    taxRateBp: 825,
    lines: [{ variant: 'A-M', unitPrice: 3000, quantity: 1 }],
    shipping: 599,
    cartMinutesBefore: 10,
    placedAt: ago(3 * HOUR_MS),
    paidAt: ago(3 * HOUR_MS - 60_000),
  },
  {
    name: 'recent: placed, never paid',
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [{ variant: 'A-M', unitPrice: 5000, quantity: 5 }],
    shipping: 490,
    cartMinutesBefore: 10,
    placedAt: ago(4 * HOUR_MS),
  },
];

/** Carts that never became an order. */
const ABANDONED_CARTS = [
  '2026-10-19T21:59:59Z', // 2026-10-19 23:59:59 in Berlin
  '2026-10-19T22:00:00Z', // 2026-10-20 00:00 in Berlin
  '2026-10-20T12:00:00Z',
  '2026-10-20T12:30:00Z',
  '2026-10-22T05:00:00Z',
  '2026-10-24T22:30:00Z', // the 25-hour day
  '2026-10-25T01:15:00Z',
  '2026-10-25T22:59:59Z', // its last second
  '2026-10-25T23:00:00Z', // 2026-10-26 00:00 CET
  ago(DAY_MS),
  ago(HOUR_MS),
];

// ---- the store's calendar, worked out again: Europe/Berlin by the EU rule -------------------------

/** The last Sunday of a month (UTC date), the day of the EU summer-time changes. */
function lastSunday(year: number, month: number): number {
  const last = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, last.getUTCDate() - last.getUTCDay());
}
/** Summer time (UTC+2) runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October. */
const berlinOffsetAt = (instant: number): number => {
  const year = new Date(instant).getUTCFullYear();
  return instant >= lastSunday(year, 2) + HOUR_MS && instant < lastSunday(year, 9) + HOUR_MS
    ? 2 * HOUR_MS
    : HOUR_MS;
};
/** The instant a Berlin date begins (midnight is never inside a change hour). */
function berlinMidnight(date: string): number {
  const wall = Date.parse(`${date}T00:00:00Z`);
  return wall - berlinOffsetAt(wall - 2 * HOUR_MS);
}
const berlinDate = (instant: number): string =>
  new Date(instant + berlinOffsetAt(instant)).toISOString().slice(0, 10);
const nextDate = (date: string): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
/** [start, end) of the Berlin dates from..to. */
const berlinRange = (from: string, to: string): [number, number] => [
  berlinMidnight(from),
  berlinMidnight(nextDate(to)),
];

// ---- the independent calculation ---------------------------------------------------------------

/** A product sale or refund share as the tables say it happened. */
interface Move {
  at: number;
  currency: string;
  variantId: string;
  productId: string;
  units: number;
  revenue: number;
  refunds: number;
}
type Row = Record<string, unknown>;

describe('product reports: top products, stock, funnel', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let worker: INestApplicationContext;
  let db: DataSource;
  let admin: ShopAdmin;
  let staffToken: string;
  let customerToken: string;
  const variants = {} as Record<VariantKey, { id: string; productId: string; sku: string }>;
  const delivered: DomainEventEnvelope[] = [];

  const get = <T = Row>(path: string, token = staffToken, accept?: string): Promise<JsonResponse<T>> =>
    request<T>(`${api.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${token}`, ...(accept ? { accept } : {}) },
    });

  beforeAll(async () => {
    ({ env, api, worker, db } = await startSalesEnvironment({
      timeZone: 'Europe/Berlin',
      sandboxPayments: true,
    }));
    const client = new AuthClient(api.baseUrl);
    const owner = await createUser(client, db, { role: 'admin' });
    staffToken = (await createUser(client, db, { role: 'staff' })).tokens.accessToken;
    customerToken = (await createUser(client, db)).tokens.accessToken;
    admin = new ShopAdmin(client, owner.tokens.accessToken);
    await admin.setUp();

    // A: two sizes (S sold out, M low by its own threshold); B: plenty of S, little M without a
    // threshold; C: sold out, no threshold; D: plenty. A name with a comma and quotes tests the CSV.
    const a = await admin.createProduct({
      title: 'Mug, "large"',
      variants: [
        {
          sku: `A-S-${randomUUID().slice(0, 8)}`,
          optionValues: { size: 'S' },
          price: 2500,
          lowStockThreshold: 5,
        },
        {
          sku: `A-M-${randomUUID().slice(0, 8)}`,
          optionValues: { size: 'M' },
          price: 5000,
          lowStockThreshold: 5,
        },
      ],
    });
    const b = await admin.createProduct({
      title: 'Teapot',
      variants: [
        {
          sku: `B-S-${randomUUID().slice(0, 8)}`,
          optionValues: { size: 'S' },
          price: 1000,
          lowStockThreshold: 10,
        },
        { sku: `B-M-${randomUUID().slice(0, 8)}`, optionValues: { size: 'M' }, price: 1234 },
      ],
    });
    const c = await admin.createProduct({
      title: '=Saucer',
      options: [],
      variants: [{ sku: `C-${randomUUID().slice(0, 8)}`, price: 700 }],
    });
    const d = await admin.createProduct({
      title: 'Spoon',
      options: [],
      variants: [{ sku: `D-${randomUUID().slice(0, 8)}`, price: 350, lowStockThreshold: 20 }],
    });
    // Not for sale: never in the stock report, sold out or not.
    await admin.createProduct({
      title: 'Draft',
      status: 'draft',
      options: [],
      variants: [{ sku: `X-${randomUUID().slice(0, 8)}`, price: 100 }],
    });
    const keyed: Array<[VariantKey, { id: string; sku: string }, string, number]> = [
      ['A-S', a.variants[0], a.id, 0],
      ['A-M', a.variants[1], a.id, 3],
      ['B-S', b.variants[0], b.id, 40],
      ['B-M', b.variants[1], b.id, 2],
      ['C', c.variants[0], c.id, 0],
      ['D', d.variants[0], d.id, 100],
    ];
    for (const [key, variant, productId, stock] of keyed) {
      variants[key] = { id: variant.id, productId, sku: variant.sku };
      if (stock > 0)
        await admin.must('POST', '/v1/admin/inventory/adjustments', {
          variantId: variant.id,
          locationId: admin.locationId,
          delta: stock,
          reason: 'received',
        });
    }
  }, 90_000);
  afterAll(async () => {
    await env?.cleanup();
  });

  /** Every sale and refund share, from the orders, lines and refunds tables. */
  async function movesFromTables(): Promise<Move[]> {
    const orders = await db.query<Row[]>('SELECT id, currency, total, paid_at FROM orders');
    const lines = await db.query<Row[]>(
      'SELECT order_id, position, variant_id, product_id, quantity, tax, total FROM order_lines ORDER BY order_id, position',
    );
    const refunds = await db.query<Row[]>(
      `SELECT r.amount, r.created_at, p.order_id FROM payment_refunds r JOIN payments p ON p.id = r.payment_id
        WHERE r.state = 'succeeded' AND r.requested_by <> ?`,
      [LATE_PAYMENT_REFUNDER],
    );
    const byOrder = new Map(orders.map((order) => [order.id as string, order]));
    const linesOf = (orderId: string) => lines.filter((line) => line.order_id === orderId);
    const moves: Move[] = [];
    for (const order of orders) {
      if (!order.paid_at) continue;
      for (const line of linesOf(order.id as string))
        moves.push({
          at: (order.paid_at as Date).getTime(),
          currency: order.currency as string,
          variantId: line.variant_id as string,
          productId: line.product_id as string,
          units: Number(line.quantity),
          revenue: Number(line.total) - Number(line.tax),
          refunds: 0,
        });
    }
    for (const refund of refunds) {
      const order = byOrder.get(refund.order_id as string)!;
      const own = linesOf(order.id as string);
      // The refund split in proportion to line revenue, the rest of the total (shipping, tax) a share
      // of its own: exact quotients, floors, then the leftover units one by one to the largest
      // fractional parts, earlier first, the no-line share last among equals.
      const amount = Number(refund.amount);
      const total = Number(order.total);
      const weights = own.map((line) => Number(line.total) - Number(line.tax));
      weights.push(total - weights.reduce((a, b) => a + b, 0));
      const exact = weights.map((weight) => (amount * weight) / total);
      const shares = exact.map(Math.floor);
      let leftover = amount - shares.reduce((a, b) => a + b, 0);
      const fractions = exact.map((value, index) => ({ index, fraction: (amount * weights[index]) % total }));
      fractions.sort((x, y) => y.fraction - x.fraction || x.index - y.index);
      for (const { index } of fractions) if (leftover-- > 0) shares[index] += 1;
      own.forEach((line, index) => {
        if (shares[index] !== 0)
          moves.push({
            at: (refund.created_at as Date).getTime(),
            currency: order.currency as string,
            variantId: line.variant_id as string,
            productId: line.product_id as string,
            units: 0,
            revenue: 0,
            refunds: shares[index],
          });
      });
    }
    return moves;
  }

  /** The hourly buckets the moves make: `hour|currency|variant` → [units, revenue, refunds]. */
  function bucketsOf(moves: Move[]): Map<string, [number, number, number]> {
    const buckets = new Map<string, [number, number, number]>();
    for (const move of moves) {
      const key = `${new Date(Math.floor(move.at / HOUR_MS) * HOUR_MS).toISOString()}|${move.currency}|${move.variantId}`;
      const bucket = buckets.get(key) ?? [0, 0, 0];
      buckets.set(key, [bucket[0] + move.units, bucket[1] + move.revenue, bucket[2] + move.refunds]);
    }
    return buckets;
  }

  async function storedBuckets(): Promise<Map<string, [number, number, number]>> {
    const rows = await db.query<Row[]>('SELECT * FROM product_sales_hourly');
    return new Map(
      rows
        .filter((row) => Number(row.units) !== 0 || Number(row.revenue) !== 0 || Number(row.refunds) !== 0)
        .map((row) => [
          `${(row.bucket_start as Date).toISOString()}|${row.currency as string}|${row.variant_id as string}`,
          [Number(row.units), Number(row.revenue), Number(row.refunds)],
        ]),
    );
  }

  interface TopRow {
    rank: number;
    productId: string;
    productName: string;
    variantId: string | null;
    sku: string | null;
    currency: string;
    units: number;
    net: number;
  }

  /** The ranking, worked out from the moves of the Berlin dates from..to. */
  async function productTitles(): Promise<Map<string, string>> {
    const rows = await db.query<Array<{ id: string; title: string }>>('SELECT id, title FROM products');
    return new Map(rows.map((row) => [row.id, row.title]));
  }

  function expectedTop(
    moves: Move[],
    titles: Map<string, string>,
    query: {
      from: string;
      to: string;
      by: 'units' | 'net';
      level: 'product' | 'variant';
      limit: number;
      currency?: string;
    },
  ): TopRow[] {
    const [start, end] = berlinRange(query.from, query.to);
    const totals = new Map<
      string,
      { currency: string; productId: string; variantId: string; units: number; net: number }
    >();
    for (const move of moves) {
      if (move.at < start || move.at >= end) continue;
      if (query.currency && move.currency !== query.currency) continue;
      const id = query.level === 'variant' ? move.variantId : move.productId;
      const key = `${move.currency}|${id}`;
      const total = totals.get(key) ?? {
        currency: move.currency,
        productId: move.productId,
        variantId: move.variantId,
        units: 0,
        net: 0,
      };
      total.units += move.units;
      total.net += move.revenue - move.refunds;
      totals.set(key, total);
    }
    const names = new Map(Object.values(variants).map((v) => [v.id, v]));
    const rows: TopRow[] = [];
    for (const currency of [...new Set([...totals.values()].map((t) => t.currency))].sort()) {
      const ranked = [...totals.values()]
        .filter((t) => t.currency === currency)
        .sort((x, y) => {
          const [first, second] =
            query.by === 'units' ? (['units', 'net'] as const) : (['net', 'units'] as const);
          const idOf = (t: typeof x) => (query.level === 'variant' ? t.variantId : t.productId);
          return y[first] - x[first] || y[second] - x[second] || (idOf(x) < idOf(y) ? -1 : 1);
        })
        .slice(0, query.limit);
      ranked.forEach((t, index) =>
        rows.push({
          rank: index + 1,
          productId: t.productId,
          productName: titles.get(t.productId)!,
          variantId: query.level === 'variant' ? t.variantId : null,
          sku: query.level === 'variant' ? (names.get(t.variantId)?.sku ?? null) : null,
          currency,
          units: t.units,
          net: t.net,
        }),
      );
    }
    return rows;
  }

  /** Minimal RFC 4180 reader: quoted fields, doubled quotes, CRLF rows. */
  function parseCsv(text: string): string[][] {
    const rows: string[][] = [];
    let row: string[] = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const char = text[i];
      if (quoted) {
        if (char === '"' && text[i + 1] === '"') {
          field += '"';
          i++;
        } else if (char === '"') quoted = false;
        else field += char;
      } else if (char === '"') quoted = true;
      else if (char === ',') {
        row.push(field);
        field = '';
      } else if (char === '\n') {
        row.push(field.replace(/\r$/, ''));
        rows.push(row);
        row = [];
        field = '';
      } else field += char;
    }
    if (field || row.length) rows.push([...row, field]);
    return rows;
  }

  /** The CSV rows as objects keyed by the header, numbers as numbers, empty as null. */
  function csvRecords(text: string): Array<Record<string, string | number | null>> {
    const [header, ...rows] = parseCsv(text);
    return rows.map((row) =>
      Object.fromEntries(
        header.map((name, i) => {
          const cell = row[i];
          return [name, cell === '' ? null : /^-?\d+(\.\d+)?$/.test(cell) ? Number(cell) : cell];
        }),
      ),
    );
  }

  const snake = (name: string): string => name.replace(/[A-Z]|\d+/g, (c) => `_${c.toLowerCase()}`);
  /** A JSON row as its CSV record: snake_case keys; a formula-like text cell is prefixed with '. */
  const asCsvRecord = (row: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(row).map(([key, value]) => [
        snake(key),
        typeof value === 'string' && /^[=+\-@]/.test(value) ? `'${value}` : value,
      ]),
    );

  const TOP_QUERIES = [
    { from: '2026-10-01', to: '2026-10-31', by: 'units', level: 'product', limit: 10 },
    { from: '2026-10-01', to: '2026-10-31', by: 'net', level: 'product', limit: 10 },
    { from: '2026-10-01', to: '2026-10-31', by: 'units', level: 'variant', limit: 10 },
    { from: '2026-10-01', to: '2026-10-31', by: 'net', level: 'variant', limit: 3, currency: 'EUR' },
    { from: '2026-10-20', to: '2026-10-20', by: 'units', level: 'variant', limit: 100 },
    { from: '2026-10-25', to: '2026-10-25', by: 'net', level: 'variant', limit: 10 }, // 25 hours
    { from: '2026-10-26', to: '2026-10-26', by: 'net', level: 'product', limit: 10, currency: 'EUR' },
    { from: '2026-10-21', to: '2026-10-24', by: 'net', level: 'product', limit: 2 },
    { from: '2026-10-22', to: '2026-10-24', by: 'units', level: 'variant', limit: 10, currency: 'USD' },
    { from: berlinDate(NOW - 40 * DAY_MS), to: berlinDate(NOW), by: 'units', level: 'variant', limit: 10 },
  ] as const;
  const topPath = (query: (typeof TOP_QUERIES)[number]): string =>
    `/v1/admin/reports/top-products?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString()}`;

  async function allTop(): Promise<unknown[]> {
    return Promise.all(TOP_QUERIES.map(async (query) => (await get(topPath(query))).body));
  }

  const FUNNEL_RANGES: Array<[string, string]> = [
    ['2026-10-19', '2026-10-19'],
    ['2026-10-20', '2026-10-20'],
    ['2026-10-20', '2026-10-22'],
    ['2026-10-25', '2026-10-25'],
    ['2026-10-26', '2026-10-26'],
    ['2026-10-01', '2026-10-31'],
    ['2026-01-01', '2026-01-31'],
    [berlinDate(NOW - 40 * DAY_MS), berlinDate(NOW)],
  ];

  async function expectedFunnel(from: string, to: string) {
    const [start, end] = berlinRange(from, to);
    const carts = await db.query<Row[]>(
      'SELECT c.created_at, c.order_id, o.paid_at FROM carts c LEFT JOIN orders o ON o.id = c.order_id',
    );
    const cohort = carts.filter((cart) => {
      const at = (cart.created_at as Date).getTime();
      return at >= start && at < end;
    });
    const created = cohort.length;
    const checkedOut = cohort.filter((cart) => cart.order_id).length;
    const paid = cohort.filter((cart) => cart.paid_at).length;
    const rate = (part: number, whole: number) =>
      whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;
    return {
      from,
      to,
      timeZone: 'Europe/Berlin',
      cartsCreated: created,
      checkedOut,
      paid,
      checkoutRate: rate(checkedOut, created),
      paymentRate: rate(paid, checkedOut),
    };
  }

  /** The stock report worked out from the inventory, catalog and order tables. */
  async function expectedStock(generatedAt: string, threshold?: number) {
    const variantRows = await db.query<Row[]>(
      `SELECT v.id, v.sku, v.product_id, p.title, v.low_stock_threshold, v.status, p.status AS product_status
         FROM product_variants v JOIN products p ON p.id = v.product_id`,
    );
    const levels = await db.query<Row[]>(
      `SELECT l.variant_id, l.on_hand, l.reserved, s.active FROM inventory_levels l
         JOIN stock_locations s ON s.id = l.location_id`,
    );
    const cutoff = Math.floor(Date.parse(generatedAt) / HOUR_MS) * HOUR_MS - 30 * DAY_MS;
    const sold = await db.query<Row[]>(
      `SELECT l.variant_id, l.quantity, o.paid_at FROM order_lines l JOIN orders o ON o.id = l.order_id
        WHERE o.paid_at IS NOT NULL`,
    );
    return variantRows
      .filter((v) => v.status === 'active' && v.product_status === 'active')
      .map((v) => {
        const available = levels
          .filter((l) => l.variant_id === v.id && Number(l.active) === 1)
          .reduce((sum, l) => sum + Number(l.on_hand) - Number(l.reserved), 0);
        const limit = threshold ?? (v.low_stock_threshold === null ? null : Number(v.low_stock_threshold));
        const status = available <= 0 ? 'sold-out' : limit !== null && available < limit ? 'low' : null;
        const units = sold
          .filter((s) => s.variant_id === v.id && (s.paid_at as Date).getTime() >= cutoff)
          .reduce((sum, s) => sum + Number(s.quantity), 0);
        return {
          variantId: v.id as string,
          sku: v.sku as string,
          productId: v.product_id as string,
          productName: v.title as string,
          available,
          status,
          unitsSoldLast30Days: units,
          daysOfCover: units === 0 ? null : Math.round((available * 30 * 10) / units) / 10,
        };
      })
      .filter((row) => row.status !== null)
      .sort((x, y) => (x.variantId < y.variantId ? -1 : 1));
  }

  it(`${HISTORIES.length} order histories through the worker: the product rollups equal the tables, hour by hour`, async () => {
    for (const history of HISTORIES)
      delivered.push(...(await insertHistory(db, history, { prefix: 'PR', catalog: variants })));
    for (const at of ABANDONED_CARTS)
      await db.query(
        `INSERT INTO carts (id, status, currency, version, created_at, updated_at) VALUES (?, 'active', 'EUR', 1, ?, ?)`,
        [randomUUID(), new Date(at), new Date(at)],
      );
    await deliverEvents(worker, delivered);

    const expected = bucketsOf(await movesFromTables());
    const stored = await storedBuckets();
    // Everything but the history whose events were lost is counted exactly.
    const lost = HISTORIES.find((history) => history.eventsLost)!;
    const lostHours = new Set(
      [lost.paidAt!, lost.refunds![0].at].map((at) =>
        new Date(Math.floor(Date.parse(at) / HOUR_MS) * HOUR_MS).toISOString(),
      ),
    );
    const missing = [...expected.keys()].filter((key) => !stored.has(key));
    expect(missing.length).toBeGreaterThan(0);
    expect(missing.every((key) => lostHours.has(key.split('|')[0]))).toBe(true);
    for (const [key, bucket] of stored) expect([key, bucket]).toEqual([key, expected.get(key)]);

    // The reconciliation (a window over every history) counts what the lost events would have.
    const report = await worker.get(SalesReconciliationService).reconcile({ days: RECONCILE_DAYS });
    expect(report.products.bucketsCorrected).toBe(missing.length);
    expect(await storedBuckets()).toEqual(expected);
  }, 90_000);

  it('top products, by units and by net, products and variants, per currency, equal the tables', async () => {
    const moves = await movesFromTables();
    const titles = await productTitles();
    for (const query of TOP_QUERIES) {
      const response = await get<{ data: TopRow[] }>(topPath(query));
      expect(response.status).toBe(200);
      expect([query, response.body]).toEqual([
        query,
        {
          timeZone: 'Europe/Berlin',
          from: query.from,
          to: query.to,
          by: query.by,
          level: query.level,
          data: expectedTop(moves, titles, query),
        },
      ]);
    }
    // Names come from the catalog; the data is not empty where the histories sold.
    const october = await get<{ data: TopRow[] }>(topPath(TOP_QUERIES[0]));
    expect(october.body.data.length).toBeGreaterThan(4);
    expect(new Set(october.body.data.map((row) => row.productName))).toEqual(
      new Set(['Mug, "large"', 'Teapot', '=Saucer', 'Spoon']),
    );
  });

  it('stock: sold-out and low variants with 30-day sales and days of cover equal the tables', async () => {
    for (const threshold of [undefined, 0, 2, 3, 5, 50]) {
      const path = `/v1/admin/reports/stock${threshold === undefined ? '' : `?lowStockThreshold=${threshold}`}`;
      const response = await get<{ generatedAt: string; data: Array<Record<string, unknown>> }>(path);
      expect(response.status).toBe(200);
      const want = await expectedStock(response.body.generatedAt, threshold);
      const got = [...response.body.data].sort((x, y) =>
        (x.variantId as string) < (y.variantId as string) ? -1 : 1,
      );
      expect([threshold, got]).toEqual([threshold, want]);
      // Sold out first, then by days of cover, unknown cover last.
      const data = response.body.data;
      const firstLow = data.findIndex((row) => row.status === 'low');
      if (firstLow !== -1) expect(data.slice(firstLow).every((row) => row.status === 'low')).toBe(true);
      const covers = data
        .filter((row) => row.status === 'low')
        .map((row) => row.daysOfCover as number | null);
      const known = covers.filter((cover) => cover !== null);
      expect(covers.slice(0, known.length)).toEqual([...known].sort((a, b) => a - b));
    }
    // The cases the fixtures were made for, spelled out.
    const { body } = await get<{ data: Array<Record<string, unknown>> }>('/v1/admin/reports/stock');
    const byKey = (key: VariantKey) => body.data.find((row) => row.variantId === variants[key].id);
    expect(byKey('A-S')).toEqual(
      expect.objectContaining({ status: 'sold-out', available: 0, unitsSoldLast30Days: 2, daysOfCover: 0 }),
    );
    expect(byKey('A-M')).toEqual(
      expect.objectContaining({ status: 'low', available: 3, unitsSoldLast30Days: 1, daysOfCover: 90 }),
    );
    expect(byKey('C')).toEqual(
      expect.objectContaining({ status: 'sold-out', unitsSoldLast30Days: 3, daysOfCover: 0 }),
    );
    expect(byKey('B-M')).toBeUndefined(); // no threshold of its own, and its sale is 31 days old
    expect(byKey('B-S')).toBeUndefined();
    expect(body.data.slice(0, 2).map((row) => row.variantId)).toEqual([variants.C.id, variants['A-S'].id]);
  });

  it('funnel: the cohort of carts created on the dates, checked out, paid, equals the tables', async () => {
    for (const [from, to] of FUNNEL_RANGES) {
      const response = await get(`/v1/admin/reports/funnel?from=${from}&to=${to}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(await expectedFunnel(from, to));
    }
    // The 25-hour day holds its carts from 00:00 CEST to 23:59:59 CET.
    expect((await get('/v1/admin/reports/funnel?from=2026-10-25&to=2026-10-25')).body).toEqual(
      expect.objectContaining({ cartsCreated: 5, checkedOut: 2, paid: 2 }),
    );
  });

  it('replaying every event twice more changes no report and no bucket', async () => {
    const reports = async () => ({
      top: await allTop(),
      stock: (await get<Row>('/v1/admin/reports/stock')).body.data,
      funnel: await Promise.all(
        FUNNEL_RANGES.map(
          async ([from, to]) => (await get(`/v1/admin/reports/funnel?from=${from}&to=${to}`)).body,
        ),
      ),
    });
    const before = await reports();
    const buckets = await storedBuckets();
    // Twice more to the handler, and once more as Bull redelivers it: the job again, the same id.
    await replayEvents(worker, delivered);
    expect(await storedBuckets()).toEqual(buckets);
    expect(await reports()).toEqual(before);
  }, 60_000);

  it('the reconciliation corrects drift in the product buckets and reports it', async () => {
    const expected = bucketsOf(await movesFromTables());
    const reconciliation = worker.get(SalesReconciliationService);
    expect((await reconciliation.reconcile({ days: RECONCILE_DAYS })).products.bucketsCorrected).toBe(0);
    const [edited, removed] = [...expected.keys()].filter((key) => key.startsWith('2026-10-2'));
    const where = (key: string) => {
      const [hour, currency, variantId] = key.split('|');
      return [new Date(hour), currency, variantId];
    };
    await db.query(
      'UPDATE product_sales_hourly SET units = units + 2, refunds = refunds + 5 WHERE bucket_start = ? AND currency = ? AND variant_id = ?',
      where(edited),
    );
    await db.query(
      'DELETE FROM product_sales_hourly WHERE bucket_start = ? AND currency = ? AND variant_id = ?',
      where(removed),
    );
    await db.query(
      "INSERT INTO product_sales_hourly (bucket_start, currency, variant_id, product_id, units, revenue, refunds) VALUES ('2026-10-27 05:00:00', 'USD', ?, ?, 1, 100, 0)",
      [variants.D.id, variants.D.productId],
    );
    expect(await storedBuckets()).not.toEqual(expected);
    const report = await reconciliation.reconcile({ days: RECONCILE_DAYS });
    const [, revenue, refunds] = expected.get(removed)!;
    expect(report.products).toEqual(
      expect.objectContaining({
        bucketsCorrected: 3,
        unitsCorrected: 2 + expected.get(removed)![0] + 1,
        amountCorrected: 5 + revenue + refunds + 100,
      }),
    );
    expect(await storedBuckets()).toEqual(expected);
  }, 30_000);

  it('an order placed, paid and partly refunded through the API reaches the reports', async () => {
    const shop = new ShopClient(api.baseUrl);
    await orderPaidThenPartlyRefunded(admin, shop, variants.D.id, {
      units: 3,
      refund: 1000,
      reason: 'chipped',
    });
    await waitForQueuesToSettle(worker, [EVENTS_QUEUE], 30_000);
    const expected = bucketsOf(await movesFromTables());
    await waitFor(
      async () =>
        JSON.stringify([...(await storedBuckets())].sort()) === JSON.stringify([...expected].sort()),
      15_000,
      'the product rollups to equal the tables',
    );
    const today = berlinDate(Date.now());
    const top = await get<{ data: TopRow[] }>(
      `/v1/admin/reports/top-products?from=${today}&to=${today}&level=variant`,
    );
    const moves = await movesFromTables();
    expect(top.body.data).toEqual(
      expectedTop(moves, await productTitles(), {
        from: today,
        to: today,
        by: 'units',
        level: 'variant',
        limit: 10,
      }),
    );
    expect(top.body.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ variantId: variants.D.id, units: expect.any(Number) }),
      ]),
    );
    const funnel = await get(`/v1/admin/reports/funnel?from=${today}&to=${today}`);
    expect(funnel.body).toEqual(await expectedFunnel(today, today));
    const stock = await get<{ generatedAt: string; data: Array<Record<string, unknown>> }>(
      '/v1/admin/reports/stock?lowStockThreshold=100',
    );
    expect(
      [...stock.body.data].sort((x, y) => ((x.variantId as string) < (y.variantId as string) ? -1 : 1)),
    ).toEqual(await expectedStock(stock.body.generatedAt, 100));
    expect(stock.body.data.find((row) => row.variantId === variants.D.id)).toEqual(
      expect.objectContaining({ status: 'low', available: 97, unitsSoldLast30Days: 3, daysOfCover: 970 }),
    );
  }, 90_000);

  it('CSV, by the .csv path or Accept: text/csv, holds the same numbers as the JSON', async () => {
    const cases: Array<[string, string]> = [
      ...TOP_QUERIES.map((query): [string, string] => [topPath(query), '/v1/admin/reports/top-products.csv']),
      ['/v1/admin/reports/stock', '/v1/admin/reports/stock.csv'],
      ['/v1/admin/reports/stock?lowStockThreshold=50', '/v1/admin/reports/stock.csv'],
      ...FUNNEL_RANGES.map(([from, to]): [string, string] => [
        `/v1/admin/reports/funnel?from=${from}&to=${to}`,
        '/v1/admin/reports/funnel.csv',
      ]),
    ];
    for (const [path, csvPath] of cases) {
      const query = path.includes('?') ? path.slice(path.indexOf('?')) : '';
      const json = await get<Record<string, unknown>>(path);
      const viaPath = await get(`${csvPath}${query}`);
      const viaAccept = await get(path, staffToken, 'text/csv');
      for (const csv of [viaPath, viaAccept]) {
        expect(csv.status).toBe(200);
        expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
        expect(csv.text.split(/\r?\n/)[0]).toMatch(/^[a-z0-9_]+(,[a-z0-9_]+)*$/);
      }
      const rows = Array.isArray(json.body.data)
        ? (json.body.data as Array<Record<string, unknown>>)
        : [Object.fromEntries(Object.entries(json.body))];
      const want = rows.map(asCsvRecord);
      expect([path, csvRecords(viaPath.text)]).toEqual([path, want]);
      // The stock report is live (generatedAt): the same rows, read a moment apart.
      expect([path, csvRecords(viaAccept.text)]).toEqual([path, want]);
    }
    // JSON stays the default, and wins when asked for first.
    const json = await get(topPath(TOP_QUERIES[0]), staffToken, 'application/json, text/csv');
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
  }, 60_000);

  it('refuses without a token (401), without reports:read (403), and bad input (400), as problem+json', async () => {
    const path = '/v1/admin/reports/top-products?from=2026-10-01&to=2026-10-31';
    for (const report of ['top-products', 'top-products.csv', 'stock', 'stock.csv', 'funnel', 'funnel.csv']) {
      const url = `/v1/admin/reports/${report}?from=2026-10-01&to=2026-10-31`.replace(
        /(stock(\.csv)?)\?.*/,
        '$1',
      );
      expectProblem(await request(`${api.baseUrl}${url}`), 401);
      expectProblem(await get(url, customerToken), 403);
    }
    expect((await get(path)).status).toBe(200);
    const bad = [
      '/v1/admin/reports/top-products?from=2026-10-31&to=2026-10-01', // from after to
      '/v1/admin/reports/top-products?from=2025-10-01&to=2026-10-02', // 367 days
      '/v1/admin/reports/top-products?from=2026-02-30&to=2026-03-01', // no such date
      '/v1/admin/reports/top-products?from=2026-10-01', // no to
      '/v1/admin/reports/top-products?from=2026-10-01&to=2026-10-31&currency=eur',
      '/v1/admin/reports/top-products?from=2026-10-01&to=2026-10-31&currency=XYZ',
      '/v1/admin/reports/top-products?from=2026-10-01&to=2026-10-31&by=gross',
      '/v1/admin/reports/top-products?from=2026-10-01&to=2026-10-31&level=category',
      '/v1/admin/reports/top-products?from=2026-10-01&to=2026-10-31&limit=101',
      '/v1/admin/reports/top-products?from=2026-10-01&to=2026-10-31&limit=0',
      '/v1/admin/reports/top-products.csv?from=2026-10-31&to=2026-10-01',
      '/v1/admin/reports/stock?lowStockThreshold=-1',
      '/v1/admin/reports/stock?lowStockThreshold=ten',
      '/v1/admin/reports/stock.csv?lowStockThreshold=1.5',
      '/v1/admin/reports/funnel?from=2026-10-01&to=2027-10-02',
      '/v1/admin/reports/funnel?from=2026-10-01&to=yesterday',
      '/v1/admin/reports/funnel.csv?from=2026-10-02&to=2026-10-01',
      '/v1/admin/reports/funnel?from=2026-10-01&to=2026-10-31&interval=day', // unknown parameter
    ];
    for (const url of bad) {
      const response = await get(url);
      expect([url, response.status]).toEqual([url, 400]);
      expectProblem(response, 400);
    }
    // 366 days is the longest range.
    expect((await get('/v1/admin/reports/funnel?from=2025-10-01&to=2026-10-01')).status).toBe(200);
  });
});
