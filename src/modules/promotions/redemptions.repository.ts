import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Promotion } from './entities/promotion.entity';
import { PromotionRedemption } from './entities/promotion-redemption.entity';

const ER_DUP_ENTRY = 1062;

/** A unique index refused the row (MySQL/MariaDB errno 1062). */
export function isDuplicateKey(error: unknown): boolean {
  const failure = error as { errno?: number; driverError?: { errno?: number } };
  return (failure.driverError?.errno ?? failure.errno) === ER_DUP_ENTRY;
}

/**
 * The SQL of using a promotion up and giving it back. Every counter moves through one conditional
 * UPDATE, so the database decides under its row lock whether a use is left — never a value read
 * earlier by the application (the same rule as stock, DESIGN.md invariant 1).
 */
@Injectable()
export class RedemptionsRepository {
  findByCode(manager: EntityManager, code: string): Promise<Promotion | null> {
    return manager.findOneBy(Promotion, { code });
  }

  /** A current (locking) read: what the row holds now, not the transaction's snapshot of it. */
  findByCodeCurrent(manager: EntityManager, code: string): Promise<Promotion | null> {
    return manager.findOne(Promotion, { where: { code }, lock: { mode: 'pessimistic_read' } });
  }

  /**
   * Takes one use if the promotion is active, within its dates at `now` and not used up. Returns
   * false when it is not (the caller finds out why). `updated_at` is kept: it dates staff edits.
   */
  async consumeUse(manager: EntityManager, code: string, now: Date): Promise<boolean> {
    const result = await manager.query<{ affectedRows: number }>(
      `UPDATE promotions
          SET times_used = times_used + 1, updated_at = updated_at
        WHERE code = ? AND active = 1
          AND (usage_limit IS NULL OR times_used < usage_limit)
          AND (starts_at IS NULL OR starts_at <= ?)
          AND (ends_at IS NULL OR ends_at > ?)`,
      [code, now, now],
    );
    return result.affectedRows === 1;
  }

  async returnUse(manager: EntityManager, promotionId: string): Promise<void> {
    await manager.query(
      `UPDATE promotions SET times_used = times_used - 1, updated_at = updated_at
        WHERE id = ? AND times_used > 0`,
      [promotionId],
    );
  }

  /**
   * Takes one of the customer's uses, within `limit` when there is one. The counter row is created
   * at zero first (a no-op when it exists), so the conditional UPDATE always has a row to lock.
   */
  async consumeCustomerUse(
    manager: EntityManager,
    promotionId: string,
    customerKey: string,
    limit: number | null,
  ): Promise<boolean> {
    await manager.query(
      `INSERT INTO promotion_customer_usage (promotion_id, customer_key, uses) VALUES (?, ?, 0)
       ON DUPLICATE KEY UPDATE uses = uses`,
      [promotionId, customerKey],
    );
    const result = await manager.query<{ affectedRows: number }>(
      `UPDATE promotion_customer_usage SET uses = uses + 1
        WHERE promotion_id = ? AND customer_key = ? AND (? IS NULL OR uses < ?)`,
      [promotionId, customerKey, limit, limit],
    );
    return result.affectedRows === 1;
  }

  async returnCustomerUse(manager: EntityManager, promotionId: string, customerKey: string): Promise<void> {
    await manager.query(
      `UPDATE promotion_customer_usage SET uses = uses - 1
        WHERE promotion_id = ? AND customer_key = ? AND uses > 0`,
      [promotionId, customerKey],
    );
  }

  /** Records the redemption; false when the order already has one (one per order). */
  async insertRedemption(
    manager: EntityManager,
    redemption: Pick<PromotionRedemption, 'id' | 'promotionId' | 'orderId' | 'customerKey'>,
  ): Promise<boolean> {
    try {
      await manager.insert(PromotionRedemption, { ...redemption, status: 'active' });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  lockRedemptionByOrder(manager: EntityManager, orderId: string): Promise<PromotionRedemption | null> {
    return manager.findOne(PromotionRedemption, {
      where: { orderId },
      lock: { mode: 'pessimistic_write' },
    });
  }

  /** Marks an active redemption released; false when it was not active (released already). */
  async markReleased(manager: EntityManager, id: string, at: Date): Promise<boolean> {
    const result = await manager.query<{ affectedRows: number }>(
      `UPDATE promotion_redemptions SET status = 'released', released_at = ? WHERE id = ? AND status = 'active'`,
      [at, id],
    );
    return result.affectedRows === 1;
  }
}
