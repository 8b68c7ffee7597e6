import {
  chaosCount,
  expectInvariantsToHold,
  mailKey,
  ordersThroughOutage,
  recordChaosFigures,
  startChaosShop,
  type ChaosShop,
} from '../support/chaos';
import { expectedHourlyFromOrders, storedHourlyRollups } from '../support/independent-rollups';
import { RedisServer } from '../support/redis-server';
import { waitFor, waitForWorkToDrain } from '../support/wait-for';

const ORDERS = chaosCount(12, 100);
const MAILS_PER_ORDER = 2; // order-confirmation, payment-received

/**
 * Issue 19, chaos: Redis (a private redis-server without persistence) is SIGKILLed while orders flow
 * and started again empty: every Bull job it held — captures waiting to run, mails, rollups — is gone,
 * and so are the repeatable jobs and caches. While it is gone the API answers 503 with Retry-After
 * (never 500) and the clients retry with the same Idempotency-Key. The worker's outbox relay finds its
 * marker gone and re-drives the rows it had published shortly before: no paid order is lost (every
 * payment captured once at the sandbox, every order's mails out, the rollups equal to an independent
 * sum), and the invariant checker finds nothing. CI runs 12 orders; `npm run chaos` runs 100.
 */
describe('chaos: Redis restarted without persistence under load', () => {
  let redis: RedisServer;
  let shop: ChaosShop;

  beforeAll(async () => {
    redis = await RedisServer.start();
    // Plenty of stock: a retried add-to-cart may have added its units already.
    shop = await startChaosShop({
      stock: ORDERS * 10,
      overrides: { redis: { host: '127.0.0.1', port: redis.port } },
    });
  }, 120_000);

  afterAll(async () => {
    if (redis && !redis.running) await redis.start().catch(() => undefined); // stop() deletes its keys
    await shop?.stop();
    await redis?.remove();
  });

  it('loses no paid order: the outbox re-drives what Bull lost; 503 + Retry-After while Redis is gone', async () => {
    const { api, db } = shop;
    let keysBefore = 0;
    let keysAfterRestart = 0;
    const { orders, downMs, worker } = await ordersThroughOutage(shop, ORDERS, {
      kill: async () => {
        keysBefore = await redis.keyCount();
        await redis.kill();
      },
      start: async () => {
        await redis.start();
        keysAfterRestart = await redis.keyCount();
      },
    });
    const producedAt = Date.now();
    const distinctMails = () => new Set(shop.customerMails().map(mailKey)).size;
    try {
      await waitFor(async () => (await shop.captured()) === ORDERS, 120_000, `${ORDERS} captures`);
      await waitFor(
        () => Promise.resolve(distinctMails() === ORDERS * MAILS_PER_ORDER),
        60_000,
        'every mail',
      );
      await waitForWorkToDrain(api.app, 60_000);
    } catch (error) {
      throw new Error(
        `${(error as Error).message}: ${await shop.captured()} captured, ${shop.customerMails().length} mails; ` +
          `the worker said:\n${worker.output().slice(-4000)}`,
        { cause: error },
      );
    }
    const settledAt = Date.now();

    // Every paid order captured, once at the sandbox; its mails out; the rollups whole.
    const payments = await shop.payments();
    expect(payments).toHaveLength(ORDERS);
    const lostPaidOrders = payments.filter((payment) => payment.state !== 'captured').length;
    const doubleCharges = payments.filter((payment) => payment.charged > payment.amount).length;
    expect({ lostPaidOrders, doubleCharges }).toEqual({ lostPaidOrders: 0, doubleCharges: 0 });
    for (const order of orders)
      expect(shop.smtp.messagesTo(order.email).length).toBeGreaterThanOrEqual(MAILS_PER_ORDER);
    expect(await storedHourlyRollups(db)).toEqual(await expectedHourlyFromOrders(db));

    // The relay saw Redis come back empty and re-drove; clients saw 503s, never a 500.
    const redriven = [...worker.output().matchAll(/"rows":(\d+),"msg":"Redis lost its data/g)].map((m) =>
      Number(m[1]),
    );
    expect(redriven.length).toBeGreaterThanOrEqual(1);
    const failures = Object.fromEntries(shop.shopper.failures);
    expect(failures[500] ?? 0).toBe(0);

    // The invariant checker, in-process and as the command an operator runs.
    const report = await expectInvariantsToHold(shop);

    await recordChaosFigures('redis-restart', {
      orders: ORDERS,
      'Redis keys lost': keysBefore - keysAfterRestart,
      'Redis down ms': downMs,
      'outbox rows re-driven': redriven.reduce((sum, rows) => sum + rows, 0),
      'client retries (503 / dropped)': `${failures[503] ?? 0} / ${failures[0] ?? 0}`,
      '500s': failures[500] ?? 0,
      'paid orders lost': lostPaidOrders,
      'double charges': doubleCharges,
      'mail repeats': shop.customerMails().length - distinctMails(),
      'invariant violations': report.violations,
      'settle s': ((settledAt - producedAt) / 1000).toFixed(1),
    });
  }, 600_000);
});
