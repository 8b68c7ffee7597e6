import { DataSource } from 'typeorm';
import { AuthClient, createUser } from '../support/auth-client';
import { uniqueSuffix } from '../support/catalog-client';
import { MariaDbServer } from '../support/mariadb-server';
import { ShopAdmin, ShopClient, type Order, type Shopper } from '../support/shop-client';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { waitFor } from '../support/wait-for';

interface StorefrontProduct {
  id: string;
  slug: string;
  variants: Array<{ id: string; price: number }>;
}

/**
 * DB_REPLICA_HOSTS with a real replica: a private primary with a binary log and a private replica
 * following it (the machine's shared server keeps no binary log). Which statements reach which
 * server is read from each server's general log. Then replication stops — a replica that lags for
 * good — and the shop keeps answering: writes, a customer's own orders and the catalog stay correct.
 */
describe('read replica (DB_REPLICA_HOSTS)', () => {
  let primary: MariaDbServer;
  let replica: MariaDbServer;
  let env: TestEnvironment;
  let api: TestApi;
  let client: AuthClient;
  let owner: ShopAdmin;
  let shop: ShopClient;
  let customer: Shopper;
  let product: { variantId: string; productId: string };
  let dbName: string;

  beforeAll(async () => {
    [primary, replica] = await Promise.all([
      MariaDbServer.start({ name: 'primary', binaryLog: true }),
      MariaDbServer.start({ name: 'replica', readOnly: true }),
    ]);
    await replica.replicaOf(primary);
    env = await TestEnvironment.create({
      database: {
        ...primary.databaseConfig(),
        replica: {
          hosts: [{ host: replica.host, port: replica.port }],
          user: replica.user,
          password: replica.password,
          // Generous, so a replica slowed by a loaded machine still counts as caught up; a stopped one
          // then costs this once (the test that stops replication).
          catchUpWaitMs: 1_500,
        },
      },
    });
    dbName = env.config.database.name;
    // The real migrations run on the primary when the API starts; the replica gets them from the binlog.
    api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    const db = api.app.get(DataSource);
    client = new AuthClient(api.baseUrl);
    const admin = await createUser(client, db, { role: 'admin' });
    owner = new ShopAdmin(client, admin.tokens.accessToken);
    await owner.setUp();
    product = await owner.variantWithStock(50, 1000);
    customer = { token: (await createUser(client, db)).tokens.accessToken };
    shop = new ShopClient(api.baseUrl);
    await replica.waitForReplicaToCatchUp(primary);
  }, 120_000);

  afterAll(async () => {
    await env?.cleanup();
    await Promise.all([primary?.remove(), replica?.remove()]);
  });

  async function placeOrder(): Promise<Order> {
    const started = await shop.newCart(customer);
    await shop.add(started.cart.id, started.shopper, product.variantId, 1);
    await shop.prepare(started.cart.id, started.shopper);
    const placed = await shop.checkout(started.cart.id, started.shopper);
    if (placed.status !== 201) throw new Error(`checkout failed: ${placed.status} ${placed.text}`);
    return placed.body;
  }

  const setPrice = (price: number, version: number) =>
    owner.send('PATCH', `/v1/admin/products/${product.productId}/variants/${product.variantId}`, {
      price,
      version,
    });
  const storefrontProduct = (cacheBuster = uniqueSuffix()) =>
    client.get<StorefrontProduct>(`/v1/products/${product.productId}?v=${cacheBuster}`);
  const myOrders = () => client.get<{ data: Array<{ id: string }> }>('/v1/orders', customer.token);
  const salesReport = () =>
    owner.send('GET', '/v1/admin/reports/sales?from=2026-01-01&to=2026-01-31&interval=week');

  /** The SELECTs among `statements` that mention `what` (a word of the statement, not part of one). */
  const readsOf = (statements: string[], what: string) =>
    statements.filter(
      (statement) => /^\s*SELECT/i.test(statement) && new RegExp(`\\b${what}`).test(statement),
    );

  async function recordBoth(): Promise<void> {
    await Promise.all([primary.recordStatements(), replica.recordStatements()]);
  }

  it('reads the storefront catalog and reports from the replica, a customer’s orders from the primary', async () => {
    await recordBoth();
    // A price the storefront has not served yet: its cache misses and the database is read.
    expect((await setPrice(1100, 1)).status).toBe(200);
    const [listed, shown, categories, report, orders] = [
      await client.get<{ data: StorefrontProduct[] }>('/v1/products?limit=5'),
      await storefrontProduct(),
      await client.get('/v1/categories'),
      await salesReport(),
      await myOrders(),
    ];
    expect([listed.status, shown.status, categories.status, report.status, orders.status]).toEqual([
      200, 200, 200, 200, 200,
    ]);
    // Read on the replica right after the write, and current: it waited for the primary's position.
    expect(shown.body.variants[0].price).toBe(1100);

    const [onPrimary, onReplica] = await Promise.all([primary.statements(), replica.statements()]);
    expect(readsOf(onReplica, 'storefront_products').length).toBeGreaterThanOrEqual(2); // list and detail
    expect(readsOf(onReplica, 'FROM categories\\b')).toHaveLength(1);
    expect(readsOf(onReplica, 'sales_')).not.toHaveLength(0);
    expect(onReplica.filter((statement) => statement.includes('MASTER_GTID_WAIT'))).toHaveLength(3);
    expect(readsOf(onPrimary, 'storefront_products')).toEqual([]);
    expect(readsOf(onPrimary, 'sales_')).toEqual([]);
    // The primary only told the replica how far to catch up, and did the write and the customer's reads.
    expect(readsOf(onPrimary, 'gtid_binlog_pos')).toHaveLength(3);
    expect(onPrimary.some((statement) => /^UPDATE `?product_variants/i.test(statement))).toBe(true);
    expect(readsOf(onPrimary, 'orders\\b').length).toBeGreaterThan(0);
    expect(readsOf(onReplica, 'orders\\b')).toEqual([]);
    // Nothing else reached the replica (its log also holds the BEGIN/COMMIT of replicated transactions).
    const routedThere = /MASTER_GTID_WAIT|storefront_products|FROM categories\b|\bsales_/;
    expect(
      onReplica.filter((statement) => !/^(BEGIN|COMMIT)\b/.test(statement) && !routedThere.test(statement)),
    ).toEqual([]);
  });

  it('keeps answering while replication is stopped: writes, a customer’s new order and a current catalog', async () => {
    await replica.stopReplication();
    await recordBoth();

    const order = await placeOrder();
    expect((await setPrice(1250, 2)).status).toBe(200);
    // Staff read what they just wrote (a find() outside a transaction: TypeORM's own default would
    // send it to the replica, where the old price still is).
    const staffView = await owner.send<{ variants: Array<{ price: number }> }>(
      'GET',
      `/v1/admin/products/${product.productId}`,
    );
    expect(staffView.body.variants[0].price).toBe(1250);

    // The customer sees the order just placed: it is on the primary only.
    const orders = await myOrders();
    expect(orders.status).toBe(200);
    expect(orders.body.data.map((row) => row.id)).toContain(order.id);
    const [{ n: onReplicaCopy }] = await replica.query(
      `SELECT COUNT(*) AS n FROM \`${dbName}\`.orders WHERE id = ?`,
      [order.id],
    );
    expect(Number(onReplicaCopy)).toBe(0);

    // The replica still has the old price; the storefront answers with the new one, from the primary
    // once the replica failed to catch up within DB_REPLICA_WAIT_MS.
    const [stale] = await replica.query(`SELECT price FROM \`${dbName}\`.product_variants WHERE id = ?`, [
      product.variantId,
    ]);
    expect(Number(stale.price)).toBe(1100);
    const shown = await storefrontProduct();
    expect(shown.status).toBe(200);
    expect(shown.body.variants[0].price).toBe(1250);

    // Reports read the lagging replica as it is, and answer.
    const report = await salesReport();
    expect(report.status).toBe(200);

    const [onPrimary, onReplica] = await Promise.all([primary.statements(), replica.statements()]);
    expect(readsOf(onReplica, 'MASTER_GTID_WAIT')).toHaveLength(1);
    expect(readsOf(onReplica, 'storefront_products')).toEqual([]);
    expect(readsOf(onPrimary, 'storefront_products')).toHaveLength(1);
    expect(readsOf(onReplica, 'sales_')).not.toHaveLength(0);
    expect(readsOf(onPrimary, 'sales_')).toEqual([]);
  });

  it('serves the catalog from the replica again once replication has caught up', async () => {
    await replica.startReplication();
    await replica.waitForReplicaToCatchUp(primary);
    // The replica is skipped for a moment after it was found behind; then catalog reads return to it.
    // Each try asks for a list page not cached yet (another minimum price), so the database is read.
    let minPrice = 0;
    await waitFor(
      async () => {
        await recordBoth();
        const listed = await client.get<{ data: StorefrontProduct[] }>(`/v1/products?minPrice=${++minPrice}`);
        const ours = listed.body.data?.find((row) => row.id === product.productId);
        if (ours?.variants[0].price !== 1250)
          throw new Error(`unexpected list: ${listed.status} ${listed.text}`);
        return readsOf(await replica.statements(), 'storefront_products').length === 1;
      },
      10_000,
      'a catalog read on the replica',
    );
    expect(readsOf(await primary.statements(), 'storefront_products')).toEqual([]);
  });
});
