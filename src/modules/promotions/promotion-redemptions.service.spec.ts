import { buildWithMocks, mockOf, rejectionOf, type UnitFixture } from '@app/testing/unit-fixture';
import type { EntityManager } from 'typeorm';
import { Promotion } from './entities/promotion.entity';
import { PromotionRedemption, type RedemptionStatus } from './entities/promotion-redemption.entity';
import { PromotionRedemptionsService, type RedeemInput } from './promotion-redemptions.service';
import {
  OrderAlreadyRedeemedError,
  PromotionUnavailableError,
  type PromotionUnavailableReason,
} from './promotions.errors';
import { RedemptionsRepository } from './redemptions.repository';

const NOW = new Date('2026-12-10T12:00:00Z');
const INPUT: RedeemInput = {
  code: ' ten ',
  orderId: 'order-1',
  customerKey: 'email:a@example.com',
  now: NOW,
};

const promotion = (fields: Partial<Promotion> = {}): Promotion =>
  Object.assign(new Promotion(), {
    id: 'promo-1',
    code: 'TEN',
    kind: 'percentage',
    percentBp: 1000,
    amount: null,
    minSubtotal: null,
    startsAt: null,
    endsAt: null,
    usageLimit: 100,
    perCustomerLimit: 1,
    timesUsed: 5,
    active: true,
    ...fields,
  });
const redemption = (status: RedemptionStatus): PromotionRedemption =>
  Object.assign(new PromotionRedemption(), {
    id: 'red-1',
    promotionId: 'promo-1',
    orderId: 'order-1',
    customerKey: 'email:a@example.com',
    status,
  });

describe('PromotionRedemptionsService', () => {
  let fixture: UnitFixture<PromotionRedemptionsService>;
  let redemptions: jest.Mocked<RedemptionsRepository>;
  const tx = () => fixture.transactions.tx;
  /** The savepoint statements run on the caller's transaction, in order. */
  const savepoints = () => tx().query.mock.calls.map(([sql]) => sql);

  beforeEach(async () => {
    fixture = await buildWithMocks(PromotionRedemptionsService);
    redemptions = fixture.mock(RedemptionsRepository);
    redemptions.consumeUse.mockResolvedValue(true);
    redemptions.findByCode.mockResolvedValue(promotion());
    redemptions.consumeCustomerUse.mockResolvedValue(true);
    redemptions.insertRedemption.mockResolvedValue(true);
  });

  describe('redeemWithin', () => {
    it('uses the code once for the order and the customer, and answers its terms', async () => {
      const rule = await fixture.subject.redeemWithin(tx(), INPUT);
      expect(redemptions.consumeUse).toHaveBeenCalledWith(tx(), 'TEN', NOW);
      expect(redemptions.consumeCustomerUse).toHaveBeenCalledWith(tx(), 'promo-1', 'email:a@example.com', 1);
      expect(redemptions.insertRedemption).toHaveBeenCalledWith(tx(), {
        id: expect.any(String),
        promotionId: 'promo-1',
        orderId: 'order-1',
        customerKey: 'email:a@example.com',
      });
      expect(rule).toMatchObject({ id: 'promo-1', code: 'TEN', kind: 'percentage', percentBp: 1000 });
      expect(savepoints()).toEqual([
        'SAVEPOINT promotion_redemption',
        'RELEASE SAVEPOINT promotion_redemption',
      ]);
    });

    it.each<[string, Partial<Promotion> | null, PromotionUnavailableReason]>([
      ['its usage limit is reached', { usageLimit: 5, timesUsed: 5 }, 'exhausted'],
      ['it expired', { endsAt: new Date('2026-12-01T00:00:00Z') }, 'expired'],
      ['it has not started', { startsAt: new Date('2026-12-31T00:00:00Z') }, 'expired'],
      ['it was withdrawn', { active: false }, 'inactive'],
      ['it was deleted', null, 'not-found'],
      ['its last use was taken just now', {}, 'exhausted'],
    ])('refuses a code when %s, undoing nothing but its own savepoint', async (_label, current, reason) => {
      redemptions.consumeUse.mockResolvedValue(false);
      redemptions.findByCodeCurrent.mockResolvedValue(current && promotion(current));
      const error = await rejectionOf(fixture.subject.redeemWithin(tx(), INPUT), PromotionUnavailableError);
      expect(error.reason).toBe(reason);
      expect(redemptions.consumeCustomerUse).not.toHaveBeenCalled();
      expect(redemptions.insertRedemption).not.toHaveBeenCalled();
      expect(savepoints()).toEqual([
        'SAVEPOINT promotion_redemption',
        'ROLLBACK TO SAVEPOINT promotion_redemption',
      ]);
    });

    it('refuses a customer who used up their own uses, giving the promotion use back', async () => {
      redemptions.consumeCustomerUse.mockResolvedValue(false);
      const error = await rejectionOf(fixture.subject.redeemWithin(tx(), INPUT), PromotionUnavailableError);
      expect(error.reason).toBe('customer-limit');
      expect(redemptions.insertRedemption).not.toHaveBeenCalled();
      // The promotion's counter was taken before; the rollback to the savepoint returns it.
      expect(savepoints().at(-1)).toBe('ROLLBACK TO SAVEPOINT promotion_redemption');
    });

    it('refuses a second redemption for the same order', async () => {
      redemptions.insertRedemption.mockResolvedValue(false);
      await expect(fixture.subject.redeemWithin(tx(), INPUT)).rejects.toBeInstanceOf(
        OrderAlreadyRedeemedError,
      );
      expect(savepoints().at(-1)).toBe('ROLLBACK TO SAVEPOINT promotion_redemption');
    });

    it('refuses a malformed code as not-found without touching the database', async () => {
      const error = await rejectionOf(
        fixture.subject.redeemWithin(tx(), { ...INPUT, code: 'x!' }),
        PromotionUnavailableError,
      );
      expect(error.reason).toBe('not-found');
      expect(savepoints()).toEqual([]);
    });

    it('rethrows a database failure untouched: the savepoint died with the rolled-back transaction', async () => {
      const deadlock = new Error('ER_LOCK_DEADLOCK');
      redemptions.consumeCustomerUse.mockRejectedValue(deadlock);
      await expect(fixture.subject.redeemWithin(tx(), INPUT)).rejects.toBe(deadlock);
      expect(savepoints()).toEqual(['SAVEPOINT promotion_redemption']);
    });

    it.each(['', 'x'.repeat(321)])('refuses a customer key of %# wrong length', async (customerKey) => {
      await expect(fixture.subject.redeemWithin(tx(), { ...INPUT, customerKey })).rejects.toThrow(
        'customerKey',
      );
      expect(redemptions.consumeUse).not.toHaveBeenCalled();
    });

    it('must run inside the caller’s transaction', async () => {
      await expect(fixture.subject.redeemWithin(mockOf<EntityManager>(), INPUT)).rejects.toThrow(
        "must run inside the caller's transaction",
      );
      expect(redemptions.consumeUse).not.toHaveBeenCalled();
    });
  });

  describe('releaseWithin (order cancelled or expired)', () => {
    it('gives the use back to the promotion and to the customer', async () => {
      redemptions.lockRedemptionByOrder.mockResolvedValue(redemption('active'));
      redemptions.markReleased.mockResolvedValue(true);
      await expect(fixture.subject.releaseWithin(tx(), 'order-1')).resolves.toBe(true);
      expect(redemptions.markReleased).toHaveBeenCalledWith(tx(), 'red-1', expect.any(Date));
      expect(redemptions.returnUse).toHaveBeenCalledWith(tx(), 'promo-1');
      expect(redemptions.returnCustomerUse).toHaveBeenCalledWith(tx(), 'promo-1', 'email:a@example.com');
    });

    it.each([
      ['has no redemption', null],
      ['was released already', redemption('released')],
    ])('does nothing when the order %s', async (_label, found) => {
      redemptions.lockRedemptionByOrder.mockResolvedValue(found);
      await expect(fixture.subject.releaseWithin(tx(), 'order-1')).resolves.toBe(false);
      expect(redemptions.markReleased).not.toHaveBeenCalled();
      expect(redemptions.returnUse).not.toHaveBeenCalled();
    });

    it('returns no use when another release won the race to mark it', async () => {
      redemptions.lockRedemptionByOrder.mockResolvedValue(redemption('active'));
      redemptions.markReleased.mockResolvedValue(false);
      await expect(fixture.subject.releaseWithin(tx(), 'order-1')).resolves.toBe(false);
      expect(redemptions.returnUse).not.toHaveBeenCalled();
      expect(redemptions.returnCustomerUse).not.toHaveBeenCalled();
    });
  });

  describe('findUsable (what a cart shows)', () => {
    it('answers a usable code’s terms', async () => {
      await expect(fixture.subject.findUsable(tx(), 'ten', NOW)).resolves.toMatchObject({ code: 'TEN' });
      expect(redemptions.findByCode).toHaveBeenCalledWith(tx(), 'TEN');
    });

    it.each<[string, Partial<Promotion>]>([
      ['used up', { usageLimit: 5, timesUsed: 5 }],
      ['expired', { endsAt: NOW }],
      ['withdrawn', { active: false }],
    ])('answers null for a code %s', async (_label, fields) => {
      redemptions.findByCode.mockResolvedValue(promotion(fields));
      await expect(fixture.subject.findUsable(tx(), 'TEN', NOW)).resolves.toBeNull();
    });
  });
});
