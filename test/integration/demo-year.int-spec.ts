import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { openSeedDataSource } from '../../scripts/seed-catalog';
import { seedDemo } from '../../scripts/seed-demo';
import { DEMO_YEAR_SEEDED, seedDemoYear } from '../../scripts/seed-demo-year';
import { DEMO_ACCOUNTS } from '../../scripts/seed/demo-shop';
import { SalesReconciliationService } from '../../src/modules/analytics/sales-reconciliation.service';
import { AuthClient } from '../support/auth-client';
import {
  dailyAndHourlySums,
  expectedHourlyFromOrders,
  storedHourlyRollups,
} from '../support/independent-rollups';
import { TestApi, TestEnvironment } from '../support/test-environment';

/** The clock of the test: the demo year runs from 2025-12-08 to the hour before this one. */
const NOW = new Date('2026-12-07T14:20:00Z');
const OPTIONS = { seed: 7, days: 365, ordersPerDay: 4, now: NOW };

/**
 * `npm run seed -- --demo-year` on real MariaDB: a small deterministic year written into the real
 * tables, counted into the sales rollups by the app's reconciliation — which must equal a sum made
 * here independently from the orders and refunds — seasonal, with cancellations and refunds, once.
 */
describe('npm run seed -- --demo-year (real MySQL)', () => {
  let env: TestEnvironment;
  let db: DataSource;
  let api: TestApi;

  beforeAll(async () => {
    env = await TestEnvironment.create({ analytics: { storeTimeZone: 'Europe/Berlin' } });
    db = await openSeedDataSource(env.config.database);
    await seedDemo(env.config, { products: 60, seed: 7 });
  }, 120_000);
  afterAll(async () => {
    if (db?.isInitialized) await db.destroy();
    await env?.cleanup();
  });

  /** Independently, in SQL from the orders and refunds (test/support/independent-rollups.ts). */
  const expectedFromOrders = () => expectedHourlyFromOrders(db);
  const storedRollups = () => storedHourlyRollups(db);

  /** A fingerprint of everything the year writes: a second run must leave it as it is. */
  async function fingerprint(): Promise<Record<string, string>> {
    const tables: Array<[string, string]> = [
      ['orders', 'id'],
      ['order_lines', 'id'],
      ['order_history', 'id'],
      ['payments', 'id'],
      ['payment_refunds', 'id'],
      ['fulfilments', 'id'],
      ['carts', 'id'],
      ['users', 'id'],
      ['outbox', 'id'],
      ['sales_hourly', 'bucket_start, currency'],
      ['product_sales_hourly', 'bucket_start, currency, variant_id'],
    ];
    const sums: Record<string, string> = {};
    for (const [table, orderBy] of tables) {
      const rows = await db.query<Array<Record<string, unknown>>>(
        `SELECT * FROM \`${table}\` ORDER BY ${orderBy}`,
      );
      // updated_at of a bucket moves when it is rewritten; the values are what matters.
      const values = rows.map(({ updated_at: _updated, ...rest }) => rest);
      sums[table] = `${rows.length}:${createHash('sha256').update(JSON.stringify(values)).digest('hex')}`;
    }
    return sums;
  }

  const monthTotal = async (month: string): Promise<number> => {
    const [row] = await db.query<Array<{ placed: string | null }>>(
      `SELECT SUM(orders_placed) AS placed FROM sales_hourly WHERE DATE_FORMAT(bucket_start, '%Y-%m') = ?`,
      [month],
    );
    return Number(row.placed ?? 0);
  };

  it('writes a year of orders whose rollups equal an independent sum of the orders, with seasons, cancellations and refunds', async () => {
    const outboxBefore = await db.query<Array<{ n: string }>>('SELECT COUNT(*) AS n FROM outbox');
    const result = await seedDemoYear(env.config, OPTIONS);
    expect(result.seeded).toBe(true);
    expect(result.from.toISOString()).toBe('2025-12-07T23:00:00.000Z'); // 2025-12-08 00:00 in Berlin
    expect(result.to.toISOString()).toBe('2026-12-07T13:00:00.000Z');
    expect(result.counts!.orders).toBeGreaterThan(1_200);

    const [span] = await db.query<Array<{ first: Date; last: Date; n: string }>>(
      'SELECT MIN(created_at) AS first, MAX(created_at) AS last, COUNT(*) AS n FROM orders',
    );
    expect(Number(span.n)).toBe(result.counts!.orders);
    expect(span.first.getTime()).toBeGreaterThanOrEqual(result.from.getTime());
    expect(span.last.getTime()).toBeLessThan(result.to.getTime());

    // Reports equal orders: every bucket, every measure.
    const expected = await expectedFromOrders();
    expect(expected.size).toBeGreaterThan(500);
    expect(await storedRollups()).toEqual(expected);

    // Seasons: December (24 days of it) sells more than all of February; the summer dips.
    const [december, february, july, november] = await Promise.all(
      ['2025-12', '2026-02', '2026-07', '2026-11'].map(monthTotal),
    );
    expect(december).toBeGreaterThan(february * 1.3);
    expect(november).toBeGreaterThan(july * 1.5);

    // Cancellations (about 5 %) and refunds (about 3 %, most partial) are there, in orders and rollups.
    const [statuses] = await db.query<Array<Record<string, string>>>(
      `SELECT SUM(status = 'cancelled') AS cancelled, SUM(status = 'partially_refunded') AS partial,
              SUM(status = 'refunded') AS refunded, SUM(status = 'delivered') AS delivered, COUNT(*) AS n
       FROM orders`,
    );
    const share = (count: string) => Number(count) / Number(statuses.n);
    expect(share(statuses.cancelled)).toBeGreaterThan(0.03);
    expect(share(statuses.cancelled)).toBeLessThan(0.08);
    expect(share(statuses.partial)).toBeGreaterThan(0.01);
    expect(Number(statuses.partial)).toBeGreaterThan(Number(statuses.refunded));
    expect(share(statuses.delivered)).toBeGreaterThan(0.8);
    const [sums] = await db.query<Array<Record<string, string>>>(
      'SELECT SUM(orders_cancelled) AS cancelled, SUM(refunds) AS refunds, SUM(discounts) AS discounts FROM sales_hourly',
    );
    expect(Number(sums.cancelled)).toBe(Number(statuses.cancelled));
    expect(Number(sums.refunds)).toBeGreaterThan(0);
    expect(Number(sums.discounts)).toBeGreaterThan(0);

    // Returning customers and guests: some accounts and some guest emails order more than once.
    const [customers] = await db.query<Array<Record<string, string>>>(
      `SELECT (SELECT COUNT(*) FROM (SELECT customer_id FROM orders WHERE customer_id IS NOT NULL
                GROUP BY customer_id HAVING COUNT(*) > 1) AS a) AS returning_accounts,
              (SELECT COUNT(*) FROM (SELECT email FROM orders WHERE customer_id IS NULL
                GROUP BY email HAVING COUNT(*) > 1) AS g) AS returning_guests,
              (SELECT COUNT(*) FROM orders WHERE customer_id IS NULL) AS guest_orders`,
    );
    expect(Number(customers.returning_accounts)).toBeGreaterThan(20);
    expect(Number(customers.returning_guests)).toBeGreaterThan(0);
    expect(Number(customers.guest_orders)).toBeGreaterThan(0);

    // History, not news: no outbox row (no webhook, mail or rollup event) for any of it.
    const outboxAfter = await db.query<Array<{ n: string }>>('SELECT COUNT(*) AS n FROM outbox');
    expect(outboxAfter[0].n).toBe(outboxBefore[0].n);
  }, 120_000);

  it('the admin order views show a demo order as a real one: lines, history, payment and refund', async () => {
    api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    try {
      const client = new AuthClient(api.baseUrl);
      const admin = DEMO_ACCOUNTS.find((account) => account.role === 'admin')!;
      const login = await client.login(admin.email, admin.password);
      expect(login.status).toBe(200);
      const [refunded] = await db.query<Array<{ id: string; number: string }>>(
        "SELECT id, number FROM orders WHERE status = 'partially_refunded' ORDER BY created_at LIMIT 1",
      );
      const order = await client.get<Record<string, unknown>>(
        `/v1/admin/orders/${refunded.id}`,
        login.body.accessToken,
      );
      expect(order.status).toBe(200);
      expect(order.body).toMatchObject({
        id: refunded.id,
        number: refunded.number,
        status: 'partially_refunded',
      });
      const history = (order.body.history as Array<{ to: string }>).map((entry) => entry.to);
      expect(history).toEqual([
        'pending_payment',
        'paid',
        'fulfilled',
        'shipped',
        'delivered',
        'partially_refunded',
      ]);
      // And the sales report over the year says what the orders say.
      const report = await client.get<{
        data: Array<{ period: string; ordersPlaced: number }>;
        totals: Array<{ currency: string; ordersPlaced: number; refunds: number }>;
      }>('/v1/admin/reports/sales?from=2025-12-08&to=2026-12-07&interval=month', login.body.accessToken);
      expect(report.status).toBe(200);
      const [{ n, refunds }] = await db.query<Array<{ n: string; refunds: string }>>(
        `SELECT (SELECT COUNT(*) FROM orders) AS n,
                (SELECT SUM(amount) FROM payment_refunds WHERE state = 'succeeded') AS refunds`,
      );
      expect(report.body.totals).toEqual([
        expect.objectContaining({ currency: 'EUR', ordersPlaced: Number(n), refunds: Number(refunds) }),
      ]);
      const month = (period: string) => report.body.data.find((row) => row.period === period)!.ordersPlaced;
      expect(month('2025-12-08')).toBeGreaterThan(month('2026-02-01'));
      const list = await client.get<{ data: unknown[] }>('/v1/admin/orders?limit=5', login.body.accessToken);
      expect(list.status).toBe(200);
      expect(list.body.data).toHaveLength(5);
    } finally {
      await api.close();
    }
  }, 60_000);

  it('a second run adds nothing and its reconciliation corrects nothing; neither does a nightly one', async () => {
    const before = await fingerprint();
    const again = await seedDemoYear(env.config, { ...OPTIONS, now: new Date(NOW.getTime() + 3_600_000) });
    expect(again.seeded).toBe(false);
    expect(again.reason).toMatch(/the demo year is there already/);
    expect(again.reconcile.bucketsCorrected).toBe(0);
    expect(again.reconcile.productBucketsChecked).toBeGreaterThan(1_000);
    expect(again.reconcile.productBucketsCorrected).toBe(0);
    expect(await fingerprint()).toEqual(before);
    const [markers] = await db.query<Array<{ n: string }>>(
      "SELECT COUNT(*) AS n FROM audit_log WHERE actor_type = 'system' AND action = ?",
      [DEMO_YEAR_SEEDED],
    );
    expect(Number(markers.n)).toBe(1);

    // The nightly reconciliation of the app, a day later: the year's buckets are right as they are.
    const worker = await env.startWorker();
    try {
      const report = await worker
        .get(SalesReconciliationService)
        .reconcile({ days: 30, now: new Date(NOW.getTime() + 24 * 3_600_000) });
      expect(report.bucketsChecked).toBeGreaterThan(0);
      expect(report.bucketsCorrected).toBe(0);
      expect(report.products.bucketsCorrected).toBe(0);
    } finally {
      await env.closeApp(worker);
    }
    expect(await fingerprint()).toEqual(before);
  }, 120_000);

  it('ends with sales_daily built for the store zone: the hourly buckets summed per Berlin day', async () => {
    const [{ time_zone }] = await db.query<Array<{ time_zone: string | null }>>(
      'SELECT time_zone FROM sales_daily_state',
    );
    expect(time_zone).toBe('Europe/Berlin');
    const columns = ['orders_placed', 'orders_paid', 'orders_cancelled', 'gross', 'net', 'new_customers'];
    const { daily, hourly } = await dailyAndHourlySums(db, 'Europe/Berlin', columns);
    expect(Object.keys(daily).length).toBeGreaterThan(300);
    expect(daily).toEqual(hourly);
  });

  it('is deterministic: the same seed and clock give the same year', async () => {
    const { generateDemoYear } = await import('../../scripts/seed/demo-year');
    const input = {
      seed: 7,
      now: NOW,
      days: 40,
      ordersPerDay: 5,
      timeZone: 'Europe/Berlin',
      currency: 'EUR',
      priceMode: 'tax_inclusive' as const,
      orderNumberPrefix: 'SK-',
      firstNumberId: 1,
      reservationTtlSeconds: 1800,
      bankTransferHoldDays: 7,
      bankTransferReminderHours: 48,
      variants: [
        { id: 'v1', productId: 'p1', sku: 'A', productTitle: 'A', variantTitle: 'a', price: 1999 },
        { id: 'v2', productId: 'p2', sku: 'B', productTitle: 'B', variantTitle: 'b', price: 4500 },
      ],
      zones: [{ countries: ['DE'], methods: [{ id: 'm1', name: 'Standard', rate: 490, freeOver: null }] }],
      taxRates: [{ country: 'DE', region: '', rateBp: 1900 }],
      promotions: [],
      staffActor: 'user:admin',
      demoCustomer: null,
      passwordHash: 'x',
    };
    expect(JSON.stringify(generateDemoYear(input))).toBe(JSON.stringify(generateDemoYear(input)));
    expect(JSON.stringify(generateDemoYear({ ...input, seed: 8 }))).not.toBe(
      JSON.stringify(generateDemoYear(input)),
    );
  });
});
