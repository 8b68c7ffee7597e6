import type { DataSource } from 'typeorm';
import { LATE_PAYMENT_REFUNDER } from '../../src/modules/payments/settlement/refunds.service';

/*
 * The sales rollups as the tests check them: what the rollup tables hold, and what they must hold
 * worked out again here, independently, straight from the orders and refunds tables in SQL (no app
 * code but the name the late-payment refunds are requested by).
 */

/** The order and unit counts among the rollup tables' measures. */
export const ROLLUP_COUNT_COLUMNS = ['orders_placed', 'orders_paid', 'orders_cancelled', 'units'] as const;
/** The amounts (minor units) among the rollup tables' measures. */
export const ROLLUP_AMOUNT_COLUMNS = [
  'gross',
  'discounts',
  'shipping',
  'tax',
  'placed_total',
  'paid_total',
  'refunds',
  'net',
] as const;
/** The rollup tables' measure columns (sales_hourly and sales_daily have the same). */
export const ROLLUP_COLUMNS = [
  ...ROLLUP_COUNT_COLUMNS,
  ...ROLLUP_AMOUNT_COLUMNS,
  'new_customers',
  'returning_customers',
] as const;

export type RollupRow = Record<string, string | number>;

/** Rows keyed `<UTC hour>|<currency>`, each with every measure as a number. */
function byBucket(rows: RollupRow[]): Map<string, RollupRow> {
  return new Map(
    rows.map((row) => [
      `${row.bucket}|${row.currency}`,
      Object.fromEntries(ROLLUP_COLUMNS.map((column) => [column, Number(row[column])])),
    ]),
  );
}

/** Independently: every order and succeeded refund, grouped by UTC hour and currency, in SQL. */
export async function expectedHourlyFromOrders(db: DataSource): Promise<Map<string, RollupRow>> {
  const rows = await db.query<RollupRow[]>(
    `
    SELECT DATE_FORMAT(b, '%Y-%m-%dT%H:00:00Z') AS bucket, currency,
           SUM(placed) AS orders_placed, SUM(paid) AS orders_paid, SUM(cancelled) AS orders_cancelled,
           SUM(units) AS units, SUM(gross) AS gross, SUM(discounts) AS discounts, SUM(shipping) AS shipping,
           SUM(tax) AS tax, SUM(placed_total) AS placed_total, SUM(paid_total) AS paid_total,
           SUM(refunds) AS refunds, SUM(paid_total) - SUM(refunds) AS net,
           SUM(first) AS new_customers, SUM(placed) - SUM(first) AS returning_customers
    FROM (
      SELECT o.created_at AS b, o.currency, 1 AS placed, 0 AS paid, 0 AS cancelled,
             (SELECT SUM(l.quantity) FROM order_lines l WHERE l.order_id = o.id) AS units,
             o.subtotal AS gross, o.discount AS discounts, o.shipping, o.tax, o.total AS placed_total,
             0 AS paid_total, 0 AS refunds,
             -- the customer's first order: by account, or by email among guest orders
             ROW_NUMBER() OVER (PARTITION BY COALESCE(o.customer_id, CONCAT('guest:', o.email))
                                ORDER BY o.created_at, o.id) = 1 AS first
      FROM orders o
      UNION ALL
      SELECT paid_at, currency, 0, 1, 0, 0, 0, 0, 0, 0, 0, total, 0, 0 FROM orders WHERE paid_at IS NOT NULL
      UNION ALL
      SELECT cancelled_at, currency, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 FROM orders WHERE cancelled_at IS NOT NULL
      UNION ALL
      SELECT r.created_at, p.currency, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, r.amount, 0
      FROM payment_refunds r JOIN payments p ON p.id = r.payment_id
      WHERE r.state = 'succeeded' AND r.requested_by <> ?
    ) AS moves
    GROUP BY bucket, currency`,
    [LATE_PAYMENT_REFUNDER],
  );
  return byBucket(rows);
}

/** sales_hourly as stored, keyed like expectedHourlyFromOrders. */
export async function storedHourlyRollups(db: DataSource): Promise<Map<string, RollupRow>> {
  const rows = await db.query<RollupRow[]>(
    `SELECT DATE_FORMAT(bucket_start, '%Y-%m-%dT%H:00:00Z') AS bucket, currency, ${ROLLUP_COLUMNS.join(', ')}
     FROM sales_hourly`,
  );
  // A bucket whose moves cancel out to zero is the same as no bucket.
  return byBucket(rows.filter((row) => ROLLUP_COLUMNS.some((column) => Number(row[column]) !== 0)));
}

/**
 * Both rollups per `<local date>|<currency>`, the `columns` in order: sales_daily as stored, and
 * sales_hourly summed by the hour's date in `timeZone` (Intl's, not the app's store calendar).
 */
export async function dailyAndHourlySums(
  db: DataSource,
  timeZone: string,
  columns: readonly string[] = ROLLUP_COLUMNS,
): Promise<{ daily: Record<string, number[]>; hourly: Record<string, number[]> }> {
  const localDate = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }); // en-CA: YYYY-MM-DD
  const hourly: Record<string, number[]> = {};
  for (const row of await db.query<Array<Record<string, unknown>>>(
    `SELECT bucket_start, currency, ${columns.join(', ')} FROM sales_hourly`,
  )) {
    const sums = (hourly[`${localDate.format(row.bucket_start as Date)}|${String(row.currency)}`] ??=
      columns.map(() => 0));
    columns.forEach((column, index) => (sums[index] += Number(row[column])));
  }
  const daily: Record<string, number[]> = {};
  for (const row of await db.query<Array<Record<string, unknown>>>(
    `SELECT DATE_FORMAT(local_date, '%Y-%m-%d') AS day, currency, ${columns.join(', ')} FROM sales_daily`,
  ))
    daily[`${String(row.day)}|${String(row.currency)}`] = columns.map((column) => Number(row[column]));
  return { daily, hourly };
}
