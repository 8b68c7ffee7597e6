import { checkedFetch } from '@app/testing';
import { getQueueToken } from '@nestjs/bull';
import type { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bull';
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
import { EVENTS_QUEUE } from '../../src/modules/notifications/jobs/events.jobs';
import { AuthClient, createUser } from '../support/auth-client';
import {
  dailyAndHourlySums,
  expectedHourlyFromOrders,
  ROLLUP_AMOUNT_COLUMNS,
  ROLLUP_COUNT_COLUMNS,
  storedHourlyRollups,
  type RollupRow,
} from '../support/independent-rollups';
import { orderPaidThenPartlyRefunded } from '../support/payments-shop';
import {
  deliverEvents,
  HISTORIES,
  insertHistory,
  replayEvents,
  startSalesEnvironment,
} from '../support/sales-histories';
import { ShopAdmin, ShopClient } from '../support/shop-client';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { waitFor, waitForQueuesToSettle } from '../support/wait-for';

/** The window the reconciliation covers in this test: all of the histories above. */
const RECONCILE_NOW = new Date('2026-10-31T00:00:00Z');
const RECONCILE_DAYS = 14;

type Row = RollupRow;

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
    ({ env, api, worker, db } = await startSalesEnvironment({
      timeZone: 'Europe/Berlin',
      sandboxPayments: true,
    }));
    events = worker.get<Queue>(getQueueToken(EVENTS_QUEUE));
  }, 60_000);
  afterAll(async () => {
    await env?.cleanup();
  });

  /** Independently, in SQL from the orders and refunds (test/support/independent-rollups.ts). */
  const expectedFromOrders = () => expectedHourlyFromOrders(db);
  const storedRollups = () => storedHourlyRollups(db);

  it('the events processor hands every domain event to the sales rollups', () => {
    const handlers = worker.get<readonly DomainEventHandler[]>(DOMAIN_EVENT_HANDLERS);
    expect(handlers).toContain(worker.get(SALES_ROLLUP_HANDLER));
  });

  it(`${HISTORIES.length} order histories, their events through the worker: rollups equal the orders to the minor unit`, async () => {
    for (const history of HISTORIES) delivered.push(...(await insertHistory(db, history)));
    // Through the real queue and EventsProcessor: the job id is the event id, as the outbox relay does it.
    await deliverEvents(worker, delivered);

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
    // Twice more to the handler, and once more through the queue and the processor, as Bull
    // redelivers it: a new job, the same id (each job completed before).
    await replayEvents(worker, delivered, async (done) => expect(await done?.getState()).toBe('completed'));
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
      `UPDATE sales_hourly SET gross = gross + 123, orders_paid = orders_paid + 1,
         new_customers = new_customers + 1, returning_customers = returning_customers - 1
       WHERE bucket_start = '2026-10-25 00:00:00' AND currency = 'EUR'`,
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
    const lostAmount = ROLLUP_AMOUNT_COLUMNS.reduce(
      (sum, column) => sum + Math.abs(Number(lostBucket[column])),
      0,
    );
    const lostCount = ROLLUP_COUNT_COLUMNS.reduce((sum, column) => sum + Number(lostBucket[column]), 0);
    expect(report.amountCorrected).toBe(123 + lostAmount + 100);
    expect(report.countCorrected).toBe(3 + lostCount);
    expect(report.corrections).toEqual(
      expect.arrayContaining([
        {
          bucketStart: '2026-10-25T00:00:00.000Z',
          currency: 'EUR',
          diff: { gross: -123, ordersPaid: -1, newCustomers: -1, returningCustomers: 1 },
        },
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
    const order = await orderPaidThenPartlyRefunded(admin, shop, variantId, {
      units: 3,
      refund: 1000,
      reason: 'damaged',
    });
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

  it('the API order reached sales_daily too, in the same transactions (its hour was never reconciled)', async () => {
    const [{ time_zone }] = await db.query<Array<{ time_zone: string | null }>>(
      'SELECT time_zone FROM sales_daily_state',
    );
    expect(time_zone).toBe('Europe/Berlin');
    const columns = ['orders_placed', 'orders_paid', 'units', 'placed_total', 'paid_total', 'refunds', 'net'];
    const { daily, hourly } = await dailyAndHourlySums(db, 'Europe/Berlin', columns);
    expect(daily).toEqual(hourly);
    // (The API order's hour is the newest bucket: nothing but the event counting put it in sales_daily.)
  });

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
