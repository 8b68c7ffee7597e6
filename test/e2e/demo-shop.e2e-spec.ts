import { AppConfig } from '@app/config';
import { request } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { openSeedDataSource } from '../../scripts/seed-catalog';
import { type DemoSeedResult, seedDemo } from '../../scripts/seed-demo';
import { seedShop, type ShopSeedResult } from '../../scripts/seed-shop';
import {
  DEMO_ACCOUNTS,
  DEMO_PROMOTIONS,
  DEMO_SHIPPING_ZONES,
  DEMO_TAX_RATES,
} from '../../scripts/seed/demo-shop';
import { AuthClient } from '../support/auth-client';
import { type Order, ShopClient } from '../support/shop-client';

const PRODUCTS = 30;
const [ADMIN, CUSTOMER] = DEMO_ACCOUNTS;

/** Every row the shop part writes (and the audit log), in a total order: equal sums, equal rows. */
const SHOP_TABLES: Array<[table: string, orderBy: string]> = [
  ['users', 'id'],
  ['shipping_zones', 'id'],
  ['shipping_zone_countries', 'country_code'],
  ['shipping_methods', 'id'],
  ['tax_rates', 'id'],
  ['promotions', 'id'],
  ['stock_locations', 'id'],
  ['audit_log', 'id'],
];

async function shopChecksums(db: DataSource): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const [table, orderBy] of SHOP_TABLES) {
    const rows = await db.query<unknown[]>(`SELECT * FROM \`${table}\` ORDER BY ${orderBy}`);
    sums[table] = `${rows.length}:${createHash('sha256').update(JSON.stringify(rows)).digest('hex')}`;
  }
  return sums;
}

function seededShop(result: DemoSeedResult): ShopSeedResult {
  if (!result.seeded || !result.shop)
    throw new Error(`expected the shop to be seeded: ${JSON.stringify(result)}`);
  return result.shop;
}

describe('npm run seed: the demo shop a first order can be placed in (real MySQL and Redis)', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let db: DataSource;
  let shop: ShopClient;
  let auth: AuthClient;
  let first: ShopSeedResult;

  beforeAll(async () => {
    // Migrations log through Nest's console logger; keep the test output to errors.
    Logger.overrideLogger(['error', 'fatal']);
    env = await TestEnvironment.create();
    first = seededShop(await seedDemo(env.config, { products: PRODUCTS }));
    api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    db = api.app.get(DataSource);
    shop = new ShopClient(api.baseUrl);
    auth = new AuthClient(api.baseUrl);
  }, 90_000);
  afterAll(() => env.cleanup());

  it('creates the accounts, shipping zones with a flat and a free-over method, tax rates and promotions', async () => {
    expect(first.accounts.map((account) => account.email)).toEqual(DEMO_ACCOUNTS.map((a) => a.email));
    expect(first.zones).toEqual(DEMO_SHIPPING_ZONES.map((zone) => zone.name));
    expect(first.methods).toBe(6);
    expect(first.taxRates).toHaveLength(DEMO_TAX_RATES.length);
    expect(first.promotions).toEqual(DEMO_PROMOTIONS.map((promotion) => promotion.code));
    expect(first.kept).toEqual([]);
    expect(first.location).toBeNull(); // the catalog brought `main` and `outlet`

    for (const country of DEMO_SHIPPING_ZONES.flatMap((zone) => zone.countries)) {
      const offered = await request<{ data: Array<{ rate: unknown; freeOver: unknown }> }>(
        `${api.baseUrl}/v1/shipping-methods?country=${country}`,
      );
      expect(offered.status).toBe(200);
      expect(offered.body.data).toHaveLength(2);
      expect(offered.body.data.filter((method) => method.freeOver === null)).toHaveLength(1);
      // Every country the shop ships to has its country-wide tax rate.
      const [rate] = await db.query<unknown[]>("SELECT 1 FROM tax_rates WHERE country = ? AND region = ''", [
        country,
      ]);
      expect({ country, rate }).toEqual({ country, rate: expect.anything() });
    }

    const users = await db.query<Array<{ email: string; role: string; verified: number }>>(
      'SELECT email, role, email_verified_at IS NOT NULL AS verified FROM users ORDER BY email',
    );
    expect(users.map((user) => ({ ...user, verified: Number(user.verified) }))).toEqual([
      { email: ADMIN.email, role: 'admin', verified: 1 },
      { email: CUSTOMER.email, role: 'customer', verified: 1 },
    ]);
    // Accounts by the system actor `seed`; settings by the demo admin, as through the admin API.
    const audit = await db.query<Array<{ actor_type: string; actor_id: string; action: string; n: string }>>(
      `SELECT actor_type, actor_id, action, COUNT(*) AS n FROM audit_log
        GROUP BY actor_type, actor_id, action ORDER BY action`,
    );
    const adminId = (
      await db.query<Array<{ id: string }>>('SELECT id FROM users WHERE email = ?', [ADMIN.email])
    )[0].id;
    expect(audit.map((row) => [row.actor_type, row.actor_id, row.action, Number(row.n)])).toEqual([
      ['system', 'seed', 'demo-shop.seeded', 1],
      ['user', adminId, 'promotion.created', 2],
      ['user', adminId, 'shipping-method.created', 6],
      ['user', adminId, 'shipping-zone.created', 3],
      ['user', adminId, 'tax-rate.created', DEMO_TAX_RATES.length],
      ['system', 'seed', 'user.created', 2],
    ]);
  });

  it('seeds nothing twice: --if-empty leaves the database alone, a second shop seed and a reseeded catalog add nothing', async () => {
    const before = await shopChecksums(db);

    const skipped = await seedDemo(env.config, { products: PRODUCTS, ifEmpty: true });
    expect(skipped).toEqual({ seeded: false, reason: 'the demo shop is seeded already' });

    const again = seededShop(await seedDemo(env.config, { shop: 'only' }));
    expect(again).toEqual(
      expect.objectContaining({
        accounts: [],
        zones: [],
        methods: 0,
        taxRates: [],
        promotions: [],
        location: null,
      }),
    );
    expect(again.kept).toHaveLength(
      DEMO_ACCOUNTS.length + 3 + DEMO_TAX_RATES.length + DEMO_PROMOTIONS.length,
    );

    const reseeded = await seedDemo(env.config, { products: PRODUCTS, reset: true });
    expect(reseeded.seeded && reseeded.catalog?.counts.products).toBe(PRODUCTS);
    expect(seededShop(reseeded).accounts).toEqual([]);

    expect(await shopChecksums(db)).toEqual(before);
  }, 60_000);

  it('--if-empty finishes a demo shop whose seed was stopped half-way, and only that', async () => {
    // What a Ctrl-C during the first `npm start` leaves: the shop's last writes and its completion mark missing.
    await db.query("DELETE FROM tax_rates WHERE country = 'US' AND region = 'NY'");
    await db.query("DELETE FROM audit_log WHERE action = 'demo-shop.seeded'");
    const before = await db.query<unknown[]>('SELECT * FROM tax_rates ORDER BY id');

    const resumed = await seedDemo(env.config, { products: PRODUCTS, ifEmpty: true });
    expect(resumed).toEqual(expect.objectContaining({ seeded: true, resumed: true, catalog: null }));
    const shopResult = seededShop(resumed);
    expect(shopResult).toEqual(
      expect.objectContaining({ accounts: [], zones: [], promotions: [], taxRates: ['US-NY'] }),
    );
    const after = await db.query<Array<{ country: string; region: string }>>(
      'SELECT * FROM tax_rates ORDER BY id',
    );
    expect(after.slice(0, -1)).toEqual(before);
    expect(after.at(-1)).toEqual(expect.objectContaining({ country: 'US', region: 'NY' }));
    const [marks] = await db.query<Array<{ n: string }>>(
      "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'demo-shop.seeded'",
    );
    expect(Number(marks.n)).toBe(1);
    expect(await seedDemo(env.config, { ifEmpty: true })).toEqual({
      seeded: false,
      reason: 'the demo shop is seeded already',
    });
  }, 60_000);

  it('lets a guest check out end to end, with either promotion, and staff find the orders', async () => {
    const products = await request<{ data: Array<{ variants: Array<{ id: string; inStock: boolean }> }> }>(
      `${api.baseUrl}/v1/products?inStock=true&limit=10`,
    );
    const variants = products.body.data
      .flatMap((product) => product.variants)
      .filter((variant) => variant.inStock);
    expect(variants.length).toBeGreaterThanOrEqual(2);

    const orders: Order[] = [];
    const cases = [
      { country: 'DE', code: 'WELCOME10', taxRateBp: 1_900, variantId: variants[0].id },
      { country: 'US', code: 'SAVE5', taxRateBp: 0, variantId: variants[1].id },
    ];
    for (const { country, code, taxRateBp, variantId } of cases) {
      const { cart, shopper } = await shop.newCart();
      await shop.add(cart.id, shopper, variantId, 1);
      const address = {
        firstName: 'Ada',
        lastName: 'Lovelace',
        line1: 'Main St 1',
        city: 'X',
        postalCode: '10115',
        country,
      };
      const prepared = await shop.prepare(
        cart.id,
        shopper,
        address,
        `guest-${country.toLowerCase()}@example.test`,
      );
      expect(prepared.shippingMethods).toHaveLength(2);
      const promoted = await shop.send('PUT', `/v1/carts/${cart.id}/promotion`, shopper, { code });
      expect(promoted.status).toBe(200);
      expect(promoted.body.promotion).toEqual(expect.objectContaining({ code, applied: true }));
      expect(promoted.body.totals.discount).toBeGreaterThan(0);
      expect(promoted.body.totals.taxRateBp).toBe(taxRateBp);
      expect(promoted.body.checkoutReady).toBe(true);

      const placed = await shop.checkout(cart.id, shopper, undefined, { paymentMethod: 'cash_on_delivery' });
      expect(placed.status).toBe(201);
      expect(placed.body).toEqual(
        expect.objectContaining({
          status: 'pending_payment',
          promotionCode: code,
          number: expect.any(String),
        }),
      );
      orders.push(placed.body);
    }

    const login = await auth.login(ADMIN.email, ADMIN.password);
    expect(login.status).toBe(200);
    const listed = await auth.get<{ data: Array<{ id: string; number: string }> }>(
      '/v1/admin/orders?limit=10',
      login.body.accessToken,
    );
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((order) => order.number).sort()).toEqual(
      orders.map((order) => order.number).sort(),
    );

    const customer = await auth.login(CUSTOMER.email, CUSTOMER.password);
    expect(customer.status).toBe(200);
    const me = await auth.get<{ role: string }>('/v1/me', customer.body.accessToken);
    expect(me.body.role).toBe('customer');
  }, 60_000);

  it('--if-empty leaves a database with data of its own alone, and adds the shop to a bare demo catalog', async () => {
    const other = await TestEnvironment.create();
    try {
      // Somebody's account (registered, say), no catalog: not the seed's to touch.
      const otherDb = await openSeedDataSource(other.config.database); // creates and migrates it
      try {
        await otherDb.query(
          "INSERT INTO users (id, email, name, password_hash) VALUES ('01900000-0000-7000-8000-000000000001', 'own@example.test', 'Own', 'x')",
        );
        const left = await seedDemo(other.config, { products: 5, ifEmpty: true });
        expect(left).toEqual({ seeded: false, reason: 'the database has rows (users: 1)' });
        const [counts] = await otherDb.query<Array<{ products: string; users: string }>>(
          'SELECT (SELECT COUNT(*) FROM products) AS products, (SELECT COUNT(*) FROM users) AS users',
        );
        expect([Number(counts.products), Number(counts.users)]).toEqual([0, 1]);

        // The demo catalog alone (a database seeded before the demo shop existed): the shop is added.
        await otherDb.query('DELETE FROM users');
        await seedDemo(other.config, { products: 5, shop: 'without' });
        const added = await seedDemo(other.config, { products: 5, ifEmpty: true });
        expect(added).toEqual(expect.objectContaining({ seeded: true, resumed: true, catalog: null }));
        expect(seededShop(added).zones).toHaveLength(DEMO_SHIPPING_ZONES.length);
      } finally {
        await otherDb.destroy();
      }
    } finally {
      await other.cleanup();
    }
  }, 90_000);

  it('never seeds the demo shop with NODE_ENV=production (its passwords are public)', async () => {
    const production = new AppConfig({ ...env.config, env: 'production' });
    await expect(seedShop(production, 'seed:test')).rejects.toThrow(/production/);
    const result = await seedDemo(production, { shop: 'only' });
    expect(result).toEqual({
      seeded: true,
      catalog: null,
      shop: null,
      resumed: false,
      shopSkipped: expect.stringContaining('production'),
    });
  });
});
