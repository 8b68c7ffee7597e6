import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import {
  OrderAlreadyRedeemedError,
  PromotionUnavailableError,
  type PromotionUnavailableReason,
} from './promotions.errors';
import {
  CODE_PATTERN,
  normalizeCode,
  type PromotionRule,
  toPromotionRule,
  withinDates,
} from './promotion-terms';
import { RedemptionsRepository } from './redemptions.repository';
import type { Promotion } from './entities/promotion.entity';

export interface RedeemInput {
  /** As the shopper typed it: compared trimmed and upper-cased. */
  code: string;
  orderId: string;
  /** Who redeems, built by the caller: `user:<id>` or `email:<normalised email>` (at most 320 characters). */
  customerKey: string;
  now: Date;
}

const MAX_CUSTOMER_KEY_LENGTH = 320;
/** Savepoint name: a redemption that fails part-way leaves the caller's transaction as it found it. */
const SAVEPOINT = 'promotion_redemption';

/**
 * What checkout and order housekeeping call, always inside their own transaction (the manager is
 * theirs): look a code up, use it for an order, give the use back. Usage limits hold under any
 * concurrency because each counter moves only through a conditional UPDATE; every redemption of a
 * promotion queues on that promotion's row until the transaction holding it ends.
 */
@Injectable()
export class PromotionRedemptionsService {
  constructor(private readonly redemptions: RedemptionsRepository) {}

  /** The promotion a code names if it is usable at `now` (active, within its dates, not used up); else null. */
  async findUsable(manager: EntityManager, code: string, now: Date): Promise<PromotionRule | null> {
    const normalized = normalizeCode(code);
    if (!CODE_PATTERN.test(normalized)) return null;
    const promotion = await this.redemptions.findByCode(manager, normalized);
    if (!promotion || unavailableReason(promotion, now) !== null) return null;
    return toPromotionRule(promotion);
  }

  /**
   * Uses the code once for the order, inside the caller's transaction: one conditional UPDATE on
   * the promotion (a use left, active, within dates), one on the customer's counter, and the
   * redemption row. Throws PromotionUnavailableError (409) when it cannot, having changed nothing:
   * the caller may carry on without the promotion. Returns the rule as it stands after the use.
   */
  async redeemWithin(manager: EntityManager, input: RedeemInput): Promise<PromotionRule> {
    assertInTransaction(manager, 'redeemWithin');
    if (input.customerKey.length === 0 || input.customerKey.length > MAX_CUSTOMER_KEY_LENGTH)
      throw new Error(`customerKey must be 1 to ${MAX_CUSTOMER_KEY_LENGTH} characters`);
    const code = normalizeCode(input.code);
    if (!CODE_PATTERN.test(code)) throw new PromotionUnavailableError(code, 'not-found');

    await manager.query(`SAVEPOINT ${SAVEPOINT}`);
    try {
      if (!(await this.redemptions.consumeUse(manager, code, input.now)))
        throw new PromotionUnavailableError(code, await this.whyUnavailable(manager, code, input.now));
      // Sees the row as our UPDATE left it (its own change), not an older snapshot.
      const promotion = (await this.redemptions.findByCode(manager, code))!;
      const customerOk = await this.redemptions.consumeCustomerUse(
        manager,
        promotion.id,
        input.customerKey,
        promotion.perCustomerLimit,
      );
      if (!customerOk) throw new PromotionUnavailableError(code, 'customer-limit');
      const recorded = await this.redemptions.insertRedemption(manager, {
        id: uuidv7(),
        promotionId: promotion.id,
        orderId: input.orderId,
        customerKey: input.customerKey,
      });
      if (!recorded) throw new OrderAlreadyRedeemedError(input.orderId);
      await manager.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
      return toPromotionRule(promotion);
    } catch (error) {
      // Only our own refusals are undone here. After a deadlock the server has already rolled the
      // whole transaction back (the savepoint is gone): rethrow untouched so the caller retries it.
      if (error instanceof PromotionUnavailableError || error instanceof OrderAlreadyRedeemedError)
        await manager.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
      throw error;
    }
  }

  /**
   * Gives the order's use back (order cancelled or expired). Idempotent: false when the order has
   * no redemption or it was released already.
   */
  async releaseWithin(manager: EntityManager, orderId: string): Promise<boolean> {
    assertInTransaction(manager, 'releaseWithin');
    const redemption = await this.redemptions.lockRedemptionByOrder(manager, orderId);
    if (!redemption || redemption.status !== 'active') return false;
    if (!(await this.redemptions.markReleased(manager, redemption.id, new Date()))) return false;
    await this.redemptions.returnUse(manager, redemption.promotionId);
    await this.redemptions.returnCustomerUse(manager, redemption.promotionId, redemption.customerKey);
    return true;
  }

  private async whyUnavailable(
    manager: EntityManager,
    code: string,
    now: Date,
  ): Promise<PromotionUnavailableReason> {
    const current = await this.redemptions.findByCodeCurrent(manager, code);
    if (!current) return 'not-found';
    // The UPDATE refused it, so when nothing else explains it the uses ran out (possibly just now).
    return unavailableReason(current, now) ?? 'exhausted';
  }
}

/** Outside a transaction each statement may take another pooled connection: the savepoint and locks mean nothing. */
function assertInTransaction(manager: EntityManager, method: string): void {
  if (!manager.queryRunner?.isTransactionActive)
    throw new Error(`PromotionRedemptionsService.${method} must run inside the caller's transaction`);
}

function unavailableReason(promotion: Promotion, now: Date): PromotionUnavailableReason | null {
  if (!promotion.active) return 'inactive';
  if (!withinDates(promotion, now)) return 'expired';
  if (promotion.usageLimit !== null && promotion.timesUsed >= promotion.usageLimit) return 'exhausted';
  return null;
}
