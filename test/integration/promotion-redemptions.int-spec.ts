import { TransactionRunner } from '@app/database';
import { TestEnvironment } from '../support/test-environment';
import { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource, QueryFailedError } from 'typeorm';
import { PromotionRedemptionsService } from '../../src/modules/promotions/promotion-redemptions.service';
import { PromotionsCoreModule } from '../../src/modules/promotions/promotions-core.module';
import {
  OrderAlreadyRedeemedError,
  PromotionUnavailableError,
  type PromotionUnavailableReason,
} from '../../src/modules/promotions/promotions.errors';

const CONCURRENCY = 50;
const ROUNDS = 10;
const HOUR = 3_600_000;

interface PromotionSeed {
  usageLimit?: number | null;
  perCustomerLimit?: number | null;
  timesUsed?: number;
  active?: boolean;
  startsAt?: Date | null;
  endsAt?: Date | null;
}

describe('promotion redemptions on real MySQL', () => {
  let env: TestEnvironment;
  let worker: INestApplicationContext;
  let transactions: TransactionRunner;
  let redemptions: PromotionRedemptionsService;
  let db: DataSource;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    // One connection per concurrent transaction, so all 50 really run at once.
    worker = await env.startWorker([PromotionsCoreModule], { database: { poolSize: CONCURRENCY } });
    transactions = worker.get(TransactionRunner);
    redemptions = worker.get(PromotionRedemptionsService);
    db = worker.get<DataSource>(getDataSourceToken());
  });
  afterAll(() => env.cleanup());

  /** A percentage promotion written straight to the table: these tests are about the counters. */
  async function seedPromotion(seed: PromotionSeed = {}): Promise<{ id: string; code: string }> {
    const id = randomUUID();
    const code = `T-${randomBytes(5).toString('hex').toUpperCase()}`;
    await db.query(
      `INSERT INTO promotions (id, code, kind, percent_bp, usage_limit, per_customer_limit, times_used, active, starts_at, ends_at)
       VALUES (?, ?, 'percentage', 1000, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        code,
        seed.usageLimit ?? null,
        seed.perCustomerLimit ?? null,
        seed.timesUsed ?? 0,
        seed.active ?? true,
        seed.startsAt ?? null,
        seed.endsAt ?? null,
      ],
    );
    return { id, code };
  }

  async function usage(promotionId: string) {
    const [promotion] = await db.query<Array<{ times_used: number }>>(
      'SELECT times_used FROM promotions WHERE id = ?',
      [promotionId],
    );
    const rows = await db.query<Array<{ status: string; n: number }>>(
      'SELECT status, COUNT(*) AS n FROM promotion_redemptions WHERE promotion_id = ? GROUP BY status',
      [promotionId],
    );
    const count = (status: string) => Number(rows.find((row) => row.status === status)?.n ?? 0);
    return { timesUsed: Number(promotion.times_used), active: count('active'), released: count('released') };
  }

  async function customerUses(promotionId: string, customerKey: string): Promise<number> {
    const rows = await db.query<Array<{ uses: number }>>(
      'SELECT uses FROM promotion_customer_usage WHERE promotion_id = ? AND customer_key = ?',
      [promotionId, customerKey],
    );
    return Number(rows[0]?.uses ?? 0);
  }

  const redeem = (code: string, customerKey: string, orderId: string = randomUUID(), now = new Date()) =>
    transactions.run((manager) => redemptions.redeemWithin(manager, { code, orderId, customerKey, now }));

  const release = (orderId: string) =>
    transactions.run((manager) => redemptions.releaseWithin(manager, orderId));

  /** Fires all redemptions at once and sorts the outcomes; anything but a refusal fails the test. */
  async function race(attempts: Array<() => Promise<unknown>>) {
    const settled = await Promise.allSettled(attempts.map((attempt) => attempt()));
    const reasons: PromotionUnavailableReason[] = [];
    for (const outcome of settled) {
      if (outcome.status === 'fulfilled') continue;
      if (!(outcome.reason instanceof PromotionUnavailableError)) throw outcome.reason;
      reasons.push(outcome.reason.reason);
    }
    return { succeeded: settled.length - reasons.length, reasons };
  }

  async function expectRefused(attempt: Promise<unknown>, reason: PromotionUnavailableReason) {
    await expect(attempt).rejects.toBeInstanceOf(PromotionUnavailableError);
    await expect(attempt).rejects.toMatchObject({
      kind: 'conflict',
      type: 'promotion-unavailable',
      reason,
      extensions: { reason, code: expect.any(String) },
    });
  }

  it(`lets exactly 5 of ${CONCURRENCY} concurrent redemptions through, ${ROUNDS} times over`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      // Even rounds: a fresh limit of 5; odd rounds: 5 uses left of 12.
      const seed = round % 2 === 0 ? { usageLimit: 5 } : { usageLimit: 12, timesUsed: 7 };
      const promotion = await seedPromotion(seed);
      const { succeeded, reasons } = await race(
        Array.from({ length: CONCURRENCY }, (_, i) => () => redeem(promotion.code, `user:${round}-${i}`)),
      );
      expect({ round, succeeded }).toEqual({ round, succeeded: 5 });
      expect(reasons).toEqual(Array<PromotionUnavailableReason>(CONCURRENCY - 5).fill('exhausted'));
      expect(await usage(promotion.id)).toEqual({ timesUsed: seed.usageLimit, active: 5, released: 0 });
    }
  });

  it('lets one customer with a per-customer limit of 1 redeem exactly once out of 20 at once', async () => {
    const promotion = await seedPromotion({ usageLimit: 100, perCustomerLimit: 1 });
    const customer = `email:${randomBytes(4).toString('hex')}@example.test`;
    const { succeeded, reasons } = await race(
      Array.from({ length: 20 }, () => () => redeem(promotion.code, customer)),
    );
    expect(succeeded).toBe(1);
    expect(reasons).toEqual(Array<PromotionUnavailableReason>(19).fill('customer-limit'));
    expect(await usage(promotion.id)).toEqual({ timesUsed: 1, active: 1, released: 0 });
    expect(await customerUses(promotion.id, customer)).toBe(1);
    // Another customer is not held back by the first one's limit.
    await expect(redeem(promotion.code, 'user:someone-else')).resolves.toMatchObject({ timesUsed: 2 });
  });

  it('gives a use back on release, exactly once, for the promotion and the customer', async () => {
    const promotion = await seedPromotion({ usageLimit: 2, perCustomerLimit: 1 });
    const [orderA, orderB] = [randomUUID(), randomUUID()];
    await redeem(promotion.code, 'user:a', orderA);
    await redeem(promotion.code, 'user:b', orderB);
    await expectRefused(redeem(promotion.code, 'user:c'), 'exhausted');
    await expectRefused(redeem(promotion.code.toLowerCase(), 'user:a'), 'exhausted');

    await expect(release(orderA)).resolves.toBe(true);
    expect(await usage(promotion.id)).toEqual({ timesUsed: 1, active: 1, released: 1 });
    expect(await customerUses(promotion.id, 'user:a')).toBe(0);
    // Idempotent: neither a second release nor an order without a redemption changes a thing.
    await expect(release(orderA)).resolves.toBe(false);
    await expect(release(randomUUID())).resolves.toBe(false);
    expect(await usage(promotion.id)).toEqual({ timesUsed: 1, active: 1, released: 1 });

    // The use (and the customer's) is really back: user:a may redeem again, on a new order.
    await expect(redeem(promotion.code, 'user:a')).resolves.toMatchObject({ timesUsed: 2 });
    expect(await customerUses(promotion.id, 'user:a')).toBe(1);
  });

  it('releases concurrently without going below zero', async () => {
    const promotion = await seedPromotion({ usageLimit: 3 });
    const order = randomUUID();
    await redeem(promotion.code, 'user:x', order);
    const results = await Promise.all(Array.from({ length: 10 }, () => release(order)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await usage(promotion.id)).toEqual({ timesUsed: 0, active: 0, released: 1 });
  });

  it('refuses codes that are expired, not started, inactive or unknown, consuming nothing', async () => {
    const now = new Date();
    const expired = await seedPromotion({ endsAt: new Date(now.getTime() - HOUR) });
    const endsNow = await seedPromotion({ endsAt: now });
    const notStarted = await seedPromotion({ startsAt: new Date(now.getTime() + HOUR) });
    const inactive = await seedPromotion({ active: false });
    const cases: Array<[string, PromotionUnavailableReason]> = [
      [expired.code, 'expired'],
      [endsNow.code, 'expired'],
      [notStarted.code, 'expired'],
      [inactive.code, 'inactive'],
      ['NO-SUCH-CODE', 'not-found'],
      ['bad code!', 'not-found'],
    ];
    for (const [code, reason] of cases) {
      await expectRefused(redeem(code, 'user:late', randomUUID(), now), reason);
      await expect(transactions.run((m) => redemptions.findUsable(m, code, now))).resolves.toBeNull();
    }
    for (const promotion of [expired, endsNow, notStarted, inactive])
      expect(await usage(promotion.id)).toEqual({ timesUsed: 0, active: 0, released: 0 });

    // Inside its window the same code works, and the lookup is case-insensitive.
    const later = new Date(now.getTime() + 2 * HOUR);
    await expect(
      transactions.run((m) => redemptions.findUsable(m, ` ${notStarted.code.toLowerCase()} `, later)),
    ).resolves.toMatchObject({
      id: notStarted.id,
      code: notStarted.code,
      kind: 'percentage',
      percentBp: 1000,
    });
    await expect(
      redeem(notStarted.code.toLowerCase(), 'user:late', randomUUID(), later),
    ).resolves.toMatchObject({
      id: notStarted.id,
      timesUsed: 1,
    });
  });

  it('finds nothing usable once the uses have run out', async () => {
    const promotion = await seedPromotion({ usageLimit: 1 });
    await expect(
      transactions.run((m) => redemptions.findUsable(m, promotion.code, new Date())),
    ).resolves.toEqual(expect.objectContaining({ usageLimit: 1, timesUsed: 0 }));
    await redeem(promotion.code, 'user:first');
    await expect(
      transactions.run((m) => redemptions.findUsable(m, promotion.code, new Date())),
    ).resolves.toBeNull();
  });

  it('leaves no use consumed when the checkout transaction rolls back', async () => {
    const promotion = await seedPromotion({ usageLimit: 1, perCustomerLimit: 1 });
    const order = randomUUID();
    await expect(
      transactions.run(async (manager) => {
        await redemptions.redeemWithin(manager, {
          code: promotion.code,
          orderId: order,
          customerKey: 'user:r',
          now: new Date(),
        });
        throw new Error('payment declined');
      }),
    ).rejects.toThrow('payment declined');
    expect(await usage(promotion.id)).toEqual({ timesUsed: 0, active: 0, released: 0 });
    expect(await customerUses(promotion.id, 'user:r')).toBe(0);
    await expect(release(order)).resolves.toBe(false);
    await expect(redeem(promotion.code, 'user:r')).resolves.toMatchObject({ timesUsed: 1 });
  });

  it('changes nothing when it refuses, even if the caller goes on and commits', async () => {
    const promotion = await seedPromotion({ usageLimit: 10, perCustomerLimit: 1 });
    await redeem(promotion.code, 'user:twice');
    // The promotion's counter moves before the customer's limit is found: it must be undone.
    const outcome = await transactions.run(async (manager) => {
      try {
        await redemptions.redeemWithin(manager, {
          code: promotion.code,
          orderId: randomUUID(),
          customerKey: 'user:twice',
          now: new Date(),
        });
        return 'redeemed';
      } catch (error) {
        if (error instanceof PromotionUnavailableError) return error.reason; // checkout without the code
        throw error;
      }
    });
    expect(outcome).toBe('customer-limit');
    expect(await usage(promotion.id)).toEqual({ timesUsed: 1, active: 1, released: 0 });
    expect(await customerUses(promotion.id, 'user:twice')).toBe(1);
  });

  it('redeems at most once per order', async () => {
    const promotion = await seedPromotion({ usageLimit: 10 });
    const other = await seedPromotion();
    const order = randomUUID();
    await redeem(promotion.code, 'user:o', order);
    await expect(redeem(promotion.code, 'user:o', order)).rejects.toBeInstanceOf(OrderAlreadyRedeemedError);
    await expect(redeem(other.code, 'user:o', order)).rejects.toBeInstanceOf(OrderAlreadyRedeemedError);
    expect(await usage(promotion.id)).toEqual({ timesUsed: 1, active: 1, released: 0 });
    expect(await usage(other.id)).toEqual({ timesUsed: 0, active: 0, released: 0 });
  });

  it('refuses to run outside a transaction', async () => {
    const promotion = await seedPromotion();
    await expect(
      redemptions.redeemWithin(db.manager, {
        code: promotion.code,
        orderId: randomUUID(),
        customerKey: 'user:n',
        now: new Date(),
      }),
    ).rejects.toThrow(/inside the caller's transaction/);
    await expect(redemptions.releaseWithin(db.manager, randomUUID())).rejects.toThrow(/transaction/);
    expect(await usage(promotion.id)).toEqual({ timesUsed: 0, active: 0, released: 0 });
  });

  it('has the database itself refuse more uses than the limit', async () => {
    const promotion = await seedPromotion({ usageLimit: 2, timesUsed: 2 });
    await expect(
      db.query('UPDATE promotions SET times_used = times_used + 1 WHERE id = ?', [promotion.id]),
    ).rejects.toBeInstanceOf(QueryFailedError);
    expect((await usage(promotion.id)).timesUsed).toBe(2);
  });
});
