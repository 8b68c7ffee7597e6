import { FAKE_STRIPE_PAYMENT_METHODS as PM, FakeStripe } from '@app/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuthClient, createUser } from '../support/auth-client';
import {
  brokenInvariants,
  chaosCount,
  checkInvariants,
  recordChaosFigures,
  WorkerFleet,
} from '../support/chaos';
import { MysqlProxy, type TrapPoint } from '../support/mysql-proxy';
import { payWithCard, type PaymentView } from '../support/payments-shop';
import { freePort } from '../support/process-tree';
import { CompiledApp, servicesEnvironment, startApiProcess, type ApiProcess } from '../support/processes';
import { ShopAdmin, ShopClient, type Shopper } from '../support/shop-client';
import { TestEnvironment, type TestApi } from '../support/test-environment';
import { waitFor, waitForWorkToDrain } from '../support/wait-for';

const ROUNDS = chaosCount(1, 5);

/** Where the API dies in a card checkout; each point is hit deterministically. */
type KillPoint =
  'checkout before commit' | 'checkout after commit' | 'charged, not recorded' | 'payment after commit';
const POINTS: KillPoint[] = [
  'checkout before commit',
  'checkout after commit',
  'charged, not recorded',
  'payment after commit',
];
/** What the database holds of the round's cart when the API dies at each point. */
const COMMITTED_AT_KILL: Record<KillPoint, string[]> = {
  'checkout before commit': [],
  'checkout after commit': ['order, payment none'],
  'charged, not recorded': ['order, payment pending'],
  'payment after commit': ['order, payment captured'],
};
const ordersInsert = (sql: string) => sql.includes('INSERT INTO `orders`');
/** The second payment transaction: the provider's answer applied to the pending payment. */
const paymentRecord = (sql: string) =>
  /UPDATE `payments`/.test(sql) && !sql.includes('INSERT INTO `payments`');

/**
 * Issue 19, chaos: the API (a real process, its MariaDB connections through a proxy that can hold one
 * transaction's COMMIT or its answer) SIGKILLed at four points of a card checkout and started again,
 * the client retrying each step with the same Idempotency-Key until it gets a final answer:
 * the checkout's COMMIT held (rolled back), the checkout's COMMIT answered but the answer held
 * (committed, no HTTP response), Stripe's charge held by FakeStripe (charged, not recorded), and the
 * payment's recording COMMIT answered but held (recorded, no HTTP response). Afterwards: one order
 * per checkout key, one charge per order at Stripe, every charge recorded (no orphan), and the
 * invariant checker finds 0 violations.
 */
describe('chaos: the API SIGKILLed at four points of a card checkout', () => {
  let fake: FakeStripe;
  let env: TestEnvironment;
  let api: TestApi;
  let db: DataSource;
  let proxy: MysqlProxy;
  let compiled: CompiledApp;
  let child: ApiProcess;
  let apiEnv: Record<string, string>;
  let port: number;
  let variantId: string;
  const lives: ApiProcess[] = [];
  let fleet: WorkerFleet | undefined;

  beforeAll(async () => {
    compiled = await CompiledApp.build();
    fake = await FakeStripe.start();
    fake.webhookUrl = null; // only the client's retries may record a payment here
    env = await TestEnvironment.create({
      payments: {
        provider: 'stripe',
        stripeSecretKey: fake.apiKey,
        stripeWebhookSecret: fake.webhookSecret,
        stripeApiBaseUrl: fake.url,
      },
    });
    api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    db = api.app.get(DataSource);
    proxy = await MysqlProxy.start({ host: env.config.database.host, port: env.config.database.port });
    port = await freePort();
    apiEnv = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      ...servicesEnvironment(env.config),
      DB_HOST: '127.0.0.1',
      DB_PORT: String(proxy.port),
      RATE_LIMIT_MAX: '1000000',
      // A claim left by a killed request lapses fast; the client is told 409 + Retry-After until then.
      IDEMPOTENCY_LOCK_SECONDS: '5',
      PAYMENTS_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: fake.apiKey,
      STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
      STRIPE_API_BASE_URL: fake.url,
    };
    const client = new AuthClient(api.baseUrl);
    const owner = await createUser(client, db, { role: 'admin' });
    const admin = new ShopAdmin(client, owner.tokens.accessToken);
    await admin.setUp();
    ({ variantId } = await admin.variantWithStock(ROUNDS * POINTS.length * 2 + 4, 2490));
    child = await startApiProcess(apiEnv, port, compiled);
    lives.push(child);
  }, 180_000);

  afterAll(async () => {
    if (fake) fake.beforeAnswer = null;
    if (proxy) proxy.trap = null;
    for (const life of lives)
      if (life.child.exitCode === null && life.child.signalCode === null) life.child.kill('SIGKILL');
    await Promise.all(lives.map((life) => life.exited));
    await fleet?.stopAll();
    await proxy?.close();
    await env?.cleanup();
    await fake?.close();
    await compiled?.remove();
  });

  /** SIGKILLs the API and starts it again on the same port; `restarting` settles when it is ready. */
  let restarting: Promise<void> = Promise.resolve();
  let kills = 0;
  /** What the database holds of the current round's cart, read once the killed API is gone. */
  let cartOfRound = '';
  const atKill: string[][] = [];
  const seenAtKill = async (): Promise<string[]> => {
    const rows = await db.query<Array<{ order_id: string; state: string | null }>>(
      `SELECT o.id AS order_id, p.state FROM orders o LEFT JOIN payments p ON p.order_id = o.id
        WHERE o.cart_id = ?`,
      [cartOfRound],
    );
    return rows.map((row) => `order, payment ${row.state ?? 'none'}`);
  };
  const killApi = () => {
    const victim = child;
    victim.child.kill('SIGKILL');
    kills += 1;
    restarting = victim.exited.then(async () => {
      atKill.push(await seenAtKill());
      child = await startApiProcess(apiEnv, port, compiled);
      lives.push(child);
    });
  };
  const failures = new Map<string, number>();
  /** Sends until the answer is final: a refused or dropped connection, a 5xx or a 409 key in flight is retried. */
  const final = async <T extends { status: number; text: string }>(send: () => Promise<T>): Promise<T> => {
    let last: T | undefined;
    await waitFor(
      async () => {
        try {
          last = await send();
        } catch (error) {
          const code = (error as { cause?: { code?: string } }).cause?.code ?? 'connection';
          failures.set(code, (failures.get(code) ?? 0) + 1);
          return false;
        }
        const transient =
          last.status >= 500 || (last.status === 409 && last.text.includes('idempotency-key-in-flight'));
        if (transient) failures.set(String(last.status), (failures.get(String(last.status)) ?? 0) + 1);
        return !transient;
      },
      60_000,
      'a final answer',
    );
    return last!;
  };

  const trapped = (matches: (sql: string) => boolean, at: TrapPoint) => {
    proxy.trap = { matches, at, sprung: killApi };
  };

  it('places one order and one recorded charge per key at every kill point; 0 violations', async () => {
    const startedAt = Date.now();
    let lostAnswers = 0;
    const rounds: Array<{ point: KillPoint; cartId: string; orderId: string; payment: PaymentView }> = [];
    for (let round = 0; round < ROUNDS; round += 1)
      for (const point of POINTS) {
        await restarting;
        const shop = new ShopClient(child.baseUrl);
        const { cart, shopper }: { cart: { id: string }; shopper: Shopper } = await shop.newCart();
        await shop.add(cart.id, shopper, variantId, 1 + (round % 2));
        await shop.prepare(cart.id, shopper);
        const killsBefore = kills;
        cartOfRound = cart.id;

        if (point === 'checkout before commit') trapped(ordersInsert, 'commit');
        if (point === 'checkout after commit') trapped(ordersInsert, 'committed');
        const checkoutKey = randomUUID();
        const placed = await final(() =>
          shop.checkout(cart.id, shopper, checkoutKey, { paymentMethod: 'card' }),
        );
        let orderId = placed.body.id;
        if (point === 'checkout after commit' && placed.status === 409) {
          // KNOWN BUG (reported, not fixed yet): the order committed but the key's response was never
          // stored; the retry runs checkout again and is told the cart is checked out, with its order.
          const problem = placed.body as unknown as { type: string; orderId: string };
          expect(problem.type).toMatch(/cart-closed$/);
          orderId = problem.orderId;
          lostAnswers += 1;
        } else expect({ point, status: placed.status }).toEqual({ point, status: 201 });

        if (point === 'charged, not recorded')
          fake.beforeAnswer = (request) => {
            if (request.effect !== 'payment_intents.create') return;
            fake.beforeAnswer = null;
            killApi();
            return restarting.then(() => undefined); // the answer goes to a dead connection
          };
        if (point === 'payment after commit') trapped(paymentRecord, 'committed');
        const payKey = randomUUID();
        const paid = await final(() => payWithCard(shop, orderId, shopper, PM.succeeds, payKey));
        expect({ point, status: paid.status }).toEqual({ point, status: 201 });
        // Each round's kill happened (the trap sprang, not left armed for another round).
        expect({ point, kills: kills - killsBefore, trap: proxy.trap }).toEqual({
          point,
          kills: 1,
          trap: null,
        });
        // The kill landed where it was meant to: what was committed when the API died.
        expect({ point, atKill: atKill.at(-1) }).toEqual({ point, atKill: COMMITTED_AT_KILL[point] });
        rounds.push({ point, cartId: cart.id, orderId, payment: paid.body });
      }
    await restarting;
    const elapsed = Date.now() - startedAt;

    // One order per checkout key: the cart checked out once, the client told the order it made.
    let doubleOrders = 0;
    for (const { point, cartId, orderId } of rounds) {
      const orders = await db.query<Array<{ id: string; status: string }>>(
        'SELECT id, status FROM orders WHERE cart_id = ?',
        [cartId],
      );
      doubleOrders += Math.max(0, orders.length - 1);
      expect({ point, orders }).toEqual({ point, orders: [{ id: orderId, status: 'paid' }] });
    }

    // Stripe: one charge per order; every charge is our payment, recorded with its reference and
    // amount (no orphan). A charge's Idempotency-Key is `<payment id>:create`.
    const charges = fake.requests.filter((request) => request.effect === 'payment_intents.create');
    const payments = await db.query<
      Array<{
        id: string;
        order_id: string;
        state: string;
        provider_reference: string | null;
        amount: number;
      }>
    >('SELECT id, order_id, state, provider_reference, amount FROM payments');
    const byId = new Map(payments.map((payment) => [payment.id, payment]));
    const orphanCharges = charges.filter(
      (charge) => !byId.get(charge.idempotencyKey?.split(':')[0] ?? '')?.provider_reference,
    ).length;
    expect(orphanCharges).toBe(0);
    expect(fake.effectCount('payment_intents.create')).toBe(rounds.length);
    let doubleCharges = 0;
    for (const { point, orderId, payment } of rounds) {
      const ofOrder = payments.filter((row) => row.order_id === orderId);
      const charged = ofOrder.reduce(
        (sum, row) =>
          sum +
          (row.provider_reference ? fake.effectCount('payment_intents.create', row.provider_reference) : 0),
        0,
      );
      doubleCharges += Math.max(0, charged - 1);
      expect({ point, payments: ofOrder.map((row) => [row.id, row.state]), charged }).toEqual({
        point,
        payments: [[payment.id, 'captured']],
        charged: 1,
      });
      const intent = fake.paymentIntent(ofOrder[0].provider_reference!);
      expect({ point, status: intent.status, amount: intent.amount_received }).toEqual({
        point,
        status: 'succeeded',
        amount: ofOrder[0].amount,
      });
      expect({ point, state: payment.state }).toEqual({ point, state: 'captured' });
    }

    // The worker relays what the orders and payments wrote to the outbox; then nothing may be left.
    const worker = new WorkerFleet(
      compiled,
      WorkerFleet.environment(env, {
        PAYMENTS_PROVIDER: 'stripe',
        STRIPE_SECRET_KEY: fake.apiKey,
        STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
        STRIPE_API_BASE_URL: fake.url,
      }),
    );
    fleet = worker;
    worker.start();
    await waitForWorkToDrain(api.app, 60_000);
    const report = await checkInvariants(env);
    expect(brokenInvariants(report)).toEqual({});
    await recordChaosFigures('api-kill', {
      'rounds per point': ROUNDS,
      'API kills': kills,
      'orders placed twice': doubleOrders,
      'double charges': doubleCharges,
      'orphan charges': orphanCharges,
      'checkouts answered 409 cart-closed after their commit': lostAnswers,
      'client retries': [...failures].map(([what, count]) => `${count} × ${what}`).join(', '),
      'invariant violations': report.violations,
      s: (elapsed / 1000).toFixed(1),
    });
  }, 300_000);
});
