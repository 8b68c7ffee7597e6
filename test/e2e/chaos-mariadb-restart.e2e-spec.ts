import { request } from '@app/testing';
import {
  chaosCount,
  expectInvariantsToHold,
  ordersThroughOutage,
  recordChaosFigures,
  startChaosShop,
  type ChaosShop,
} from '../support/chaos';
import { MariaDbServer } from '../support/mariadb-server';
import { waitFor, waitForWorkToDrain } from '../support/wait-for';

const ORDERS = chaosCount(12, 100);

/**
 * Issue 19, chaos: MariaDB (a private mariadbd) is SIGKILLed while orders flow and started again on
 * the same data (InnoDB crash recovery). While it is gone the API answers 503 problem+json with
 * Retry-After, never 500; the clients retry with the same Idempotency-Key; the API and the worker
 * recover without a restart. Afterwards no order is half-written (each has its lines, matching
 * subtotal, its stock reservation and its history), none was placed twice, every payment is captured
 * once, and the invariant checker finds nothing. CI runs 12 orders; `npm run chaos` runs 100.
 */
describe('chaos: MariaDB killed and restarted under load', () => {
  let server: MariaDbServer;
  let shop: ChaosShop;

  beforeAll(async () => {
    server = await MariaDbServer.start({ name: 'chaos-db' });
    // A checkout cut off by the crash keeps its key's claim until it lapses: 5 s here, not 60.
    shop = await startChaosShop({
      stock: ORDERS * 10,
      overrides: { database: server.databaseConfig(), idempotency: { lockSeconds: 5 } },
    });
  }, 180_000);

  afterAll(async () => {
    if (server && !server.running) await server.start().catch(() => undefined); // stop() drops the database
    await shop?.stop();
    await server?.remove();
  });

  it('answers 503 + Retry-After while it is gone, recovers without a restart, writes no half order', async () => {
    const { api, db } = shop;
    const { downMs, worker } = await ordersThroughOutage(shop, ORDERS, server, async () => {
      // A route that needs MariaDB: 503 with Retry-After too, not 500.
      const cart = await request(`${api.baseUrl}/v1/carts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect({ status: cart.status, retryAfter: cart.headers.get('retry-after') }).toEqual({
        status: 503,
        retryAfter: '5',
      });
    });
    const producedAt = Date.now();
    try {
      await waitFor(async () => (await shop.captured()) === ORDERS, 120_000, `${ORDERS} captures`);
      await waitForWorkToDrain(api.app, 60_000);
    } catch (error) {
      throw new Error(
        `${(error as Error).message}: ${await shop.captured()} captured; the worker said:\n${worker.output().slice(-4000)}`,
        { cause: error },
      );
    }
    const settledAt = Date.now();

    // No order written twice (the retried checkouts replayed their key) and none half-written.
    const [{ n: placed }] = await db.query<Array<{ n: string }>>('SELECT COUNT(*) AS n FROM orders');
    expect(Number(placed)).toBe(ORDERS);
    const [halfWritten] = await db.query<
      Array<{ noLines: string; subtotalOff: string; noReservation: string; noHistory: string }>
    >(
      `SELECT
         SUM(NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id)) AS noLines,
         SUM(o.subtotal <> (SELECT COALESCE(SUM(l.subtotal), 0) FROM order_lines l WHERE l.order_id = o.id)) AS subtotalOff,
         SUM(NOT EXISTS (SELECT 1 FROM inventory_reservations r WHERE r.reference = CONCAT('order:', o.id))) AS noReservation,
         SUM(NOT EXISTS (SELECT 1 FROM order_history h WHERE h.order_id = o.id)) AS noHistory
       FROM orders o`,
    );
    const halves = Object.values(halfWritten).reduce((sum, value) => sum + Number(value), 0);
    expect(
      Object.fromEntries(Object.entries(halfWritten).map(([key, value]) => [key, Number(value)])),
    ).toEqual({
      noLines: 0,
      subtotalOff: 0,
      noReservation: 0,
      noHistory: 0,
    });
    const payments = await shop.payments();
    const doubleCharges = payments.filter((payment) => payment.charged > payment.amount).length;
    expect(
      payments.map((payment) => payment.charged === payment.amount && payment.state === 'captured'),
    ).toEqual(payments.map(() => true));
    const failures = Object.fromEntries(shop.shopper.failures);
    expect(failures[500] ?? 0).toBe(0);

    const report = await expectInvariantsToHold(shop);
    await recordChaosFigures('mariadb-restart', {
      orders: ORDERS,
      'MariaDB down ms': downMs,
      'client retries (503 / 409 in flight / dropped)': `${failures[503] ?? 0} / ${failures[409] ?? 0} / ${failures[0] ?? 0}`,
      '500s': failures[500] ?? 0,
      'orders placed twice': Number(placed) - ORDERS,
      'half-written orders': halves,
      'double charges': doubleCharges,
      'invariant violations': report.violations,
      'settle s': ((settledAt - producedAt) / 1000).toFixed(1),
    });
  }, 600_000);
});
