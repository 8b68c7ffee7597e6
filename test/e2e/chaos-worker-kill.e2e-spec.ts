import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { QUEUE_NAMES } from '../../src/bootstrap/queue-names';
import {
  chaosCount,
  expectInvariantsToHold,
  mailKey,
  placeOrders,
  randomDelay,
  recordChaosFigures,
  startChaosShop,
  type ChaosOrder,
  type ChaosShop,
} from '../support/chaos';
import { expectedHourlyFromOrders, storedHourlyRollups } from '../support/independent-rollups';
import { waitFor, waitForWorkToDrain } from '../support/wait-for';
import { WebhookReceiver } from '../support/webhook-receiver';

const ORDERS = chaosCount(16, 100);
/** Kills at the least: production can outrun the kills, the backlog left is worked through under them. */
const MIN_KILLS = chaosCount(3, 12);
const EVENT_TYPES = ['order.placed', 'payment.succeeded', 'order.paid'];
const MAILS_PER_ORDER = 2; // order-confirmation, payment-received

/**
 * Issue 19, chaos: the worker is SIGKILLed at random moments (0.2–1.5 s after each start) and started
 * again while orders flow, each bringing one job of each kind: a manual capture (payments), two mails,
 * three webhook deliveries, realtime events and the sales rollups (analytics). Then one worker is left
 * alone to finish. Nothing is lost (every payment captured, every mail and webhook out, the rollups
 * equal to an independent sum of the orders), no effect is doubled where the boundary can tell (one
 * capture per charge, rollups counted once, one webhook-id per event), and the invariant checker
 * (in-process and as the command) finds nothing. CI runs 16 orders; `npm run chaos` runs 100.
 */
describe('chaos: the worker SIGKILLed at random moments while jobs of every kind flow', () => {
  let hooks: WebhookReceiver;
  let shop: ChaosShop;

  beforeAll(async () => {
    hooks = await WebhookReceiver.start();
    shop = await startChaosShop({
      stock: ORDERS * 2,
      overrides: { webhooks: { allowHttp: true, allowedHosts: ['127.0.0.1'] } },
      workerEnv: {
        WEBHOOKS_ALLOW_HTTP: 'true',
        WEBHOOKS_ALLOWED_HOSTS: '127.0.0.1',
        WEBHOOKS_RETRY_SCHEDULE_MS: '100,200,400,800,1600',
      },
    });
    await shop.admin.must('POST', '/v1/admin/webhooks', { url: hooks.url(), eventTypes: EVENT_TYPES });
  }, 120_000);

  afterAll(async () => {
    await shop?.stop();
    await hooks?.close();
  });

  it('loses nothing and doubles nothing; the invariant checker finds 0 violations', async () => {
    const { db, fleet, api } = shop;
    const startedAt = Date.now();
    let producing = true;
    let kills = 0;
    const chaos = (async () => {
      // Kills all along the production of orders, and on through the backlog it leaves.
      while (producing || kills < MIN_KILLS) {
        const life = fleet.start();
        await waitFor(
          () => Promise.resolve(life.output().includes('Worker started') || life.child.exitCode !== null),
          60_000,
          'a worker to start',
        );
        if (life.child.exitCode !== null) throw new Error(`the worker exited by itself:\n${life.output()}`);
        await new Promise((resolve) => setTimeout(resolve, randomDelay(200, 1_500)));
        await fleet.kill();
        kills += 1;
      }
    })();
    const orders: ChaosOrder[] = [];
    try {
      await placeOrders(shop.shopper, ORDERS, 4, orders);
    } finally {
      producing = false;
      await chaos;
    }
    const producedAt = Date.now();

    // One worker left alone finishes what the killed ones left: stalled jobs come back, the outbox drains.
    const last = fleet.start();
    const delivered = async () => {
      const [{ n }] = await db.query<Array<{ n: string }>>(
        "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'delivered'",
      );
      return Number(n);
    };
    const distinctMails = () => new Set(shop.customerMails().map(mailKey)).size;
    try {
      await waitFor(async () => (await shop.captured()) === ORDERS, 120_000, `${ORDERS} captures`);
      await waitFor(async () => (await delivered()) === ORDERS * EVENT_TYPES.length, 60_000, 'every webhook');
      await waitFor(
        () => Promise.resolve(distinctMails() === ORDERS * MAILS_PER_ORDER),
        60_000,
        'every mail',
      );
      await waitForWorkToDrain(api.app, 60_000);
    } catch (error) {
      throw new Error(
        `${(error as Error).message}: ${await shop.captured()} captured, ${await delivered()} webhooks delivered, ` +
          `${shop.customerMails().length} mails, ${kills} kills; the last worker said:\n${last.output().slice(-3000)}`,
        { cause: error },
      );
    }
    const settledAt = Date.now();

    // Payments: one capture recorded per payment, and the sandbox charged each exactly its amount once.
    const payments = await shop.payments();
    const doubleCaptures = payments.filter(
      (payment) => payment.captures > 1 || payment.charged > payment.amount,
    ).length;
    expect(payments).toHaveLength(ORDERS);
    for (const payment of payments)
      expect(payment).toEqual({ ...payment, state: 'captured', charged: payment.amount, captures: 1 });

    // Mails: each order's two mails arrived; a repeat (SMTP cannot refuse one) carries the same
    // Message-ID as the first send, so mail stores and clients can tell it is the same mail.
    for (const order of orders)
      expect(shop.smtp.messagesTo(order.email).length).toBeGreaterThanOrEqual(MAILS_PER_ORDER);
    const messageIds = new Set(shop.customerMails().map((mail) => mail.parsed.messageId));
    expect(messageIds.size).toBe(distinctMails());

    // Webhooks: one delivery (one webhook-id) per event and endpoint, every one received; a killed
    // attempt is sent again under the same id, which receivers deduplicate.
    const deliveries = await db.query<Array<{ id: string }>>('SELECT id FROM webhook_deliveries');
    expect(deliveries).toHaveLength(ORDERS * EVENT_TYPES.length);
    const seen = new Set(hooks.received.map((request) => String(request.headers['webhook-id'])));
    expect(deliveries.every((delivery) => seen.has(delivery.id))).toBe(true);
    const lostEffects =
      ORDERS -
      payments.filter((payment) => payment.charged === payment.amount).length +
      deliveries.filter((delivery) => !seen.has(delivery.id)).length +
      ORDERS * MAILS_PER_ORDER -
      distinctMails();

    // Rollups: counted once per order, none missing.
    expect(await storedHourlyRollups(db)).toEqual(await expectedHourlyFromOrders(db));

    // Bull gave up no job, stalled or otherwise.
    const queues = QUEUE_NAMES.map((name) => api.app.get<Queue>(getQueueToken(name), { strict: false }));
    const failed: string[] = [];
    for (const queue of queues)
      for (const job of await queue.getFailed())
        failed.push(`${queue.name}/${job.name}: ${job.failedReason ?? ''}`);
    expect(failed).toEqual([]);

    // The invariant checker, in-process and as the command an operator runs.
    const report = await expectInvariantsToHold(shop);

    let jobsRun = 0;
    for (const queue of queues) jobsRun += (await queue.getJobCounts()).completed;
    await recordChaosFigures('worker-kill', {
      orders: ORDERS,
      'jobs run': jobsRun,
      'worker kills': kills,
      'lost effects': lostEffects,
      'double captures': doubleCaptures,
      'mail repeats': shop.customerMails().length - distinctMails(),
      'webhook repeats (same id)': hooks.received.length - seen.size,
      'invariant violations': report.violations,
      'produce s': ((producedAt - startedAt) / 1000).toFixed(1),
      'settle s': ((settledAt - producedAt) / 1000).toFixed(1),
    });
  }, 600_000);
});
