import { TransactionRunner } from '@app/database';
import { Injectable, Logger } from '@nestjs/common';
import { PAYMENT_POLICIES } from './order-status';
import { OrderTransitionsService } from './order-transitions.service';
import { OrdersRepository } from '../orders.repository';

export const EXPIRY_ACTOR = 'system:expiry';

/**
 * Cancels unpaid orders whose payment deadline has passed (card: the checkout reservation; bank
 * transfer: the hold; cash on delivery has none), releasing their stock and promotion use.
 * Reached by each order's delayed job and by a periodic sweep; both are idempotent, and an order
 * paid in the meantime is left alone (the order row lock orders the two).
 */
@Injectable()
export class OrderExpiryService {
  private readonly logger = new Logger(OrderExpiryService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly orders: OrdersRepository,
    private readonly transitions: OrderTransitionsService,
  ) {}

  /** True when this call cancelled the order. */
  async expire(orderId: string, now = new Date()): Promise<boolean> {
    return this.transactions.run(async (manager) => {
      const order = await this.orders.lockById(manager, orderId);
      if (
        !order ||
        order.status !== 'pending_payment' ||
        // Cash on delivery has no deadline, whatever a row says: it is paid at the door.
        PAYMENT_POLICIES[order.paymentMethod].deadline === 'none' ||
        !order.expiresAt ||
        order.expiresAt > now
      )
        return false;
      await this.transitions.apply(manager, order, 'cancelled', {
        actor: EXPIRY_ACTOR,
        reason: 'payment not received in time',
      });
      return true;
    });
  }

  /**
   * The sweep: every overdue unpaid order, in batches, oldest first. An order that fails is logged
   * and skipped (the next sweep tries it again), so one bad order never stops the others expiring.
   */
  async expireOverdue(now = new Date(), batch = 100): Promise<number> {
    let expired = 0;
    let after: { expiresAt: Date; id: string } | undefined;
    for (;;) {
      const due = await this.transactions.run((manager) => this.orders.overdue(manager, now, batch, after));
      for (const order of due) {
        try {
          if (await this.expire(order.id, now)) expired += 1;
        } catch (error) {
          this.logger.error({ err: error, orderId: order.id }, 'could not expire an overdue order');
        }
      }
      if (due.length < batch) break;
      after = due[due.length - 1];
    }
    if (expired > 0) this.logger.log(`expired ${expired} unpaid order(s)`);
    return expired;
  }
}
