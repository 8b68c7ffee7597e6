import { request, SmtpReceiver, type ReceivedMail } from '@app/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createToolContext } from '../../src/cli/app-context';
import { InvariantsService, OpsModule, type InvariantReport } from '../../src/modules/ops';
import { SANDBOX_CARDS } from '../../src/modules/payments/providers/sandbox.provider';
import { DataSource } from 'typeorm';
import { AuthClient, createUser } from './auth-client';
import { payWithCard } from './payments-shop';
import { ShopAdmin, ShopClient } from './shop-client';
import { TestEnvironment, type TestApi } from './test-environment';
import { waitFor } from './wait-for';
import { CompiledApp, runEntry, servicesEnvironment, type Running } from './processes';

/** Where `npm run chaos` finds each scenario's figures (reports/ is not committed). */
export const CHAOS_FIGURES_DIR = join(__dirname, '../../reports/chaos');

/**
 * The scenario's size: small in CI (`npm test`), the full counts under `npm run chaos`
 * (CHAOS_FULL=1), or a count given with CHAOS_COUNT.
 */
export function chaosCount(ci: number, full: number): number {
  // A knob of the test run, not of the app: it never reaches AppConfig.
  if (process.env.CHAOS_COUNT) return Number(process.env.CHAOS_COUNT);
  return process.env.CHAOS_FULL === '1' ? full : ci;
}

/** Prints a scenario's figures and keeps them for `npm run chaos`'s table. */
export async function recordChaosFigures(
  scenario: string,
  figures: Record<string, number | string>,
): Promise<void> {
  process.stdout.write(`chaos ${scenario}: ${JSON.stringify(figures)}\n`);
  await mkdir(CHAOS_FIGURES_DIR, { recursive: true });
  await writeFile(
    join(CHAOS_FIGURES_DIR, `${scenario}.json`),
    `${JSON.stringify({ scenario, at: new Date().toISOString(), figures }, null, 2)}\n`,
  );
}

/** The invariants a report found broken, by name, with their counts ({} when every one holds). */
export const brokenInvariants = (report: InvariantReport): Record<string, number> =>
  Object.fromEntries(
    report.invariants.filter((entry) => entry.count > 0).map((entry) => [entry.name, entry.count]),
  );

/** Runs the invariant checker in-process against the environment's database and queues. */
export async function checkInvariants(env: TestEnvironment): Promise<InvariantReport> {
  let tool: INestApplicationContext | undefined;
  try {
    tool = await createToolContext(env.config, [OpsModule]);
    return await tool.get(InvariantsService).check();
  } finally {
    await tool?.close();
  }
}

/** Runs `check-invariants --json` as an operator would (compiled), returning its exit code and report. */
export async function checkInvariantsCommand(
  compiled: CompiledApp,
  env: Record<string, string>,
): Promise<{ code: number | null; report: InvariantReport }> {
  const run = runEntry('src/cli/check-invariants.ts', { LOG_LEVEL: 'warn', ...env }, compiled, ['--json']);
  const code = await run.exited;
  return { code, report: JSON.parse(run.output()) as InvariantReport };
}

/**
 * Worker processes (compiled src/worker.ts) that the scenario kills with SIGKILL at random moments and
 * starts again: `lives` keeps every one, so teardown can reap them all.
 */
export class WorkerFleet {
  readonly lives: Running[] = [];

  constructor(
    private readonly compiled: CompiledApp,
    private readonly env: Record<string, string>,
  ) {}

  static environment(env: TestEnvironment, extra: Record<string, string> = {}): Record<string, string> {
    return {
      NODE_ENV: 'test',
      // info: the worker's "Worker started" line is what tells the fleet it runs.
      LOG_LEVEL: 'info',
      ...servicesEnvironment(env.config),
      OUTBOX_POLL_INTERVAL_MS: '50',
      // A killed job is found again within ~2 s instead of Bull's 30 s lock.
      WORKER_JOB_LOCK_MS: '2000',
      WORKER_STALLED_CHECK_INTERVAL_MS: '1000',
      ...extra,
    };
  }

  start(): Running {
    const life = runEntry('src/worker.ts', this.env, this.compiled);
    this.lives.push(life);
    return life;
  }

  get current(): Running | undefined {
    return this.lives.at(-1);
  }

  /** SIGKILLs the running worker (if any) and waits until it is gone. */
  async kill(): Promise<void> {
    const life = this.current;
    if (!life || life.child.exitCode !== null || life.child.signalCode !== null) return;
    life.child.kill('SIGKILL');
    await life.exited;
  }

  async stopAll(): Promise<void> {
    for (const life of this.lives)
      if (life.child.exitCode === null && life.child.signalCode === null) life.child.kill('SIGKILL');
    await Promise.all(this.lives.map((life) => life.exited));
  }
}

/** A random whole number of milliseconds in [min, max): when the next kill lands. */
export const randomDelay = (min: number, max: number): number =>
  Math.floor(min + Math.random() * (max - min));

/** One order of a chaos scenario, as the client saw it accepted. */
export interface ChaosOrder {
  orderId: string;
  paymentId: string;
  email: string;
}

/** What the clients of a scenario saw fail (and retried): by status, 0 for a refused connection. */
export type FailureTally = Map<number, number>;

/**
 * A storefront customer and the shop's staff under chaos: each order goes through checkout, a sandbox
 * card authorization and a capture request (manual capture, so the capture is a job). A step that
 * fails with a 5xx, a dropped connection or a 409 for its key still in flight is retried, as a client
 * told Retry-After would, with the same Idempotency-Key; what failed is tallied by status.
 */
export class ChaosShopper {
  readonly failures: FailureTally = new Map();

  constructor(
    private readonly baseUrl: string,
    private readonly admin: ShopAdmin,
    private readonly variantId: string,
  ) {}

  async placeAndPay(index: number): Promise<ChaosOrder> {
    const shop = new ShopClient(this.baseUrl);
    const email = `chaos-${index}-${randomUUID().slice(0, 8)}@example.test`;
    const cart = await this.retried(() => shop.send('POST', '/v1/carts', {}, {}), 201);
    const shopper = { cartToken: (cart.body as unknown as { token: string }).token };
    const cartId = (cart.body as unknown as { id: string }).id;
    await this.retried(() => shop.send('POST', `/v1/carts/${cartId}/items`, shopper, this.item(index)), 200);
    await this.retried(
      () => shop.prepare(cartId, shopper, undefined, email).then(() => ({ status: 200 })),
      200,
    );
    const checkoutKey = randomUUID();
    const placed = await this.retried(
      () => shop.checkout(cartId, shopper, checkoutKey, { paymentMethod: 'card' }),
      201,
    );
    const orderId = placed.body.id;
    const payKey = randomUUID();
    const paid = await this.retried(
      () => payWithCard(shop, orderId, shopper, SANDBOX_CARDS.succeeds, payKey),
      201,
    );
    if (paid.body.state !== 'authorized') throw new Error(`payment: ${paid.status} ${paid.text}`);
    const captureKey = randomUUID();
    await this.retried(
      () =>
        this.admin.send(
          'POST',
          `/v1/admin/payments/${paid.body.id}/capture`,
          {},
          { 'idempotency-key': captureKey },
        ),
      202,
    );
    return { orderId, paymentId: paid.body.id, email };
  }

  private item(index: number) {
    return { variantId: this.variantId, quantity: 1 + (index % 2) };
  }

  /** Sends until the step answers `expected`; a 5xx or a dropped connection is tallied and retried. */
  private async retried<T extends { status: number }>(send: () => Promise<T>, expected: number): Promise<T> {
    let last: T | undefined;
    let lastError: unknown;
    await waitFor(
      async () => {
        try {
          last = await send();
          lastError = undefined;
        } catch (error) {
          // The first step of prepare() throws on a failed status; fetch throws on a refused connection.
          const status = /failed: (\d{3})/.exec(String(error))?.[1];
          this.tally(status ? Number(status) : 0);
          lastError = error;
          return false;
        }
        // 409 in-flight: the first try of this key died with its dependency before it could release
        // its claim; the claim lapses after IDEMPOTENCY_LOCK_SECONDS (Retry-After says when).
        if (
          last.status >= 500 ||
          (last.status === 409 && JSON.stringify(last).includes('idempotency-key-in-flight'))
        ) {
          this.tally(last.status);
          return false;
        }
        return true;
      },
      60_000,
      'a step to get through',
    ).catch((error: Error) => {
      const seen = lastError instanceof Error ? lastError.message : JSON.stringify(last);
      throw new Error(`${error.message}: ${seen}`, { cause: error });
    });
    if (!last || last.status !== expected)
      throw new Error(`expected ${expected}, got ${JSON.stringify(last)}`);
    return last;
  }

  private tally(status: number): void {
    this.failures.set(status, (this.failures.get(status) ?? 0) + 1);
  }
}

/** A mail is the same mail when it goes to the same address with the same subject. */
export const mailKey = (mail: { recipients: string[]; parsed: { subject?: string } }): string =>
  `${mail.recipients.join(',')}|${mail.parsed.subject ?? ''}`;

/** A shop for a chaos scenario: the API in-process, worker processes to kill, a mail catcher. */
export interface ChaosShop {
  env: TestEnvironment;
  api: TestApi;
  db: DataSource;
  compiled: CompiledApp;
  smtp: SmtpReceiver;
  fleet: WorkerFleet;
  admin: ShopAdmin;
  shopper: ChaosShopper;
  /** The customers' mails (staff also get low-stock alerts as the stock runs down). */
  customerMails(): ReceivedMail[];
  /** Payments recorded captured. */
  captured(): Promise<number>;
  /** Per payment: its amount, state, capture attempts recorded and what the sandbox captured. */
  payments(): Promise<
    Array<{ id: string; amount: number; state: string; captures: number; charged: number }>
  >;
  stop(): Promise<void>;
}

/**
 * Starts a ChaosShop: sandbox cards with manual capture (so every capture is a job), a variant with
 * `stock` units, and workers that mail to a local SMTP catcher. `overrides` and `workerEnv` add what a
 * scenario needs (its own Redis, webhooks).
 */
export async function startChaosShop(options: {
  stock: number;
  overrides?: Parameters<typeof TestEnvironment.create>[0];
  workerEnv?: Record<string, string>;
}): Promise<ChaosShop> {
  const compiled = await CompiledApp.build();
  const smtp = await SmtpReceiver.start();
  const env = await TestEnvironment.create({ payments: { captureMethod: 'manual' }, ...options.overrides });
  const api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
  const db = api.app.get(DataSource);
  const fleet = new WorkerFleet(
    compiled,
    WorkerFleet.environment(env, {
      PAYMENTS_CAPTURE_METHOD: 'manual',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      ...options.workerEnv,
    }),
  );
  const client = new AuthClient(api.baseUrl);
  const owner = await createUser(client, db, { role: 'admin' });
  const admin = new ShopAdmin(client, owner.tokens.accessToken);
  await admin.setUp();
  const { variantId } = await admin.variantWithStock(options.stock, 1990);
  const customerMails = () =>
    smtp.messages.filter((mail) => mail.recipients.some((to) => to.startsWith('chaos-')));
  return {
    env,
    api,
    db,
    compiled,
    smtp,
    fleet,
    admin,
    shopper: new ChaosShopper(api.baseUrl, admin, variantId),
    customerMails,
    captured: async () => {
      const [{ n }] = await db.query<Array<{ n: string }>>(
        "SELECT COUNT(*) AS n FROM payments WHERE state = 'captured'",
      );
      return Number(n);
    },
    payments: async () => {
      const rows = await db.query<
        Array<{ id: string; amount: number; state: string; captures: string; charged: string | null }>
      >(
        `SELECT p.id, p.amount, p.state,
                (SELECT COUNT(*) FROM payment_attempts a WHERE a.payment_id = p.id AND a.operation = 'capture') AS captures,
                (SELECT SUM(c.captured) FROM sandbox_charges c WHERE c.payment_id = p.id) AS charged
           FROM payments p`,
      );
      return rows.map((row) => ({ ...row, captures: Number(row.captures), charged: Number(row.charged) }));
    },
    stop: async () => {
      await fleet.stopAll();
      await smtp.close();
      await env.cleanup();
      await compiled.remove();
    },
  };
}

/** Orders placed and paid by `concurrency` clients at once, `count` in all (each index once). */
export async function placeOrders(
  shopper: ChaosShopper,
  count: number,
  concurrency: number,
  orders: ChaosOrder[] = [],
): Promise<ChaosOrder[]> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) orders.push(await shopper.placeAndPay(next++));
    }),
  );
  return orders;
}

/** The invariant checker finds nothing, in-process and as the command an operator runs; its report. */
export async function expectInvariantsToHold(shop: ChaosShop): Promise<InvariantReport> {
  const report = await checkInvariants(shop.env);
  expect(brokenInvariants(report)).toEqual({});
  const command = await checkInvariantsCommand(shop.compiled, WorkerFleet.environment(shop.env));
  expect({ code: command.code, broken: brokenInvariants(command.report) }).toEqual({ code: 0, broken: {} });
  return report;
}

/** A dependency a scenario takes away under load (a private redis-server or mariadbd). */
export interface Outage {
  kill(): Promise<void>;
  start(): Promise<void>;
}

/**
 * Starts a worker, places `count` orders, and once a third of them is through kills the dependency:
 * readiness must turn 503 with Retry-After, `whileDown` may check more, and after a random 0.5–1.5 s
 * the dependency starts again. Resolves when every order went through (the clients retried).
 */
export async function ordersThroughOutage(
  shop: ChaosShop,
  count: number,
  dependency: Outage,
  whileDown: () => Promise<void> = () => Promise.resolve(),
): Promise<{ orders: ChaosOrder[]; downMs: number; worker: Running }> {
  const worker = shop.fleet.start();
  await waitFor(
    () => Promise.resolve(worker.output().includes('Worker started')),
    60_000,
    'the worker to start',
  );
  const orders: ChaosOrder[] = [];
  const producing = placeOrders(shop.shopper, count, 4, orders);
  await waitFor(
    () => Promise.resolve(orders.length >= Math.ceil(count / 3)),
    120_000,
    'a third of the orders',
  );
  await dependency.kill();
  const downAt = Date.now();
  const readiness = `${shop.api.baseUrl}/health/ready`;
  await waitFor(async () => (await request(readiness)).status === 503, 10_000, 'readiness to fail');
  const ready = await request(readiness);
  expect({ status: ready.status, retryAfter: ready.headers.get('retry-after') }).toEqual({
    status: 503,
    retryAfter: '5',
  });
  await whileDown();
  await new Promise((resolve) => setTimeout(resolve, randomDelay(500, 1_500)));
  await dependency.start();
  const downMs = Date.now() - downAt;
  await producing;
  return { orders, downMs, worker };
}
