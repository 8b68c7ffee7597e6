import { FAKE_STRIPE_PAYMENT_METHODS as PM, FakeStripe, type FakeStripeRequest } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PAYMENTS_QUEUE, PaymentsJobs } from '../../src/modules/payments/payments.jobs';
import { QUEUE_NAMES } from '../../src/bootstrap/queue-names';
import { AuthClient, createUser } from '../support/auth-client';
import { CompiledApp, runEntry, servicesEnvironment, type Running } from '../support/processes';
import { ShopAdmin, ShopClient, type Order } from '../support/shop-client';
import { waitFor } from '../support/wait-for';

interface Authorized {
  orderId: string;
  paymentId: string;
  intent: string;
  amount: number;
}

/** A kill lands on one capture call of one payment: the first (Stripe captured) or a rerun's (replayed). */
interface Kill {
  payment: number;
  on: 'effect' | 'replay';
}

const ORDERS = 24;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => from + index);
const killAfterEffect = (payment: number): Kill => ({ payment, on: 'effect' });
/**
 * 20 kills. Payments 0–18 each lose their worker right after Stripe captured them (before our commit);
 * payment 9's job loses its worker a second time in its rerun, after Stripe replayed the capture and
 * before the commit: a job whose worker dies twice must not be failed. Payments 19–23 are captured,
 * all at once, by the last worker, which is left alone.
 */
const PLAN: Kill[] = [
  ...range(0, 10).map(killAfterEffect),
  { payment: 9, on: 'replay' },
  ...range(10, 19).map(killAfterEffect),
];

/**
 * Issue 6: the worker killed with SIGKILL in the middle of capture jobs — between the provider call
 * and the commit — and restarted, 20 times: every order captured exactly once at the provider and
 * recorded once. The worker is a real process (src/worker.ts, compiled once with swc: ts-node would
 * spend ~5 s compiling on each of the 21 starts); FakeStripe, outside it, is the witness of what was
 * captured, and its `beforeAnswer` hook holds the capture's answer while the test kills the worker,
 * so every kill lands after Stripe's effect and before our transaction. The API runs in-process.
 */
describe('capture jobs: the worker SIGKILLed between the Stripe call and the commit, 20 times', () => {
  let fake: FakeStripe;
  let env: TestEnvironment;
  let api: TestApi;
  let db: DataSource;
  let admin: ShopAdmin;
  let workerEnv: Record<string, string>;
  let compiled: CompiledApp;
  const payments: Authorized[] = [];
  const lives: Running[] = [];
  let worker: Running | null = null;

  beforeAll(async () => {
    compiled = await CompiledApp.build();
    fake = await FakeStripe.start();
    // No webhooks: Stripe's payment_intent.succeeded would settle the payment on its own, and the
    // rerun job would then find it captured and never call Stripe again. Here only the job records it.
    fake.webhookUrl = null;
    const stripe = {
      provider: 'stripe' as const,
      captureMethod: 'manual' as const,
      stripeSecretKey: fake.apiKey,
      stripeWebhookSecret: fake.webhookSecret,
      stripeApiBaseUrl: fake.url,
    };
    env = await TestEnvironment.create({ payments: stripe });
    api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    db = api.app.get(DataSource);
    workerEnv = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      ...servicesEnvironment(env.config),
      OUTBOX_POLL_INTERVAL_MS: '50',
      PAYMENTS_PROVIDER: 'stripe',
      PAYMENTS_CAPTURE_METHOD: 'manual',
      STRIPE_SECRET_KEY: fake.apiKey,
      STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
      STRIPE_API_BASE_URL: fake.url,
      // Bull's 30 s lock and stalled check would make each restart wait half a minute for the killed
      // job; WORKER_MAX_STALLED_COUNT stays at its production default.
      WORKER_JOB_LOCK_MS: '2000',
      WORKER_STALLED_CHECK_INTERVAL_MS: '1000',
    };
    const client = new AuthClient(api.baseUrl);
    const owner = await createUser(client, db, { role: 'admin' });
    admin = new ShopAdmin(client, owner.tokens.accessToken);
    await admin.setUp();
    const { variantId } = await admin.variantWithStock(ORDERS * 2, 1800);
    const shop = new ShopClient(api.baseUrl);
    const authorize = async (): Promise<Authorized> => {
      const started = await shop.newCart();
      await shop.add(started.cart.id, started.shopper, variantId, 1 + (payments.length % 2));
      await shop.prepare(started.cart.id, started.shopper);
      const placed = await shop.checkout(started.cart.id, started.shopper, randomUUID(), {
        paymentMethod: 'card',
      });
      if (placed.status !== 201) throw new Error(placed.text);
      const paid = await shop.send<{ id: string; state: string; providerReference: string; amount: number }>(
        'POST',
        `/v1/orders/${placed.body.id}/payments`,
        started.shopper,
        { paymentMethod: PM.succeeds },
        { 'idempotency-key': randomUUID() },
      );
      if (paid.body.state !== 'authorized') throw new Error(paid.text);
      return {
        orderId: placed.body.id,
        paymentId: paid.body.id,
        intent: paid.body.providerReference,
        amount: paid.body.amount,
      };
    };
    for (let batch = 0; batch < ORDERS / 4; batch += 1)
      payments.push(...(await Promise.all([authorize(), authorize(), authorize(), authorize()])));
  }, 120_000);

  afterAll(async () => {
    fake.beforeAnswer = null;
    for (const life of lives)
      if (life.child.exitCode === null && life.child.signalCode === null) life.child.kill('SIGKILL');
    await Promise.all(lives.map((life) => life.exited));
    await env?.cleanup();
    await fake?.close();
    await compiled?.remove();
  });

  const requestCapture = async (payment: Authorized) => {
    const response = await admin.send(
      'POST',
      `/v1/admin/payments/${payment.paymentId}/capture`,
      {},
      { 'idempotency-key': randomUUID() },
    );
    if (response.status !== 202) throw new Error(`capture request: ${response.status} ${response.text}`);
  };
  /** Per worker process: when it was spawned, said "Worker started", got the capture that killed it. */
  const timings: Array<{ spawned: number; ready?: number; held?: number; killed?: number }> = [];
  const startWorker = (): Running => {
    const life = runEntry('src/worker.ts', workerEnv, compiled);
    const timing: (typeof timings)[number] = { spawned: Date.now() };
    timings.push(timing);
    life.child.stdout?.on('data', () => {
      if (!timing.ready && life.output().includes('Worker started')) timing.ready = Date.now();
    });
    lives.push(life);
    return life;
  };
  const recorded = async (indexes: number[]): Promise<Array<{ state: string; captures: number }>> => {
    if (indexes.length === 0) return [];
    const ids = indexes.map((index) => payments[index].paymentId);
    const rows = await db.query<Array<{ id: string; state: string; captures: string }>>(
      `SELECT p.id, p.state,
              (SELECT COUNT(*) FROM payment_attempts a WHERE a.payment_id = p.id AND a.operation = 'capture') AS captures
         FROM payments p WHERE p.id IN (?)`,
      [ids],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => ({ state: byId.get(id)!.state, captures: Number(byId.get(id)!.captures) }));
  };
  /** A timeout says which payments are not captured, which jobs Bull gave up, what the worker said. */
  const explained = async (waiting: Promise<void>): Promise<void> => {
    try {
      await waiting;
    } catch (error) {
      const uncaptured = await db.query<Array<{ id: string; state: string; attempts: string | null }>>(
        `SELECT p.id, p.state,
                (SELECT GROUP_CONCAT(CONCAT(a.operation, '=', a.outcome, ' ', IFNULL(a.detail, '')) SEPARATOR '; ')
                   FROM payment_attempts a WHERE a.payment_id = p.id AND a.operation LIKE 'capture%') AS attempts
           FROM payments p WHERE p.state <> 'captured'`,
      );
      const index = (id: string) => payments.findIndex((payment) => payment.paymentId === id);
      const queue = api.app.get<Queue>(getQueueToken(PAYMENTS_QUEUE), { strict: false });
      const failed = await queue.getFailed();
      const errors = (lives.at(-1)?.output() ?? '')
        .split('\n')
        .filter((line) => line && !/^\{"level":(10|20|30|40),/.test(line))
        .slice(-30);
      throw new Error(
        [
          error instanceof Error ? error.message : String(error),
          '--- payments not captured ---',
          ...uncaptured.map(
            (row) => `#${index(row.id)} ${row.state}: ${row.attempts ?? 'no capture attempt'}`,
          ),
          '--- failed payment jobs ---',
          ...failed.map((job) => `${job.name} ${JSON.stringify(job.data)}: ${job.failedReason ?? ''}`),
          "--- the last worker's errors ---",
          ...errors,
        ].join('\n'),
        { cause: error },
      );
    }
  };

  it('captures every order exactly once at Stripe and records it once', async () => {
    const startedAt = Date.now();
    const kills: Array<{ kill: Kill; request: FakeStripeRequest; state: string; captures: number }> = [];
    let hookError: unknown = null;

    fake.beforeAnswer = async (request) => {
      const kill = PLAN[kills.length];
      if (!kill || !worker || request.method !== 'POST' || !request.path.endsWith('/capture')) return;
      if (request.paymentIntent !== payments[kill.payment].intent) return;
      if (kill.on === 'effect' ? request.effect !== 'payment_intents.capture' : !request.replayed) return;
      const victim = worker;
      worker = null; // claimed synchronously: a concurrent request cannot take the same kill
      const timing = timings[lives.indexOf(victim)];
      timing.held = Date.now();
      try {
        // The captures killed before are rerun and committed first, so each kill finds one capture in
        // flight — except where the plan kills a rerun itself.
        const earlier = [...new Set(PLAN.slice(0, kills.length).map((entry) => entry.payment))].filter(
          (index) => index !== kill.payment,
        );
        await waitFor(
          async () => (await recorded(earlier)).every((row) => row.state === 'captured'),
          30_000,
          `the captures killed before ${JSON.stringify(kill)} to be rerun and recorded`,
        );
        victim.child.kill('SIGKILL');
        await victim.exited;
        timing.killed = Date.now();
        // The kill landed between Stripe's capture and our commit: nothing of it is recorded.
        const [row] = await recorded([kill.payment]);
        kills.push({ kill, request, ...row });
        if (row.state !== 'authorized' || row.captures !== 0)
          throw new Error(`kill ${kills.length} came after the commit: ${JSON.stringify(row)}`);
      } catch (error) {
        hookError = error;
      }
    };

    for (const [index, kill] of PLAN.entries()) {
      if (kill.on === 'effect') await requestCapture(payments[kill.payment]);
      worker = startWorker();
      const life = worker;
      await explained(
        waitFor(
          () => {
            if (hookError) throw hookError as Error;
            if (life.child.exitCode !== null && kills.length <= index)
              throw new Error(`the worker exited by itself (${life.child.exitCode})`);
            return Promise.resolve(kills.length > index);
          },
          90_000,
          `kill ${index + 1} (${JSON.stringify(kill)})`,
        ),
      );
    }

    // The last worker is left alone: the job killed last is rerun, the other five captured at once.
    fake.beforeAnswer = null;
    const neverKilled = range(0, ORDERS).filter((index) => !PLAN.some((kill) => kill.payment === index));
    expect(neverKilled).toHaveLength(5);
    for (const index of neverKilled) await requestCapture(payments[index]);
    worker = startWorker();
    await explained(
      waitFor(
        async () => (await recorded(range(0, ORDERS))).every((row) => row.state === 'captured'),
        90_000,
        'every payment recorded captured',
      ),
    );
    const queue = api.app.get<Queue>(getQueueToken(PAYMENTS_QUEUE), { strict: false });
    await waitFor(
      async () => {
        // The worker's repeatable reconciliation job always waits for its next run: not work left over.
        const pending = await queue.getJobs(['active', 'waiting', 'delayed']);
        return pending.every((job) => job.name === PaymentsJobs.reconcile);
      },
      30_000,
      'the payments queue to drain',
    );
    const elapsed = Date.now() - startedAt;

    // Every kill landed where it was meant to: after Stripe's capture (or its replay), before the commit.
    expect(kills.map((entry) => entry.kill)).toEqual(PLAN);
    for (const { kill, request, state, captures } of kills) {
      expect({ kill, state, captures }).toEqual({ kill, state: 'authorized', captures: 0 });
      expect(request.idempotencyKey).toBe(`${payments[kill.payment].paymentId}:capture`);
    }
    expect(lives).toHaveLength(PLAN.length + 1);
    for (const life of lives.slice(0, -1)) expect(life.child.signalCode).toBe('SIGKILL');

    // Stripe: one capture effect per PaymentIntent, every rerun a replay of the same key.
    expect(fake.effectCount('payment_intents.capture')).toBe(ORDERS);
    for (const [index, payment] of payments.entries()) {
      expect({ index, captures: fake.effectCount('payment_intents.capture', payment.intent) }).toEqual({
        index,
        captures: 1,
      });
      const intent = fake.paymentIntent(payment.intent);
      expect({ index, status: intent.status, received: intent.amount_received }).toEqual({
        index,
        status: 'succeeded',
        received: payment.amount,
      });
      const calls = fake.requests.filter(
        (request) => request.paymentIntent === payment.intent && request.path.endsWith('/capture'),
      );
      expect(calls.every((call) => call.idempotencyKey === `${payment.paymentId}:capture`)).toBe(true);
      expect(calls.filter((call) => !call.replayed)).toHaveLength(1);
      const killedTimes = PLAN.filter((kill) => kill.payment === index).length;
      // A killed capture was called again by its rerun and answered from the key.
      expect(calls.filter((call) => call.replayed).length).toBeGreaterThanOrEqual(killedTimes);
    }

    // Storekeep: captured for the full amount, one capture attempt, the order paid once.
    const rows = await db.query<
      Array<{ id: string; state: string; amount: number; captured_amount: number; attempts: string }>
    >(
      `SELECT p.id, p.state, p.amount, p.captured_amount,
              (SELECT GROUP_CONCAT(CONCAT(a.operation, '=', a.outcome) ORDER BY a.id)
                 FROM payment_attempts a WHERE a.payment_id = p.id AND a.operation LIKE 'capture%') AS attempts
         FROM payments p WHERE p.id IN (?)`,
      [payments.map((payment) => payment.paymentId)],
    );
    expect(rows).toHaveLength(ORDERS);
    for (const row of rows)
      expect(row).toEqual({
        id: row.id,
        state: 'captured',
        amount: row.amount,
        captured_amount: row.amount,
        attempts: 'capture=captured',
      });
    for (const payment of payments) {
      const order = (await admin.send<Order>('GET', `/v1/admin/orders/${payment.orderId}`)).body;
      expect(order.status).toBe('paid');
      expect(order.history.filter((entry) => entry.to === 'paid')).toHaveLength(1);
    }

    // Bull: every capture job completed, none failed (a job killed twice was rerun, not given up),
    // and no job of any queue was given up for having been abandoned by a killed worker.
    const counts = await queue.getJobCounts();
    expect(counts.failed).toBe(0);
    const completed = (await queue.getCompleted(0, 1000)).filter((job) => job.name === PaymentsJobs.capture);
    expect(completed).toHaveLength(ORDERS);
    for (const name of QUEUE_NAMES) {
      const failed = await api.app.get<Queue>(getQueueToken(name), { strict: false }).getFailed();
      expect({
        name,
        stalled: failed.filter((job) => /stalled/.test(job.failedReason ?? '')).length,
      }).toEqual({
        name,
        stalled: 0,
      });
    }

    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const killedLives = timings.slice(0, -1);
    process.stdout.write(
      `capture kill test: ${kills.length} kills, ${lives.length} worker processes, ${elapsed} ms; ` +
        `median per life: start ${median(killedLives.map((t) => (t.ready ?? NaN) - t.spawned))} ms, ` +
        `ready to capture ${median(killedLives.map((t) => (t.held ?? NaN) - (t.ready ?? NaN)))} ms, ` +
        `hold to dead ${median(killedLives.map((t) => (t.killed ?? NaN) - (t.held ?? NaN)))} ms\n`,
    );
  }, 600_000);
});
