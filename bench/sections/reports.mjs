// The reports section: the sales report over a year of rollups.
//
// Seeds 1,000,000 orders' worth of hourly sales rollups straight into `sales_hourly` (a year of UTC hours ending
// today, two currencies, the volume shaped by season, weekday and hour like the demo year's orders, amounts and
// customer counts in proportion) and their sums per Berlin day into `sales_daily` (as the app's rebuild writes them,
// marked built for the zone: the report then reads ~730 daily rows), then against the real API (one process, started like every other section's):
// GET /v1/admin/reports/sales?interval=day over the year — sequential requests on an idle app, p50/p99/mean
// (budget: p99 under 100 ms), with the SQL statements per request; the same as week and month (reported only);
// and the CSV of the daily year (`sales.csv`) streamed, sequentially and 10 at a time, with the time to the last
// byte and the API's peak RSS (budget: under 300 MB over the whole section). Where the build has the per-variant
// rollup (`product_sales_hourly`), the same orders' lines are seeded into it too (a catalog of 2,000 demo products
// is seeded first when the bench database has none), and the top-products report over the year is timed (reported
// only).
import { connectToServer, db, statementMeter } from '../lib/database.mjs';
import { formatMs, formatStatements, formatTable } from '../lib/format.mjs';
import { request } from '../lib/http.mjs';
import { percentile } from '../lib/load.mjs';
import { sampleRss } from '../lib/sampling.mjs';
import { runCommand, startApp, stopChild } from '../lib/processes.mjs';
import { ROOT_DIR, serviceEnvironment } from '../lib/environment.mjs';
import { adminToken } from './shop.mjs';

export const REPORTS_GROUP = 'reports';
export const REPORTS_ID = 'reports';

export const REPORTS = {
  orders: 1_000_000,
  /** Share of the orders per currency. */
  currencies: [
    ['EUR', 0.7, 5_400],
    ['USD', 0.3, 6_300],
  ],
  days: 365,
  timeZone: 'Europe/Berlin',
  dayRequests: 300,
  otherRequests: 100,
  csvRequests: 30,
  csvConcurrency: 10,
  warmupRequests: 30,
  budgets: { dayP99Ms: 100, peakRssMb: 300 },
  /** Products of the catalog seeded for the per-variant rollup when the bench database has none. */
  catalogProducts: 2_000,
  unitsPerOrder: 1.7,
  /** A year of per-variant buckets is a heavier read: fewer requests. */
  topProductsRequests: 10,
};

const HOUR = 3_600_000;
/** The demo year's shapes (scripts/seed/demo-year.ts): month, weekday (Sun..Sat), local hour. */
const MONTH_WEIGHT = [0.85, 0.75, 0.9, 0.95, 0.95, 0.82, 0.7, 0.72, 0.95, 1.05, 1.45, 1.75];
const WEEKDAY_WEIGHT = [1.2, 1.12, 1.02, 1.0, 0.98, 0.9, 0.78];
const HOUR_WEIGHT = [
  0.5, 0.3, 0.2, 0.15, 0.15, 0.2, 0.4, 0.8, 1.1, 1.3, 1.4, 1.5, 1.7, 1.6, 1.4, 1.4, 1.5, 1.7, 2.0, 2.4, 2.6,
  2.4, 1.8, 1.0,
];

/** mulberry32: the same rollups on every run. */
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const isoDate = (ms) => new Date(ms).toISOString().slice(0, 10);

/** The local range of the report: the `days` local dates ending today (store time zone). */
export function reportRange(now = new Date()) {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: REPORTS.timeZone }).format(now);
  const [year, month, day] = today.split('-').map(Number);
  return { from: isoDate(Date.UTC(year, month - 1, day - (REPORTS.days - 1))), to: today };
}

/**
 * The buckets: every UTC hour from a day before `from` to the end of today, both currencies; the orders spread by
 * weight, each bucket's amounts from its order count (money in minor units, integers).
 */
function rollupRows(range, columns) {
  const random = seededRandom(18);
  const start = Date.parse(`${range.from}T00:00:00Z`) - 24 * HOUR;
  const end = Date.parse(`${range.to}T00:00:00Z`) + 48 * HOUR;
  const hours = [];
  for (let at = start; at < end; at += HOUR) {
    const date = new Date(at + HOUR); // roughly the store's local hour (Berlin is UTC+1/+2)
    hours.push({
      at,
      weight:
        MONTH_WEIGHT[date.getUTCMonth()] *
        WEEKDAY_WEIGHT[date.getUTCDay()] *
        HOUR_WEIGHT[date.getUTCHours()] *
        (0.8 + 0.4 * random()),
    });
  }
  const total = hours.reduce((sum, hour) => sum + hour.weight, 0);
  const rows = [];
  let orders = 0;
  for (const [currency, share, averageOrder] of REPORTS.currencies) {
    for (const hour of hours) {
      const placed = Math.floor((REPORTS.orders * share * hour.weight) / total + random());
      if (placed === 0) continue;
      orders += placed;
      const cancelled = Math.round(placed * 0.05 * random() * 2);
      const paid = Math.max(0, placed - cancelled);
      const gross = Math.round(placed * averageOrder * (0.85 + 0.3 * random()));
      const discounts = Math.round(gross * 0.04);
      const shipping = placed * 390;
      const placedTotal = gross - discounts + shipping;
      const tax = Math.round((placedTotal * 19) / 119);
      const paidTotal = Math.round((placedTotal * paid) / placed);
      const refunds = Math.round(paidTotal * 0.025 * random() * 2);
      const newCustomers = Math.round(placed * 0.35);
      const values = {
        bucket_start: new Date(hour.at),
        currency,
        orders_placed: placed,
        orders_paid: paid,
        orders_cancelled: cancelled,
        units: Math.round(placed * 1.7),
        gross,
        discounts,
        shipping,
        tax,
        placed_total: placedTotal,
        paid_total: paidTotal,
        refunds,
        net: paidTotal - refunds,
        new_customers: newCustomers,
        returning_customers: placed - newCustomers,
      };
      rows.push(columns.map((column) => values[column] ?? 0));
    }
  }
  return { rows, orders };
}

/** Replaces whatever the bench database's sales_hourly holds with the year's rollups. */
async function seedRollups(range) {
  const connection = await connectToServer();
  try {
    const [described] = await connection.query(
      `SELECT column_name AS name FROM information_schema.columns
       WHERE table_schema = ? AND table_name = 'sales_hourly' AND column_name <> 'updated_at'
       ORDER BY ordinal_position`,
      [db.replaceAll('`', '')],
    );
    const columns = described.map((row) => row.name);
    const started = Date.now();
    const { rows, orders } = rollupRows(range, columns);
    await connection.query(`DELETE FROM ${db}.sales_hourly`);
    for (let index = 0; index < rows.length; index += 2_000)
      await connection.query(
        `INSERT INTO ${db}.sales_hourly (${columns.map((column) => `\`${column}\``).join(', ')}) VALUES ?`,
        [rows.slice(index, index + 2_000)],
      );
    const days = await seedDailyRollups(connection, rows, columns);
    return { buckets: rows.length, days, orders, columns, rows, seconds: (Date.now() - started) / 1000 };
  } finally {
    await connection.end();
  }
}

/**
 * The daily rollup as the app keeps it (src/modules/analytics/sales-daily.service.ts): the hourly buckets summed per
 * local date (of the store's zone) of their start, and the marker saying which zone it was built for — so the report
 * reads `sales_daily` as it would after the worker's rebuild. Skipped on builds without it. Returns the rows written.
 */
async function seedDailyRollups(connection, rows, columns) {
  if (!(await tableExists(connection, 'sales_daily'))) return 0;
  const localDate = new Intl.DateTimeFormat('en-CA', { timeZone: REPORTS.timeZone });
  const at = columns.indexOf('bucket_start');
  const currencyAt = columns.indexOf('currency');
  const measures = columns.filter((column) => column !== 'bucket_start' && column !== 'currency');
  const days = new Map();
  for (const row of rows) {
    const date = localDate.format(row[at]);
    const key = `${date}|${row[currencyAt]}`;
    let sums = days.get(key);
    if (!sums) days.set(key, (sums = { date, currency: row[currencyAt], values: measures.map(() => 0) }));
    measures.forEach((column, index) => (sums.values[index] += row[columns.indexOf(column)]));
  }
  const dailyRows = [...days.values()].map((day) => [day.date, day.currency, ...day.values]);
  await connection.query(`DELETE FROM ${db}.sales_daily`);
  for (let index = 0; index < dailyRows.length; index += 2_000)
    await connection.query(
      `INSERT INTO ${db}.sales_daily (local_date, currency, ${measures.map((column) => `\`${column}\``).join(', ')}) VALUES ?`,
      [dailyRows.slice(index, index + 2_000)],
    );
  await connection.query(
    `UPDATE ${db}.sales_daily_state SET time_zone = ?, built_at = CURRENT_TIMESTAMP(3) WHERE id = 1`,
    [REPORTS.timeZone],
  );
  return dailyRows.length;
}

async function tableExists(connection, table) {
  const [rows] = await connection.query(
    'SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?',
    [db.replaceAll('`', ''), table],
  );
  return rows.length > 0;
}

/** The catalog's variants for sale; when there are none, the demo catalog is seeded first (as the catalog group does). */
async function variantsForSale(connection) {
  const read = async () =>
    (
      await connection.query(
        `SELECT v.id, v.product_id, v.price FROM ${db}.product_variants v JOIN ${db}.products p ON p.id = v.product_id
         WHERE v.status = 'active' AND p.status = 'active' ORDER BY v.id`,
      )
    )[0];
  let variants = await read();
  if (variants.length === 0) {
    console.log(`    seeding ${REPORTS.catalogProducts} demo products for the per-variant rollup`);
    await runCommand(
      'npm',
      ['run', '--silent', 'seed', '--', '--products', String(REPORTS.catalogProducts), '--no-shop'],
      {
        PATH: process.env.PATH,
        HOME: process.env.HOME ?? ROOT_DIR,
        NODE_ENV: 'development',
        LOG_LEVEL: 'warn',
        ...serviceEnvironment(),
        DB_CREATE_IF_MISSING: 'false',
      },
      { quiet: true },
    );
    variants = await read();
  }
  return variants.map((row) => ({ id: row.id, productId: row.product_id, price: Number(row.price) }));
}

/**
 * The per-variant rollup of the same orders: each hour's paid orders' lines spread over the catalog, a few
 * variants selling most (as the demo year's orders do); revenue net of tax, refunds a small share. Written in
 * batches as it is made (about a million rows: never all in memory).
 */
async function seedProductRollups(connection, salesRows, columns) {
  const variants = await variantsForSale(connection);
  const random = seededRandom(19);
  const popular = [...variants];
  for (let i = popular.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [popular[i], popular[j]] = [popular[j], popular[i]];
  }
  const started = Date.now();
  await connection.query(`DELETE FROM ${db}.product_sales_hourly`);
  const at = (name) => columns.indexOf(name);
  let batch = [];
  let rows = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await connection.query(
      `INSERT INTO ${db}.product_sales_hourly
         (bucket_start, currency, variant_id, product_id, units, revenue, refunds) VALUES ?`,
      [batch],
    );
    rows += batch.length;
    batch = [];
  };
  for (const sales of salesRows) {
    const lines = Math.round(sales[at('orders_paid')] * REPORTS.unitsPerOrder);
    const sold = new Map();
    for (let i = 0; i < lines; i++) {
      const variant = popular[Math.floor(popular.length * Math.pow(random(), 2.2))];
      sold.set(variant, (sold.get(variant) ?? 0) + 1);
    }
    for (const [variant, units] of sold) {
      const revenue = Math.round((units * variant.price * 100) / 119);
      batch.push([
        sales[at('bucket_start')],
        sales[at('currency')],
        variant.id,
        variant.productId,
        units,
        revenue,
        random() < 0.03 ? Math.round(revenue * 0.5) : 0,
      ]);
    }
    if (batch.length >= 5_000) await flush();
  }
  await flush();
  return { rows, variants: variants.length, seconds: (Date.now() - started) / 1000 };
}

/** One GET, timed to its last byte; fails the run on anything but 200. */
async function timedGet(app, token, path) {
  const started = process.hrtime.bigint();
  const response = await request(
    app.baseUrl,
    { method: 'GET', path, headers: { authorization: `Bearer ${token}` } },
    30_000,
  );
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (response.status !== 200)
    throw new Error(
      `GET ${path} answered ${response.status}: ${response.body.toString('utf8').slice(0, 300)}`,
    );
  return { ms, body: response.body, headers: response.headers };
}

function latencies(values) {
  const sorted = Float64Array.from(values).sort();
  return {
    requests: values.length,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    meanMs: values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length),
    maxMs: sorted.length > 0 ? sorted[sorted.length - 1] : 0,
  };
}

/**
 * A warm-up whose requests also count the SQL statements (the minimum over them: the counters are the server's),
 * then `count` sequential requests timed without the meter's own round trips.
 */
async function measureJson(app, token, path, count, meter, step, warmup = REPORTS.warmupRequests) {
  for (let i = 0; i < warmup; i++) await meter.measure(step, () => timedGet(app, token, path));
  const times = [];
  let last;
  for (let i = 0; i < count; i++) {
    last = await timedGet(app, token, path);
    times.push(last.ms);
  }
  const body = JSON.parse(last.body.toString('utf8'));
  return { ...latencies(times), rows: body.data.length, bytes: last.body.length };
}

async function measureCsv(app, token, path) {
  const sequential = [];
  let last;
  for (let i = 0; i < REPORTS.csvRequests; i++) {
    last = await timedGet(app, token, path);
    sequential.push(last.ms);
  }
  const contentType = String(last.headers['content-type']);
  if (!contentType.startsWith('text/csv')) throw new Error(`${path} answered ${contentType}, not text/csv`);
  const concurrent = [];
  const startedAt = Date.now();
  await Promise.all(
    Array.from({ length: REPORTS.csvConcurrency }, async () => {
      for (let i = 0; i < REPORTS.csvRequests / 3; i++)
        concurrent.push((await timedGet(app, token, path)).ms);
    }),
  );
  return {
    ...latencies(sequential),
    concurrent: { ...latencies(concurrent), seconds: (Date.now() - startedAt) / 1000 },
    lines: last.body.toString('utf8').trimEnd().split('\n').length,
    bytes: last.body.length,
  };
}

export async function benchmarkReports(settings) {
  const range = reportRange();
  console.log(
    `\n› Reports: ${REPORTS.orders.toLocaleString('en-US')} orders' worth of hourly rollups (${REPORTS.currencies
      .map(([currency]) => currency)
      .join(', ')}), sales report over ${range.from}..${range.to} (STORE_TIME_ZONE=${REPORTS.timeZone})`,
  );
  // Started first: it migrates the bench database, so the rollup table exists (with the columns of this build).
  const app = await startApp({ ...settings.appEnv, STORE_TIME_ZONE: REPORTS.timeZone });
  const stopRss = sampleRss(app.child.pid);
  const connection = await connectToServer();
  const failures = [];
  try {
    const seeded = await seedRollups(range);
    console.log(
      `    seeded ${seeded.buckets.toLocaleString('en-US')} buckets (${seeded.orders.toLocaleString('en-US')} orders)` +
        (seeded.days ? ` and ${seeded.days.toLocaleString('en-US')} daily rows ` : ' ') +
        `in ${seeded.seconds.toFixed(1)} s`,
    );
    const products = (await tableExists(connection, 'product_sales_hourly'))
      ? await seedProductRollups(connection, seeded.rows, seeded.columns)
      : null;
    delete seeded.rows;
    if (products)
      console.log(
        `    seeded ${products.rows.toLocaleString('en-US')} product buckets (${products.variants} variants) ` +
          `in ${products.seconds.toFixed(1)} s`,
      );
    const token = await adminToken(app);
    const meter = await statementMeter(connection);
    const query = (interval) => `from=${range.from}&to=${range.to}&interval=${interval}`;
    const day = await measureJson(
      app,
      token,
      `/v1/admin/reports/sales?${query('day')}`,
      REPORTS.dayRequests,
      meter,
      'day',
    );
    const week = await measureJson(
      app,
      token,
      `/v1/admin/reports/sales?${query('week')}`,
      REPORTS.otherRequests,
      meter,
      'week',
    );
    const month = await measureJson(
      app,
      token,
      `/v1/admin/reports/sales?${query('month')}`,
      REPORTS.otherRequests,
      meter,
      'month',
    );
    const csv = await measureCsv(app, token, `/v1/admin/reports/sales.csv?${query('day')}`);
    const topProducts = products
      ? await measureJson(
          app,
          token,
          `/v1/admin/reports/top-products?from=${range.from}&to=${range.to}&by=net&level=variant&limit=100`,
          REPORTS.topProductsRequests,
          meter,
          'top products',
          3,
        )
      : null;
    const peakRssMb = stopRss();
    const expectedRows = REPORTS.days * REPORTS.currencies.length;
    if (day.rows !== expectedRows)
      failures.push(`the daily report has ${day.rows} rows, expected ${expectedRows}`);
    if (csv.lines !== expectedRows + 1)
      failures.push(`the CSV has ${csv.lines} lines, expected ${expectedRows + 1}`);
    if (day.p99Ms >= REPORTS.budgets.dayP99Ms)
      failures.push(`daily report p99 ${formatMs(day.p99Ms)} ms, budget ${REPORTS.budgets.dayP99Ms} ms`);
    if (peakRssMb >= REPORTS.budgets.peakRssMb)
      failures.push(`API peak RSS ${peakRssMb.toFixed(1)} MB, budget ${REPORTS.budgets.peakRssMb} MB`);
    return {
      range,
      seeded,
      day,
      week,
      month,
      csv,
      products,
      topProducts,
      statements: meter.perStep,
      peakRssMb,
      budgets: REPORTS.budgets,
      failures,
    };
  } finally {
    stopRss();
    await connection.end();
    await stopChild(app.child);
  }
}

export function printReports(reports) {
  if (!reports) return;
  const { day, week, month, csv, seeded, statements } = reports;
  console.log(
    `\nReports (sales over ${reports.range.from}..${reports.range.to}; ${seeded.buckets.toLocaleString('en-US')} hourly ` +
      `buckets, ${seeded.orders.toLocaleString('en-US')} orders, 2 currencies; sequential requests on an idle app)`,
  );
  const row = (label, result, extra) => [
    label,
    String(result.requests),
    formatMs(result.p50Ms),
    formatMs(result.p99Ms),
    formatMs(result.meanMs),
    formatMs(result.maxMs),
    extra,
    formatStatements(statements[label]),
  ];
  console.log(
    formatTable([
      ['request', 'requests', 'p50 ms', 'p99 ms', 'mean ms', 'max ms', 'answer', 'SQL statements/request'],
      row('day', day, `${day.rows} rows, ${(day.bytes / 1024).toFixed(0)} KB`),
      row('week', week, `${week.rows} rows, ${(week.bytes / 1024).toFixed(0)} KB`),
      row('month', month, `${month.rows} rows, ${(month.bytes / 1024).toFixed(0)} KB`),
      row('day .csv', csv, `${csv.lines} lines, ${(csv.bytes / 1024).toFixed(0)} KB`),
      row(
        `day .csv ×${REPORTS.csvConcurrency}`,
        csv.concurrent,
        `${csv.concurrent.seconds.toFixed(1)} s in all`,
      ),
      ...(reports.topProducts
        ? [
            row(
              'top products',
              reports.topProducts,
              `${reports.topProducts.rows} rows of ${reports.products.rows.toLocaleString('en-US')} buckets`,
            ),
          ]
        : []),
    ]),
  );
  console.log(
    `  budgets: daily year p99 < ${reports.budgets.dayP99Ms} ms (${formatMs(day.p99Ms)} ms), ` +
      `API peak RSS < ${reports.budgets.peakRssMb} MB (${reports.peakRssMb.toFixed(1)} MB): ` +
      (reports.failures.length === 0 ? 'pass' : 'FAIL'),
  );
  for (const failure of reports.failures) console.log(`  FAIL reports: ${failure}`);
}
