import { expectProblem, request, type JsonResponse } from '@app/testing';
import { getQueueToken } from '@nestjs/bull';
import type { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bull';
import { parse } from 'csv-parse/sync';
import { DataSource } from 'typeorm';
import { ANALYTICS_QUEUE, AnalyticsJobs } from '../../src/modules/analytics/analytics.jobs';
import { SalesReconciliationService } from '../../src/modules/analytics/sales-reconciliation.service';
import {
  SALES_ROLLUP_HANDLER,
  type DomainEventEnvelope,
  type DomainEventHandler,
} from '../../src/modules/notifications/events/domain-event-handler';
import { LATE_PAYMENT_REFUNDER } from '../../src/modules/payments/settlement/refunds.service';
import { AuthClient, createUser } from '../support/auth-client';
import { dailyAndHourlySums } from '../support/independent-rollups';
import {
  deliverEvents,
  HISTORIES,
  insertHistory,
  type History,
  replayEvents,
  startSalesEnvironment,
} from '../support/sales-histories';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { waitFor } from '../support/wait-for';

const ZONE = 'Europe/Berlin';

/** Beyond the rollups e2e's 20 (all in 2026-10-20..26): other months, the spring change, a tie. */
const MORE_HISTORIES: History[] = [
  {
    name: 'spring change: first minutes of the 23-hour day (CET)',
    customer: { guest: 'dora' },
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [{ unitPrice: 1500, quantity: 2, discount: 150 }],
    shipping: 490,
    placedAt: '2026-03-28T23:30:00Z',
    paidAt: '2026-03-28T23:31:00Z',
    berlinDay: '2026-03-29',
  },
  {
    name: 'spring change: last minute of the 23-hour day (CEST), the same guest again',
    customer: { guest: 'dora' },
    currency: 'EUR',
    priceMode: 'tax_inclusive',
    taxRateBp: 700,
    lines: [{ unitPrice: 4321, quantity: 1 }],
    shipping: 0,
    placedAt: '2026-03-29T21:59:00Z',
    berlinDay: '2026-03-29',
  },
  {
    name: 'spring change: the next local day begins, USD, refunded in April',
    currency: 'USD',
    priceMode: 'tax_exclusive',
    taxRateBp: 825,
    lines: [{ unitPrice: 2599, quantity: 3 }],
    shipping: 599,
    placedAt: '2026-03-29T22:00:00Z',
    paidAt: '2026-03-29T22:05:00Z',
    refunds: [{ amount: 1234, at: '2026-04-01T10:00:00Z' }],
    berlinDay: '2026-03-30',
  },
  {
    name: 'placed on the last evening of September, paid after local midnight (October)',
    customer: { account: 'bob' },
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [{ unitPrice: 999, quantity: 7, discount: 333 }],
    shipping: 490,
    placedAt: '2026-09-30T21:30:00Z',
    paidAt: '2026-09-30T22:10:00Z',
    berlinDay: '2026-09-30',
  },
  {
    name: 'placed on the last evening of October (CET), paid in November, refunded in November',
    customer: { guest: 'ada' },
    currency: 'EUR',
    priceMode: 'tax_inclusive',
    taxRateBp: 1900,
    lines: [{ unitPrice: 6000, quantity: 1 }],
    shipping: 390,
    placedAt: '2026-10-31T22:30:00Z',
    paidAt: '2026-10-31T23:10:00Z',
    refunds: [{ amount: 2001, at: '2026-11-03T09:00:00Z' }],
    berlinDay: '2026-10-31',
  },
  {
    name: 'two orders of one account in the same millisecond (1 of 2)',
    customer: { account: 'eve' },
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [{ unitPrice: 100, quantity: 1 }],
    shipping: 0,
    placedAt: '2026-11-02T12:00:00.000Z',
    berlinDay: '2026-11-02',
  },
  {
    name: 'two orders of one account in the same millisecond (2 of 2)',
    customer: { account: 'eve' },
    currency: 'EUR',
    priceMode: 'tax_exclusive',
    taxRateBp: 1900,
    lines: [{ unitPrice: 200, quantity: 1 }],
    shipping: 0,
    placedAt: '2026-11-02T12:00:00.000Z',
    paidAt: '2026-11-02T12:30:00.000Z',
    berlinDay: '2026-11-02',
  },
];

const ALL_HISTORIES = [...HISTORIES, ...MORE_HISTORIES];
/** The reconciliation that counts the history whose events were lost: all of the histories above. */
const RECONCILE_NOW = new Date('2026-11-10T00:00:00Z');
const RECONCILE_DAYS = 240;

const MEASURES = [
  'ordersPlaced',
  'ordersPaid',
  'ordersCancelled',
  'units',
  'gross',
  'discounts',
  'shipping',
  'tax',
  'refunds',
  'net',
  'averageOrderValue',
  'newCustomers',
  'returningCustomers',
] as const;
type Measures = Record<(typeof MEASURES)[number], number>;
type ReportRow = Measures & { period: string; currency: string };
interface SalesReport {
  timeZone: string;
  interval: string;
  from: string;
  to: string;
  data: ReportRow[];
  totals: Array<Measures & { currency: string }>;
}
type Interval = 'day' | 'week' | 'month';

/** A move of money or orders, dated by its own instant (what the report counts when). */
interface Move {
  at: Date;
  currency: string;
  add: Partial<Record<(typeof MEASURES)[number] | 'placedTotal', number>>;
}

// ---- The independent calculation: instants → Berlin calendar dates by Intl formatting, plain date
// arithmetic for weeks and months; nothing from the app's store calendar or rollups.
const berlinDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const localDate = (at: Date): string => berlinDate.format(at); // en-CA: YYYY-MM-DD
const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
function periodOf(date: string, interval: Interval, from: string): string {
  let start = date;
  if (interval === 'week') {
    const weekday = new Date(`${date}T12:00:00Z`).getUTCDay(); // Sunday 0
    start = addDays(date, -((weekday + 6) % 7));
  } else if (interval === 'month') start = `${date.slice(0, 7)}-01`;
  return start < from ? from : start;
}

describe('sales report (GET /v1/admin/reports/sales, sales.csv)', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let worker: INestApplicationContext;
  let db: DataSource;
  let staffToken: string;
  let customerToken: string;
  const delivered: DomainEventEnvelope[] = [];

  beforeAll(async () => {
    ({ env, api, worker, db } = await startSalesEnvironment({ timeZone: ZONE, sandboxPayments: false }));
    const client = new AuthClient(api.baseUrl);
    staffToken = (await createUser(client, db, { role: 'staff' })).tokens.accessToken;
    customerToken = (await createUser(client, db)).tokens.accessToken;
  }, 60_000);
  afterAll(async () => {
    await env?.cleanup();
  });

  const get = <T = SalesReport>(
    path: string,
    options: { token?: string | null; accept?: string } = {},
  ): Promise<JsonResponse<T>> => {
    const token = options.token === undefined ? staffToken : options.token;
    return request<T>(`${api.baseUrl}${path}`, {
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(options.accept ? { accept: options.accept } : {}),
      },
    });
  };

  /** Every move, read straight from the orders, lines and refunds tables. */
  async function movesFromTables(): Promise<Move[]> {
    const orders = await db.query<
      Array<{
        id: string;
        customer_id: string | null;
        email: string;
        currency: string;
        created_at: Date;
        paid_at: Date | null;
        cancelled_at: Date | null;
        subtotal: number;
        discount: number;
        shipping: number;
        tax: number;
        total: number;
        units: string;
      }>
    >(
      `SELECT o.id, o.customer_id, o.email, o.currency, o.created_at, o.paid_at, o.cancelled_at, o.subtotal,
              o.discount, o.shipping, o.tax, o.total, SUM(l.quantity) AS units
       FROM orders o JOIN order_lines l ON l.order_id = o.id GROUP BY o.id`,
    );
    const refunds = await db.query<Array<{ created_at: Date; currency: string; amount: number }>>(
      `SELECT r.created_at, p.currency, r.amount FROM payment_refunds r JOIN payments p ON p.id = r.payment_id
       WHERE r.state = 'succeeded' AND r.requested_by <> ?`,
      [LATE_PAYMENT_REFUNDER],
    );
    // A customer's first order (account, or a guest's email; ties in time broken by id) is a new customer's.
    const seen = new Set<string>();
    const firsts = new Set<string>();
    for (const order of [...orders].sort(
      (a, b) => a.created_at.getTime() - b.created_at.getTime() || (a.id < b.id ? -1 : 1),
    )) {
      const customer = order.customer_id ?? `guest:${order.email}`;
      if (!seen.has(customer)) firsts.add(order.id);
      seen.add(customer);
    }
    const moves: Move[] = [];
    for (const order of orders) {
      const first = firsts.has(order.id);
      moves.push({
        at: order.created_at,
        currency: order.currency,
        add: {
          ordersPlaced: 1,
          units: Number(order.units),
          gross: order.subtotal,
          discounts: order.discount,
          shipping: order.shipping,
          tax: order.tax,
          placedTotal: order.total,
          newCustomers: first ? 1 : 0,
          returningCustomers: first ? 0 : 1,
        },
      });
      if (order.paid_at)
        moves.push({ at: order.paid_at, currency: order.currency, add: { ordersPaid: 1, net: order.total } });
      if (order.cancelled_at)
        moves.push({ at: order.cancelled_at, currency: order.currency, add: { ordersCancelled: 1 } });
    }
    for (const refund of refunds)
      moves.push({
        at: refund.created_at,
        currency: refund.currency,
        add: { refunds: refund.amount, net: -refund.amount },
      });
    return moves;
  }

  /** The report the tables say the API must answer, computed without the app's calendar or rollups. */
  async function expectedReport(
    from: string,
    to: string,
    interval: Interval,
    currency?: string,
  ): Promise<SalesReport> {
    const moves = (await movesFromTables()).filter((move) => {
      const date = localDate(move.at);
      return date >= from && date <= to && (!currency || move.currency === currency);
    });
    const periods: string[] = [];
    for (let date = from; date <= to; date = addDays(date, 1)) {
      const period = periodOf(date, interval, from);
      if (periods.at(-1) !== period) periods.push(period);
    }
    const currencies = currency ? [currency] : [...new Set(moves.map((move) => move.currency))].sort();
    type Sums = Record<string, number>;
    const empty = (): Sums => ({ placedTotal: 0, ...Object.fromEntries(MEASURES.map((m) => [m, 0])) });
    const sums = new Map<string, Sums>();
    const totals = new Map<string, Sums>(currencies.map((code) => [code, empty()]));
    for (const move of moves) {
      const key = `${periodOf(localDate(move.at), interval, from)}|${move.currency}`;
      const sum = sums.get(key) ?? empty();
      sums.set(key, sum);
      for (const [measure, value] of Object.entries(move.add)) {
        sum[measure] += value;
        totals.get(move.currency)![measure] += value;
      }
    }
    const measures = (sum: Sums): Measures => {
      const { placedTotal, ...rest } = sum;
      return {
        ...(rest as Measures),
        averageOrderValue: sum.ordersPlaced === 0 ? 0 : Math.round(placedTotal / sum.ordersPlaced),
      };
    };
    return {
      timeZone: ZONE,
      interval,
      from,
      to,
      data: periods.flatMap((period) =>
        currencies.map((code) => ({
          period,
          currency: code,
          ...measures(sums.get(`${period}|${code}`) ?? empty()),
        })),
      ),
      totals: currencies.map((code) => ({ currency: code, ...measures(totals.get(code)!) })),
    };
  }

  const csvOf = (rows: ReportRow[]): Array<Record<string, string>> =>
    rows.map((row) =>
      Object.fromEntries(
        ['period', 'currency', ...MEASURES].map((field) => [
          field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`),
          String(row[field as keyof ReportRow]),
        ]),
      ),
    );

  async function expectDailyEqualsHourly(): Promise<void> {
    // Both rollups per (Berlin day, currency): sales_daily as stored, sales_hourly summed by Intl's Berlin date.
    const { daily, hourly } = await dailyAndHourlySums(db, ZONE);
    expect(Object.keys(hourly).length).toBeGreaterThan(0);
    expect(daily).toEqual(hourly);
  }

  const dailyBuiltFor = async (): Promise<string | null> =>
    (await db.query<Array<{ time_zone: string | null }>>('SELECT time_zone FROM sales_daily_state'))[0]
      .time_zone;

  /** The ranges and intervals every check below goes through. */
  const QUERIES: Array<{ from: string; to: string; interval: Interval; currency?: string }> = [
    ...(['day', 'week', 'month'] as const).map((interval) => ({
      from: '2026-03-27',
      to: '2026-11-03',
      interval,
    })),
    ...(['day', 'week', 'month'] as const).map((interval) => ({
      from: '2026-10-22',
      to: '2026-10-26',
      interval,
    })),
    { from: '2026-09-28', to: '2026-11-08', interval: 'week', currency: 'USD' },
    { from: '2026-03-29', to: '2026-03-30', interval: 'day', currency: 'EUR' },
  ];
  const pathOf = (query: (typeof QUERIES)[number], csv = false) =>
    `/v1/admin/reports/sales${csv ? '.csv' : ''}?from=${query.from}&to=${query.to}&interval=${query.interval}` +
    (query.currency ? `&currency=${query.currency}` : '');

  it(`${ALL_HISTORIES.length} order histories, their events through the worker, the lost ones reconciled`, async () => {
    for (const history of ALL_HISTORIES) delivered.push(...(await insertHistory(db, history)));
    await deliverEvents(worker, delivered);
    const report = await worker
      .get(SalesReconciliationService)
      .reconcile({ now: RECONCILE_NOW, days: RECONCILE_DAYS });
    expect(report.bucketsCorrected).toBe(2); // the history whose events were lost
    expect(ALL_HISTORIES.length).toBeGreaterThanOrEqual(20);
  }, 60_000);

  it('sales_daily is built for the store zone and equals the hourly buckets summed per Berlin day', async () => {
    expect(await dailyBuiltFor()).toBe(ZONE);
    await expectDailyEqualsHourly();
  });

  it('JSON: every interval and range equals the independent calculation to the minor unit', async () => {
    for (const query of QUERIES) {
      const response = await get(pathOf(query));
      expect([pathOf(query), response.status]).toEqual([pathOf(query), 200]);
      expect(response.body).toEqual(
        await expectedReport(query.from, query.to, query.interval, query.currency),
      );
    }
    // What the histories are there for: DST days, clipped periods, both kinds of customers, both currencies.
    const days = await get(pathOf(QUERIES[0]));
    const day = (period: string, currency = 'EUR') =>
      days.body.data.find((row) => row.period === period && row.currency === currency)!;
    expect(days.body.data).toHaveLength(222 * 2);
    expect(day('2026-03-29')).toEqual(expect.objectContaining({ ordersPlaced: 2, newCustomers: 1 }));
    expect(day('2026-03-30', 'USD')).toEqual(expect.objectContaining({ ordersPlaced: 1, ordersPaid: 1 }));
    // The 25-hour day: three EUR orders, two USD (one placed a second before local midnight UTC+2).
    expect([day('2026-10-25').ordersPlaced, day('2026-10-25', 'USD').ordersPlaced]).toEqual([3, 2]);
    expect(day('2026-10-01')).toEqual(expect.objectContaining({ ordersPlaced: 0, ordersPaid: 1 }));
    expect(day('2026-11-02')).toEqual(expect.objectContaining({ newCustomers: 1, returningCustomers: 1 }));
    const months = await get(pathOf(QUERIES[2]));
    expect([...new Set(months.body.data.map((row) => row.period))]).toEqual([
      '2026-03-27',
      '2026-04-01',
      '2026-05-01',
      '2026-06-01',
      '2026-07-01',
      '2026-08-01',
      '2026-09-01',
      '2026-10-01',
      '2026-11-01',
    ]);
    const totalsByInterval = await Promise.all(
      QUERIES.slice(0, 3).map(async (q) => (await get(pathOf(q))).body.totals),
    );
    expect(totalsByInterval[1]).toEqual(totalsByInterval[0]);
    expect(totalsByInterval[2]).toEqual(totalsByInterval[0]);
    const eur = totalsByInterval[0].find((total) => total.currency === 'EUR')!;
    expect(eur.returningCustomers).toBeGreaterThanOrEqual(5);
  }, 60_000);

  it('CSV: sales.csv and the JSON path with Accept: text/csv hold the same rows and numbers', async () => {
    for (const query of QUERIES) {
      const expected = csvOf(
        (await expectedReport(query.from, query.to, query.interval, query.currency)).data,
      );
      for (const [path, accept] of [
        [pathOf(query, true), undefined],
        [pathOf(query), 'text/csv'],
      ] as const) {
        const response = await get<undefined>(path, { accept });
        expect([path, response.status, response.headers.get('content-type')]).toEqual([
          path,
          200,
          'text/csv; charset=utf-8',
        ]);
        expect(response.headers.get('content-disposition')).toBe('attachment; filename="sales.csv"');
        expect(response.text.split('\n')[0]).toBe(
          'period,currency,orders_placed,orders_paid,orders_cancelled,units,gross,discounts,shipping,tax,' +
            'refunds,net,average_order_value,new_customers,returning_customers',
        );
        expect(parse(response.text, { columns: true })).toEqual(expected);
      }
    }
    // The JSON path says its answer depends on Accept; a browser's Accept gets JSON.
    const json = await get(pathOf(QUERIES[0]), {
      accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    });
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(json.headers.get('vary')).toMatch(/accept/i);
  }, 60_000);

  it('replaying every event twice more changes no report', async () => {
    const reports = async () =>
      Promise.all(
        QUERIES.map(async (query) => [
          (await get(pathOf(query))).body,
          (await get(pathOf(query, true))).text,
        ]),
      );
    const before = await reports();
    await replayEvents(worker, delivered);
    expect(await reports()).toEqual(before);
  }, 90_000);

  it('after the replays sales_daily still equals the hourly buckets per Berlin day', async () => {
    await expectDailyEqualsHourly();
  });

  it('the report reads sales_daily: a drifted day shows in it, the reconciliation repairs and counts it', async () => {
    const query = QUERIES[0];
    const before = (await get(pathOf(query))).body;
    expect(before).toEqual(await expectedReport(query.from, query.to, query.interval));
    await db.query(
      "UPDATE sales_daily SET gross = gross + 7 WHERE local_date = '2026-03-29' AND currency = 'EUR'",
    );
    const drifted = (await get(pathOf(query))).body;
    const row = (report: SalesReport) =>
      report.data.find((each) => each.period === '2026-03-29' && each.currency === 'EUR')!;
    expect(row(drifted).gross).toBe(row(before).gross + 7);
    const report = await worker
      .get(SalesReconciliationService)
      .reconcile({ now: RECONCILE_NOW, days: RECONCILE_DAYS });
    expect(report.bucketsCorrected).toBe(0);
    expect(report.daily.daysCorrected).toBe(1);
    expect(report.daily.corrections).toEqual([
      { localDate: '2026-03-29', currency: 'EUR', diff: { gross: -7 } },
    ]);
    expect((await get(pathOf(query))).body).toEqual(before);
    await expectDailyEqualsHourly();
  }, 60_000);

  it('reads only the rollups; the reconciliation brings them (new and returning customers too) back to the orders', async () => {
    const query = QUERIES[0];
    const before = (await get(pathOf(query))).body;
    // An order edited by hand (no event): the reports do not see it, they never read the orders.
    await db.query(
      "UPDATE orders SET total = total + 1000, email = 'someone-new@example.test' WHERE email = ?",
      ['ada@example.test'],
    );
    expect((await get(pathOf(query))).body).toEqual(before);
    // The rollups' customer counts lost: the reports show it, and the reconciliation recomputes them.
    await db.query('UPDATE sales_hourly SET new_customers = 0, returning_customers = 0');
    await db.query('UPDATE sales_daily SET new_customers = 0, returning_customers = 0');
    expect((await get(pathOf(query))).body).not.toEqual(before);
    const reconciliation = worker.get(SalesReconciliationService);
    await reconciliation.reconcile({ now: RECONCILE_NOW, days: RECONCILE_DAYS });
    for (const each of QUERIES)
      expect((await get(pathOf(each))).body).toEqual(
        await expectedReport(each.from, each.to, each.interval, each.currency),
      );
    expect((await get(pathOf(query))).body).not.toEqual(before); // the hand edit is counted now
    await db.query("UPDATE orders SET total = total - 1000, email = 'ada@example.test' WHERE email = ?", [
      'someone-new@example.test',
    ]);
    await reconciliation.reconcile({ now: RECONCILE_NOW, days: RECONCILE_DAYS });
    expect((await get(pathOf(query))).body).toEqual(before);
    await expectDailyEqualsHourly();
  }, 60_000);

  it('a range without activity: no rows, or zero rows for the currency asked for', async () => {
    const nothing = await get('/v1/admin/reports/sales?from=2025-01-01&to=2025-01-31&interval=week');
    expect(nothing.body).toEqual({
      timeZone: ZONE,
      interval: 'week',
      from: '2025-01-01',
      to: '2025-01-31',
      data: [],
      totals: [],
    });
    const zeros = await get('/v1/admin/reports/sales?from=2025-01-01&to=2025-01-03&currency=EUR');
    expect(zeros.body.interval).toBe('day');
    expect(zeros.body.data.map((row) => [row.period, row.ordersPlaced, row.net])).toEqual([
      ['2025-01-01', 0, 0],
      ['2025-01-02', 0, 0],
      ['2025-01-03', 0, 0],
    ]);
    const empty = await get<undefined>('/v1/admin/reports/sales.csv?from=2025-01-01&to=2025-01-31');
    expect(empty.text.trim().split('\n')).toHaveLength(1); // the header row only
  });

  it('staff may read it; a customer gets 403, no token 401 (JSON and CSV)', async () => {
    for (const path of ['/v1/admin/reports/sales', '/v1/admin/reports/sales.csv']) {
      const query = `${path}?from=2026-10-01&to=2026-10-31`;
      expect((await get(query)).status).toBe(200);
      expectProblem(await get(query, { token: customerToken }), 403);
      expectProblem(await get(query, { token: null }), 401);
      expectProblem(await get(query, { token: customerToken, accept: 'text/csv' }), 403);
    }
  });

  it.each([
    ['from after to', 'from=2026-10-02&to=2026-10-01', 'to'],
    ['367 days by day', 'from=2026-01-01&to=2027-01-02&interval=day', 'to'],
    ['more than 1,830 days by week', 'from=2020-01-01&to=2025-01-05&interval=week', 'to'],
    ['more than 3,660 days by month', 'from=2010-01-01&to=2020-12-31&interval=month', 'to'],
    ['an unknown interval', 'from=2026-10-01&to=2026-10-31&interval=year', 'interval'],
    ['a currency that is not ISO 4217', 'from=2026-10-01&to=2026-10-31&currency=EURO', 'currency'],
    ['a currency code that does not exist', 'from=2026-10-01&to=2026-10-31&currency=ABC', 'currency'],
    ['a currency in lower case', 'from=2026-10-01&to=2026-10-31&currency=eur', 'currency'],
    ['an impossible date', 'from=2026-02-30&to=2026-03-01', 'from'],
    ['a date-time instead of a date', 'from=2026-10-01T00:00:00Z&to=2026-10-31', 'from'],
    ['a year before 1970', 'from=1969-12-31&to=1970-01-01', 'from'],
    ['no from', 'to=2026-10-31', 'from'],
    ['an unknown parameter', 'from=2026-10-01&to=2026-10-31&store=1', 'store'],
  ])('400 with field errors: %s', async (_case, query, field) => {
    for (const path of ['/v1/admin/reports/sales', '/v1/admin/reports/sales.csv']) {
      const response = await get<{ errors: Array<{ field: string; messages: string[] }> }>(
        `${path}?${query}`,
        {
          accept: 'text/csv',
        },
      );
      expectProblem(response, 400);
      expect(response.body.errors.map((error) => error.field)).toContain(field);
    }
  });

  it('allows the longest ranges: 366 days by day, 1,830 by week, 3,660 by month', async () => {
    expect((await get('/v1/admin/reports/sales?from=2028-01-01&to=2028-12-31&interval=day')).status).toBe(
      200,
    );
    expect((await get('/v1/admin/reports/sales?from=2020-01-01&to=2025-01-03&interval=week')).status).toBe(
      200,
    );
    const months = await get(
      '/v1/admin/reports/sales?from=2016-11-04&to=2026-11-03&interval=month&currency=EUR',
    );
    expect(months.status).toBe(200);
    expect(months.body.data).toHaveLength(121);
    expect(months.body.totals[0].ordersPlaced).toBe(ALL_HISTORIES.filter((h) => h.currency === 'EUR').length);
  });

  it('built for another zone: the report sums the hourly buckets; the worker rebuilds it and reads it again', async () => {
    const expectAllExpected = async () => {
      for (const query of QUERIES)
        expect((await get(pathOf(query))).body).toEqual(
          await expectedReport(query.from, query.to, query.interval, query.currency),
        );
    };
    // Built for New York (a STORE_TIME_ZONE change), its rows garbage: nothing of it may reach the report.
    await db.query("UPDATE sales_daily_state SET time_zone = 'America/New_York'");
    await db.query('UPDATE sales_daily SET gross = gross + 1000, orders_placed = orders_placed + 1');
    await expectAllExpected();
    // Events counted meanwhile leave sales_daily alone (the rebuild counts them).
    const handler = worker.get<DomainEventHandler>(SALES_ROLLUP_HANDLER);
    for (const event of delivered) await handler.handle(event);
    await expectAllExpected();
    // The worker's build job (added at its start) rebuilds it from sales_hourly and marks it.
    const analytics = worker.get<Queue>(getQueueToken(ANALYTICS_QUEUE));
    await (await analytics.getJob(AnalyticsJobs.buildDaily))?.remove();
    await analytics.add(AnalyticsJobs.buildDaily, {}, { jobId: AnalyticsJobs.buildDaily });
    // (Not "queue settled": the analytics queue always holds the nightly repeatable job, delayed.)
    await waitFor(async () => (await dailyBuiltFor()) === ZONE, 30_000, 'the worker to rebuild sales_daily');
    await expectDailyEqualsHourly();
    await expectAllExpected();
    // The daily path is the one read again: a drifted day shows.
    await db.query(
      "UPDATE sales_daily SET net = net + 5 WHERE local_date = '2026-03-30' AND currency = 'USD'",
    );
    const drifted = (await get(pathOf(QUERIES[0]))).body;
    expect(drifted.totals.find((total) => total.currency === 'USD')!.net).toBe(
      (await expectedReport(QUERIES[0].from, QUERIES[0].to, 'day')).totals.find((t) => t.currency === 'USD')!
        .net + 5,
    );
  }, 90_000);

  it('never built (a new install over existing hourly rollups): hourly until the reconciliation builds it', async () => {
    await db.query('UPDATE sales_daily_state SET time_zone = NULL');
    await db.query('DELETE FROM sales_daily');
    for (const query of QUERIES)
      expect((await get(pathOf(query))).body).toEqual(
        await expectedReport(query.from, query.to, query.interval, query.currency),
      );
    const report = await worker.get(SalesReconciliationService).reconcile({ now: RECONCILE_NOW, days: 7 });
    expect(report.daily.rebuilt?.rows).toBeGreaterThan(0);
    expect(await dailyBuiltFor()).toBe(ZONE);
    await expectDailyEqualsHourly();
    for (const query of QUERIES)
      expect((await get(pathOf(query))).body).toEqual(
        await expectedReport(query.from, query.to, query.interval, query.currency),
      );
  }, 60_000);
});
