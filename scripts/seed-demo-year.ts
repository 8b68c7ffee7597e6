// `npm run seed -- --demo-year`: a year of orders ending today (scripts/seed/demo-year.ts makes them up)
// written into the real tables in one transaction of multi-row INSERTs, then counted into the sales
// rollups by the app's own reconciliation — so the reports say exactly what the orders say. No outbox
// row is written: no webhook, mail or rollup event fires for history. Once per database: a second run
// finds the audit entry of the first, adds nothing, and reconciles the same window again (which then
// corrects nothing).
import { AppConfig, withOverrides } from '@app/config';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource, type QueryRunner } from 'typeorm';
import { OrderCancellationHooksModule } from '../src/bootstrap/order-cancellation-hooks.module';
import { createToolContext } from '../src/cli/app-context';
import { AnalyticsCoreModule, SalesReconciliationService } from '../src/modules/analytics';
import { AuditModule, AuditService } from '../src/modules/audit';
import { PasswordHasherService } from '../src/modules/auth/passwords/password-hasher.service';
import type { PricingPromotion } from '../src/modules/carts/pricing/pricing';
import { openSeedDataSource } from './seed-catalog';
import { insertRows } from './seed/bulk-insert';
import { DEMO_ACCOUNTS, SEED_ACTOR } from './seed/demo-shop';
import {
  type DemoYear,
  type DemoYearInput,
  type DemoYearTaxRate,
  type DemoYearVariant,
  type DemoYearZone,
  DEFAULT_DEMO_DAYS,
  DEFAULT_ORDERS_PER_DAY,
  generateDemoYear,
} from './seed/demo-year';

/** The audit action that says the demo year was written (once per database). */
export const DEMO_YEAR_SEEDED = 'demo-year.seeded';
const LOCK_WAIT_SECONDS = 60;
const DAY_MS = 24 * 3_600_000;

export interface DemoYearOptions {
  seed?: number;
  /** Local days ending today (365). */
  days?: number;
  /** Average orders a day (30). */
  ordersPerDay?: number;
  /** The clock (tests): the year ends the hour before this one. */
  now?: Date;
}

export interface DemoYearCounts {
  orders: number;
  cancelled: number;
  refunded: number;
  customers: number;
  carts: number;
}

export interface DemoYearResult {
  seeded: boolean;
  /** Why nothing was added (a second run). */
  reason: string | null;
  counts: DemoYearCounts | null;
  from: Date;
  to: Date;
  writeSeconds: number;
  /** Sales buckets (hour, currency) and product buckets (hour, currency, variant). */
  reconcile: {
    bucketsChecked: number;
    bucketsCorrected: number;
    productBucketsChecked: number;
    productBucketsCorrected: number;
    seconds: number;
  };
}

interface Marker {
  from: string;
  to: string;
  now: string;
  orders: number;
}

/**
 * Adds the demo year to the configured (migrated, demo-seeded) database, or — when it is there
 * already — reconciles its window again and adds nothing. Needs the catalog and the demo shop
 * (shipping zones, tax rates); refused with NODE_ENV=production.
 */
export async function seedDemoYear(
  config: AppConfig,
  options: DemoYearOptions = {},
): Promise<DemoYearResult> {
  if (config.isProduction) throw new Error('the demo year is demo data: not in production');
  const now = options.now ?? new Date();
  // Creates and migrates the database when the config allows, as the rest of the seed does.
  await (await openSeedDataSource(config.database)).destroy();
  const app = await createToolContext(
    withOverrides(config, { database: { createIfMissing: false, migrationsRun: false } }),
    // The orders feature the reconciliation reads needs its cancellation hooks bound, as in the API.
    [AnalyticsCoreModule, AuditModule, OrderCancellationHooksModule],
  );
  const runner = app.get(DataSource).createQueryRunner();
  const lockName = `sk:seed-year:${config.database.name}`.slice(0, 64);
  try {
    await runner.connect();
    const [{ acquired }] = (await runner.query('SELECT GET_LOCK(?, ?) AS acquired', [
      lockName,
      LOCK_WAIT_SECONDS,
    ])) as Array<{ acquired: number | string | null }>;
    if (Number(acquired) !== 1)
      throw new Error(`another seed held the demo-year lock for ${LOCK_WAIT_SECONDS}s`);
    try {
      const earlier = await findMarker(runner);
      let written: { year: DemoYear; seconds: number } | null = null;
      let window: { from: Date; to: Date; now: Date };
      if (earlier) {
        window = { from: new Date(earlier.from), to: new Date(earlier.to), now: new Date(earlier.now) };
      } else {
        const input = await readInput(runner, config, options, now);
        const started = process.hrtime.bigint();
        const year = generateDemoYear(input);
        await writeYear(runner, app.get(AuditService), year, input);
        written = { year, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
        window = { from: year.start, to: year.end, now };
      }
      // The rollups from the orders, by the app's own reconciliation over the whole window.
      const reconcileStarted = process.hrtime.bigint();
      const report = await app.get(SalesReconciliationService).reconcile({
        now: window.now,
        days: Math.ceil((window.to.getTime() - window.from.getTime()) / DAY_MS),
      });
      const reconcile = {
        bucketsChecked: report.bucketsChecked,
        bucketsCorrected: report.bucketsCorrected,
        productBucketsChecked: report.products.bucketsChecked,
        productBucketsCorrected: report.products.bucketsCorrected,
        seconds: Number(process.hrtime.bigint() - reconcileStarted) / 1e9,
      };
      if (!written)
        return {
          seeded: false,
          reason: `the demo year is there already (${earlier!.orders} orders, ${earlier!.from.slice(0, 10)} to ${earlier!.to.slice(0, 10)})`,
          counts: null,
          from: window.from,
          to: window.to,
          writeSeconds: 0,
          reconcile,
        };
      const { year } = written;
      return {
        seeded: true,
        reason: null,
        counts: {
          orders: year.orders.length,
          cancelled: year.orders.filter((order) => order.status === 'cancelled').length,
          refunded: new Set(year.refunds.map((refund) => refund.paymentId)).size,
          customers: year.users.length,
          carts: year.carts.length,
        },
        from: year.start,
        to: year.end,
        writeSeconds: written.seconds,
        reconcile,
      };
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [lockName]);
    }
  } finally {
    await runner.release();
    await app.close();
  }
}

async function findMarker(runner: QueryRunner): Promise<Marker | null> {
  const [row] = (await runner.query(
    'SELECT details FROM audit_log WHERE actor_type = ? AND actor_id = ? AND action = ? ORDER BY id LIMIT 1',
    ['system', SEED_ACTOR, DEMO_YEAR_SEEDED],
  )) as Array<{ details: unknown }>;
  if (!row) return null;
  return (typeof row.details === 'string' ? JSON.parse(row.details) : row.details) as Marker;
}

/** What the year is made of: the catalog, the shop's zones, rates and codes, its staff and clock. */
async function readInput(
  runner: QueryRunner,
  config: AppConfig,
  options: DemoYearOptions,
  now: Date,
): Promise<DemoYearInput> {
  const variants = (
    (await runner.query(
      `SELECT v.id, v.product_id, v.sku, v.title AS variant_title, p.title AS product_title, v.price
       FROM product_variants v JOIN products p ON p.id = v.product_id
       WHERE v.status = 'active' AND p.status = 'active' AND v.price > 0
       ORDER BY v.id`,
    )) as Array<Record<string, string | number>>
  ).map((row): DemoYearVariant => ({
    id: String(row.id),
    productId: String(row.product_id),
    sku: String(row.sku),
    productTitle: String(row.product_title),
    variantTitle: String(row.variant_title),
    price: Number(row.price),
  }));
  const methodRows = (await runner.query(
    `SELECT z.id AS zone_id, m.id, m.name, m.rate, m.free_over
     FROM shipping_zones z JOIN shipping_methods m ON m.zone_id = z.id
     WHERE z.active = 1 AND m.active = 1 ORDER BY z.id, m.position, m.id`,
  )) as Array<Record<string, string | number | null>>;
  const countryRows = (await runner.query(
    'SELECT zone_id, country_code AS country FROM shipping_zone_countries ORDER BY zone_id, country_code',
  )) as Array<{ zone_id: string; country: string }>;
  const zones = new Map<string, { countries: string[]; methods: DemoYearZone['methods'][number][] }>();
  for (const row of methodRows) {
    const zone = zones.get(String(row.zone_id)) ?? { countries: [], methods: [] };
    zone.methods.push({
      id: String(row.id),
      name: String(row.name),
      rate: Number(row.rate),
      freeOver: row.free_over === null ? null : Number(row.free_over),
    });
    zones.set(String(row.zone_id), zone);
  }
  for (const row of countryRows) zones.get(row.zone_id)?.countries.push(row.country);
  const taxRates = (
    (await runner.query('SELECT country, region, rate_bp FROM tax_rates ORDER BY country, region')) as Array<
      Record<string, string | number>
    >
  ).map((row): DemoYearTaxRate => ({
    country: String(row.country),
    region: String(row.region),
    rateBp: Number(row.rate_bp),
  }));
  const promotions = (
    (await runner.query(
      `SELECT id, code, kind, percent_bp, amount, min_subtotal FROM promotions
       WHERE active = 1 AND usage_limit IS NULL AND per_customer_limit IS NULL AND starts_at IS NULL AND ends_at IS NULL
       ORDER BY code`,
    )) as Array<Record<string, string | number | null>>
  ).map((row): PricingPromotion & { id: string } => {
    const base = {
      id: String(row.id),
      code: String(row.code),
      minSubtotal: row.min_subtotal === null ? null : Number(row.min_subtotal),
    };
    if (row.kind === 'percentage') return { ...base, kind: 'percentage', percentBp: Number(row.percent_bp) };
    if (row.kind === 'fixed_amount') return { ...base, kind: 'fixed_amount', amount: Number(row.amount) };
    return { ...base, kind: 'free_shipping' };
  });
  const [admin] = (await runner.query(
    "SELECT id FROM users WHERE role = 'admin' AND status = 'active' ORDER BY created_at, id LIMIT 1",
  )) as Array<{ id: string }>;
  const demoEmail = DEMO_ACCOUNTS.find((account) => account.role === 'customer')?.email ?? '';
  const [demoCustomer] = (await runner.query(
    'SELECT id, email, name FROM users WHERE email = ? AND role = ?',
    [demoEmail, 'customer'],
  )) as Array<{ id: string; email: string; name: string }>;
  const [{ last }] = (await runner.query('SELECT COALESCE(MAX(id), 0) AS last FROM order_numbers')) as Array<{
    last: string | number;
  }>;
  return {
    seed: options.seed ?? 42,
    now,
    days: options.days ?? DEFAULT_DEMO_DAYS,
    ordersPerDay: options.ordersPerDay ?? DEFAULT_ORDERS_PER_DAY,
    timeZone: config.analytics.storeTimeZone,
    currency: config.catalog.currency,
    priceMode: config.checkout.priceMode,
    orderNumberPrefix: config.checkout.orderNumberPrefix,
    firstNumberId: Number(last) + 1,
    reservationTtlSeconds: config.checkout.reservationTtlSeconds,
    bankTransferHoldDays: config.payments.bankTransferHoldDays,
    bankTransferReminderHours: config.payments.bankTransferReminderHours,
    variants,
    zones: [...zones.values()].filter((zone) => zone.countries.length > 0 && zone.methods.length > 0),
    taxRates,
    promotions,
    staffActor: admin ? `user:${admin.id}` : 'system:demo',
    demoCustomer: demoCustomer ?? null,
    // Of a secret nobody knows: the generated customers exist, and nobody signs in as them.
    passwordHash: await new PasswordHasherService(config).hash(randomBytes(32).toString('base64url')),
  };
}

const json = (value: unknown) => JSON.stringify(value);

/** Every row of the year in one transaction, the audit entry that marks it last. */
async function writeYear(
  runner: QueryRunner,
  audit: AuditService,
  year: DemoYear,
  input: DemoYearInput,
): Promise<void> {
  await runner.startTransaction();
  try {
    await insertRows(
      runner,
      'users',
      [
        'id',
        'email',
        'name',
        'password_hash',
        'role',
        'status',
        'email_verified_at',
        'created_at',
        'updated_at',
      ],
      year.users,
      (u) => [
        u.id,
        u.email,
        u.name,
        u.passwordHash,
        'customer',
        'active',
        u.createdAt,
        u.createdAt,
        u.createdAt,
      ],
    );
    await insertRows(
      runner,
      'carts',
      [
        'id',
        'customer_id',
        'token_hash',
        'status',
        'email',
        'currency',
        'promotion_code',
        'shipping_method_id',
        'shipping_address',
        'billing_address',
        'order_id',
        'version',
        'created_at',
        'updated_at',
      ],
      year.carts,
      (c) => [
        c.id,
        c.customerId,
        c.tokenHash,
        c.status,
        c.email,
        input.currency,
        c.promotionCode,
        c.shippingMethodId,
        c.address && json(c.address),
        c.address && json(c.address),
        c.orderId,
        c.version,
        c.createdAt,
        c.updatedAt,
      ],
    );
    await insertRows(
      runner,
      'cart_items',
      ['id', 'cart_id', 'variant_id', 'quantity', 'created_at'],
      year.cartItems,
      (i) => [i.id, i.cartId, i.variantId, i.quantity, i.createdAt],
    );
    await insertRows(runner, 'order_numbers', ['id', 'created_at'], year.orders, (o) => [
      o.numberId,
      o.createdAt,
    ]);
    await insertRows(
      runner,
      'orders',
      [
        'id',
        'number',
        'cart_id',
        'customer_id',
        'token_hash',
        'email',
        'status',
        'payment_method',
        'currency',
        'price_mode',
        'subtotal',
        'discount',
        'shipping',
        'shipping_tax',
        'tax',
        'total',
        'tax_rate_bp',
        'promotion_code',
        'shipping_method_id',
        'shipping_method_name',
        'shipping_address',
        'billing_address',
        'expires_at',
        'payment_reminder_sent_at',
        'paid_at',
        'cancelled_at',
        'version',
        'created_at',
        'updated_at',
      ],
      year.orders,
      (o) => [
        o.id,
        o.number,
        o.cartId,
        o.customerId,
        o.tokenHash,
        o.email,
        o.status,
        o.paymentMethod,
        input.currency,
        input.priceMode,
        o.subtotal,
        o.discount,
        o.shipping,
        o.shippingTax,
        o.tax,
        o.total,
        o.taxRateBp,
        o.promotionCode,
        o.shippingMethodId,
        o.shippingMethodName,
        json(o.address),
        json(o.address),
        o.expiresAt,
        o.paymentReminderSentAt,
        o.paidAt,
        o.cancelledAt,
        o.version,
        o.createdAt,
        o.updatedAt,
      ],
    );
    await insertRows(
      runner,
      'order_lines',
      [
        'id',
        'order_id',
        'position',
        'variant_id',
        'product_id',
        'sku',
        'title',
        'variant_title',
        'unit_price',
        'quantity',
        'subtotal',
        'discount',
        'tax',
        'total',
        'fulfilled_quantity',
        'restocked_quantity',
      ],
      year.orderLines,
      (l) => [
        l.id,
        l.orderId,
        l.position,
        l.variant.id,
        l.variant.productId,
        l.variant.sku,
        l.variant.productTitle,
        l.variant.variantTitle,
        l.unitPrice,
        l.quantity,
        l.subtotal,
        l.discount,
        l.tax,
        l.total,
        l.fulfilledQuantity,
        0,
      ],
    );
    // History in time order: its AUTO_INCREMENT ids then sort an order's entries as they happened.
    const history = [...year.history].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    await insertRows(
      runner,
      'order_history',
      ['order_id', 'from_status', 'to_status', 'actor', 'reason', 'created_at'],
      history,
      (h) => [h.orderId, h.fromStatus, h.toStatus, h.actor, h.reason, h.createdAt],
    );
    await insertRows(
      runner,
      'fulfilments',
      ['id', 'order_id', 'carrier', 'tracking_number', 'actor', 'created_at'],
      year.fulfilments,
      (f) => [f.id, f.orderId, f.carrier, f.trackingNumber, f.actor, f.createdAt],
    );
    await insertRows(
      runner,
      'fulfilment_lines',
      ['fulfilment_id', 'order_line_id', 'quantity'],
      year.fulfilments.flatMap((f) => f.lines.map((line) => ({ ...line, fulfilmentId: f.id }))),
      (l) => [l.fulfilmentId, l.orderLineId, l.quantity],
    );
    await insertRows(
      runner,
      'payments',
      [
        'id',
        'order_id',
        'provider',
        'provider_reference',
        'amount',
        'currency',
        'state',
        'captured_amount',
        'refunded_amount',
        'last_event_at',
        'recorded_by',
        'version',
        'created_at',
        'updated_at',
      ],
      year.payments,
      (p) => [
        p.id,
        p.orderId,
        p.provider,
        p.providerReference,
        p.amount,
        input.currency,
        p.state,
        p.amount,
        p.refundedAmount,
        p.updatedAt,
        p.recordedBy,
        p.version,
        p.createdAt,
        p.updatedAt,
      ],
    );
    await insertRows(
      runner,
      'payment_attempts',
      ['payment_id', 'operation', 'outcome', 'created_at'],
      year.paymentAttempts,
      (a) => [a.paymentId, a.operation, a.outcome, a.createdAt],
    );
    await insertRows(
      runner,
      'payment_refunds',
      [
        'id',
        'payment_id',
        'amount',
        'state',
        'provider_reference',
        'reason',
        'requested_by',
        'created_at',
        'updated_at',
      ],
      year.refunds,
      (r) => [
        r.id,
        r.paymentId,
        r.amount,
        'succeeded',
        r.providerReference,
        r.reason,
        r.requestedBy,
        r.createdAt,
        r.createdAt,
      ],
    );
    await insertRows(
      runner,
      'sandbox_charges',
      [
        'id',
        'idempotency_key',
        'payment_id',
        'card',
        'amount',
        'currency',
        'state',
        'captured',
        'refunded',
        'created_at',
        'updated_at',
      ],
      year.sandboxCharges,
      (c) => [
        c.id,
        `demo:${c.paymentId}`,
        c.paymentId,
        c.card,
        c.amount,
        input.currency,
        'captured',
        c.amount,
        c.refunded,
        c.createdAt,
        c.createdAt,
      ],
    );
    await insertRows(
      runner,
      'sandbox_refunds',
      ['idempotency_key', 'id', 'charge_id', 'amount', 'created_at'],
      year.sandboxRefunds,
      (r) => [`demo:${r.refundId}`, r.id, r.chargeId, r.amount, r.createdAt],
    );
    await insertRows(
      runner,
      'promotion_redemptions',
      ['id', 'promotion_id', 'order_id', 'customer_key', 'status', 'created_at', 'released_at'],
      year.redemptions,
      (r) => [
        r.id,
        r.promotionId,
        r.orderId,
        r.customerKey,
        r.releasedAt ? 'released' : 'active',
        r.createdAt,
        r.releasedAt,
      ],
    );
    // The codes' counters, as checkout and cancellation keep them.
    const uses = new Map<string, { promotionId: string; customerKey: string; uses: number }>();
    for (const redemption of year.redemptions) {
      if (redemption.releasedAt) continue;
      const key = `${redemption.promotionId}|${redemption.customerKey}`;
      const entry = uses.get(key) ?? {
        promotionId: redemption.promotionId,
        customerKey: redemption.customerKey,
        uses: 0,
      };
      entry.uses += 1;
      uses.set(key, entry);
    }
    for (const [promotionId, count] of countBy(
      [...uses.values()],
      (use) => use.promotionId,
      (use) => use.uses,
    ))
      await runner.query(
        'UPDATE promotions SET times_used = times_used + ?, updated_at = updated_at WHERE id = ?',
        [count, promotionId],
      );
    const usage = [...uses.values()];
    for (let start = 0; start < usage.length; start += 1_000) {
      const batch = usage.slice(start, start + 1_000);
      await runner.query(
        `INSERT INTO promotion_customer_usage (promotion_id, customer_key, uses) VALUES ${batch.map(() => '(?, ?, ?)').join(', ')}
         ON DUPLICATE KEY UPDATE uses = uses + VALUES(uses)`,
        batch.flatMap((use) => [use.promotionId, use.customerKey, use.uses]),
      );
    }
    const marker: Marker = {
      from: year.start.toISOString(),
      to: year.end.toISOString(),
      now: input.now.toISOString(),
      orders: year.orders.length,
    };
    await audit.recordSystem(
      runner.manager,
      { name: SEED_ACTOR, runId: `seed:${randomUUID()}` },
      {
        action: DEMO_YEAR_SEEDED,
        target: { type: 'shop', id: 'demo' },
        details: { ...marker, seed: input.seed, days: input.days, ordersPerDay: input.ordersPerDay },
      },
    );
    await runner.commitTransaction();
  } catch (error) {
    await runner.rollbackTransaction();
    throw error;
  }
}

function countBy<T>(
  items: readonly T[],
  key: (item: T) => string,
  amount: (item: T) => number,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + amount(item));
  return counts;
}
