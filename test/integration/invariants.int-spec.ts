import { getQueueToken } from '@nestjs/bull';
import type { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { createToolContext } from '../../src/cli/app-context';
import { InvariantsService, OpsModule, type InvariantReport } from '../../src/modules/ops';
import { MAINTENANCE_QUEUE } from '../../src/modules/outbox';
import { SANDBOX_CARDS } from '../../src/modules/payments/providers/sandbox.provider';
import {
  orderAwaitingPayment,
  payWithCard,
  startPaymentsShop,
  type PaymentsShop,
} from '../support/payments-shop';
import { CompiledApp, runEntry, servicesEnvironment } from '../support/processes';
import { waitForWorkToDrain } from '../support/wait-for';

/** The invariants a report found broken, by name, with their counts. */
const broken = (report: InvariantReport): Record<string, number> =>
  Object.fromEntries(
    report.invariants.filter((entry) => entry.count > 0).map((entry) => [entry.name, entry.count]),
  );

/**
 * The invariant checker (issue 19) on real MariaDB and Redis: a shop with a paid order and an order
 * awaiting payment is clean; then each violation is written the way a crash or a bug would leave it,
 * the checker must report exactly that invariant, and the violation is undone before the next one.
 * The checker's command runs once on the clean state and once on a broken one.
 */
describe('invariant checker', () => {
  let shop: PaymentsShop;
  let db: DataSource;
  let tool: INestApplicationContext;
  let checker: InvariantsService;
  let paidOrderId: string;
  let paymentId: string;
  let pendingOrderId: string;
  let paymentState: string;

  beforeAll(async () => {
    shop = await startPaymentsShop();
    db = shop.db;
    const paid = await orderAwaitingPayment(shop.admin, shop.shop);
    const payment = await payWithCard(shop.shop, paid.order.id, paid.shopper, SANDBOX_CARDS.succeeds);
    if (payment.status !== 201) throw new Error(payment.text);
    paidOrderId = paid.order.id;
    paymentId = payment.body.id;
    paymentState = payment.body.state;
    pendingOrderId = (await orderAwaitingPayment(shop.admin, shop.shop)).order.id;
    // Every side effect relayed and run, then no worker: nothing repairs what the tests break.
    await waitForWorkToDrain(shop.worker);
    await shop.env.closeApp(shop.worker);
    tool = await createToolContext(shop.env.config, [OpsModule]);
    checker = tool.get(InvariantsService);
  }, 120_000);

  afterAll(async () => {
    await tool?.close();
    await shop?.env.cleanup();
  });

  it('finds every invariant holding in a shop left in order', async () => {
    const report = await checker.check();
    expect(report.invariants.map((entry) => entry.name).sort()).toEqual([
      'jobs.stuckActive',
      'orders.paidWithoutPayment',
      'orders.pastDeadline',
      'outbox.unpublished',
      'payments.doubleCharge',
      'payments.orphanCharge',
      'reservations.pastDeadline',
      'stock.outOfBounds',
      'stock.reservedAdrift',
    ]);
    expect(broken(report)).toEqual({});
    expect(report).toMatchObject({ ok: true, violations: 0 });
  });

  /** Each case breaks one invariant with SQL (or Redis), expects exactly it, and puts things back. */
  const cases: Array<{
    name: string;
    count: number;
    breakIt: () => Promise<unknown>;
    repair: () => Promise<unknown>;
  }> = [
    {
      name: 'reservations.pastDeadline',
      count: 1,
      breakIt: () =>
        db.query(
          `UPDATE inventory_reservations SET expires_at = CURRENT_TIMESTAMP(3) - INTERVAL 1 HOUR
              WHERE reference = ?`,
          [`order:${pendingOrderId}`],
        ),
      repair: () =>
        db.query(
          `UPDATE inventory_reservations SET expires_at = CURRENT_TIMESTAMP(3) + INTERVAL 1 HOUR
              WHERE reference = ?`,
          [`order:${pendingOrderId}`],
        ),
    },
    {
      name: 'orders.pastDeadline',
      count: 1,
      breakIt: () =>
        db.query('UPDATE orders SET expires_at = CURRENT_TIMESTAMP(3) - INTERVAL 1 HOUR WHERE id = ?', [
          pendingOrderId,
        ]),
      repair: () =>
        db.query('UPDATE orders SET expires_at = CURRENT_TIMESTAMP(3) + INTERVAL 1 HOUR WHERE id = ?', [
          pendingOrderId,
        ]),
    },
    {
      name: 'stock.outOfBounds',
      count: 1,
      // The CHECK constraints refuse it; a session without them stands for a bug that bypassed them.
      breakIt: () =>
        db.transaction(async (manager) => {
          await manager.query('SET SESSION check_constraint_checks = 0');
          await manager.query(
            'UPDATE inventory_levels SET on_hand = on_hand - 100000 ORDER BY variant_id LIMIT 1',
          );
          await manager.query('SET SESSION check_constraint_checks = 1');
        }),
      repair: () => db.query('UPDATE inventory_levels SET on_hand = on_hand + 100000 WHERE on_hand < 0'),
    },
    {
      name: 'stock.reservedAdrift',
      count: 1,
      breakIt: () =>
        db.query(
          'UPDATE inventory_levels SET reserved = reserved + 1, on_hand = on_hand + 1000 WHERE on_hand > reserved ORDER BY variant_id LIMIT 1',
        ),
      repair: () =>
        db.query(
          'UPDATE inventory_levels SET reserved = reserved - 1, on_hand = on_hand - 1000 WHERE on_hand >= 1000',
        ),
    },
    {
      name: 'outbox.unpublished',
      count: 2,
      breakIt: () =>
        db.query(
          `INSERT INTO outbox (queue, job_name, payload, created_at) VALUES
               ('notifications', 'probe', '{}', CURRENT_TIMESTAMP(3) - INTERVAL 1 MINUTE),
               ('nowhere', 'probe', '{}', CURRENT_TIMESTAMP(3) - INTERVAL 1 MINUTE)`,
        ),
      repair: () => db.query("DELETE FROM outbox WHERE job_name = 'probe'"),
    },
    {
      name: 'jobs.stuckActive',
      count: 1,
      // What a SIGKILLed worker leaves once its lock expired: the job in the active list, no lock.
      breakIt: async () => {
        const queue = tool.get<Queue>(getQueueToken(MAINTENANCE_QUEUE), { strict: false });
        const job = await queue.add('probe', {});
        await queue.client.lrem(queue.toKey('wait'), 0, String(job.id));
        await queue.client.lpush(queue.toKey('active'), String(job.id));
      },
      repair: async () => {
        const queue = tool.get<Queue>(getQueueToken(MAINTENANCE_QUEUE), { strict: false });
        for (const id of await queue.client.lrange(queue.toKey('active'), 0, -1)) {
          await queue.client.lrem(queue.toKey('active'), 0, id);
          await (await queue.getJob(id))?.remove();
        }
      },
    },
    {
      name: 'payments.doubleCharge',
      count: 1,
      breakIt: () =>
        db.query(
          `INSERT INTO payments (id, order_id, provider, provider_reference, amount, currency, state, captured_amount)
             SELECT UUID(), order_id, provider, CONCAT(provider_reference, '-again'), amount, currency, state, captured_amount
               FROM payments WHERE id = ?`,
          [paymentId],
        ),
      repair: () =>
        db.query("DELETE FROM payments WHERE order_id = ? AND provider_reference LIKE '%-again'", [
          paidOrderId,
        ]),
    },
    {
      name: 'payments.orphanCharge',
      count: 1,
      breakIt: () => db.query('UPDATE orders SET paid_at = NULL WHERE id = ?', [paidOrderId]),
      repair: () => db.query('UPDATE orders SET paid_at = CURRENT_TIMESTAMP(3) WHERE id = ?', [paidOrderId]),
    },
    {
      name: 'orders.paidWithoutPayment',
      count: 1,
      breakIt: () => db.query("UPDATE payments SET state = 'failed' WHERE id = ?", [paymentId]),
      repair: () => db.query('UPDATE payments SET state = ? WHERE id = ?', [paymentState, paymentId]),
    },
  ];

  it.each(cases.map((entry) => [entry.name, entry] as const))(
    'reports %s, and only it',
    async (_name, entry) => {
      await entry.breakIt();
      let report: InvariantReport;
      try {
        report = await checker.check();
      } finally {
        await entry.repair();
      }
      expect(broken(report)).toEqual({ [entry.name]: entry.count });
      expect(report.ok).toBe(false);
      expect(report.invariants.find((invariant) => invariant.name === entry.name)!.samples).toHaveLength(
        entry.count,
      );
      expect(broken(await checker.check())).toEqual({});
    },
  );

  it('is a command: text and exit 0 when clean, JSON and exit 1 with a violation', async () => {
    const env = { NODE_ENV: 'test', LOG_LEVEL: 'warn', ...servicesEnvironment(shop.env.config) };
    // Compiled as the build runs it (node dist/src/cli/check-invariants.js): ts-node takes ~25 s a start here.
    const compiled = await CompiledApp.build();
    const clean = runEntry('src/cli/check-invariants.ts', env, compiled);
    expect(await clean.exited).toBe(0);
    expect(clean.output()).toMatch(/every invariant holds in sk_test_/);
    expect(clean.output()).toMatch(/ok +outbox\.unpublished +0 /);

    await db.query("UPDATE payments SET state = 'failed' WHERE id = ?", [paymentId]);
    try {
      const broke = runEntry('src/cli/check-invariants.ts', env, compiled, ['--json']);
      expect(await broke.exited).toBe(1);
      const report = JSON.parse(broke.output()) as InvariantReport;
      expect(broken(report)).toEqual({ 'orders.paidWithoutPayment': 1 });
      expect(report.invariants.find((entry) => entry.name === 'orders.paidWithoutPayment')!.samples).toEqual([
        paidOrderId,
      ]);
    } finally {
      await db.query('UPDATE payments SET state = ? WHERE id = ?', [paymentState, paymentId]);
      await compiled.remove();
    }
  }, 60_000);
});
