import { TransactionRunner } from '@app/database';
import { Injectable, Logger } from '@nestjs/common';
import { ReservationsService } from '../inventory/reservations.service';
import { OrderTransitions } from './order-transitions';
import { OrdersRepository } from './orders.repository';

export const EXPIRY_ACTOR = 'system:expiry';

/**
 * Cancels unpaid orders whose payment deadline has passed, releasing their stock and promotion use.
 * Reached by each order's delayed job and by a periodic sweep; both are idempotent, and an order
 * paid in the meantime is left alone (the order row lock orders the two).
 */
@Injectable()
export class OrderExpiry {
  private readonly logger = new Logger(OrderExpiry.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly orders: OrdersRepository,
    private readonly transitions: OrderTransitions,
    private readonly reservations: ReservationsService,
  ) {}

  /** True when this call cancelled the order. */
  async expire(orderId: string, now = new Date()): Promise<boolean> {
    const effects = await this.transactions.run(async (manager) => {
      const order = await this.orders.lockById(manager, orderId);
      if (!order || order.status !== 'pending_payment' || !order.expiresAt || order.expiresAt > now)
        return null;
      return this.transitions.apply(manager, order, 'cancelled', {
        actor: EXPIRY_ACTOR,
        reason: 'payment not received in time',
      });
    });
    if (!effects) return false;
    await this.reservations.afterCommit(effects);
    return true;
  }

  /** The sweep: every overdue unpaid order, in batches. */
  async expireOverdue(now = new Date(), batch = 100): Promise<number> {
    let expired = 0;
    for (;;) {
      const ids = await this.transactions.run((manager) => this.orders.overdueIds(manager, now, batch));
      for (const id of ids) if (await this.expire(id, now)) expired += 1;
      if (ids.length < batch) break;
    }
    if (expired > 0) this.logger.log(`expired ${expired} unpaid order(s)`);
    return expired;
  }
}
