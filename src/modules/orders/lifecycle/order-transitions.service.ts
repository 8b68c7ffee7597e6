import type { TransactionContext } from '@app/database';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ReservationsService } from '../../inventory';
import type { OrderEvent } from '../../notifications';
import { OutboxService, type NewOutboxMessage } from '../../outbox';
import { PromotionRedemptionsService } from '../../promotions';
import type { Order, OrderStatus } from '../entities/order.entity';
import { IllegalTransitionError } from '../orders.errors';
import { OrdersRepository } from '../orders.repository';
import { awaitsPayment, canTransition } from './order-status';

/** The reservation that holds an order's stock. */
export const reservationOf = (orderId: string): string => `order:${orderId}`;

export interface TransitionContext {
  actor: string;
  reason: string | null;
  /** For order.fulfilled: the fulfilment that caused it. */
  fulfilmentId?: string;
}

/**
 * A feature that must act, in the cancelling transaction, when an order is cancelled (payments: the
 * money of a paid order goes back). Orders cannot import those features, so the app's composition
 * root provides them all under ORDER_CANCELLATION_HOOKS: a graph without that provider does not
 * boot, instead of cancelling orders without giving their money back.
 */
export interface OrderCancellationHook {
  orderCancelled(manager: EntityManager, order: CancelledOrder, context: TransitionContext): Promise<void>;
}

export const ORDER_CANCELLATION_HOOKS = Symbol('ORDER_CANCELLATION_HOOKS');

/** What a participant learns of the cancelled order. */
export type CancelledOrder = Readonly<Pick<Order, 'id' | 'number' | 'paidAt' | 'customerId'>>;

/**
 * Moves an order from one status to another — the only code that does. It checks the move against
 * the state machine, applies what the move means (a cancellation releases the stock and the
 * promotion use; payment ends the payment deadline), records it in the history and writes its
 * event to the outbox, all in the caller's transaction (the caller has locked the order row).
 */
@Injectable()
export class OrderTransitionsService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly reservations: ReservationsService,
    private readonly promotions: PromotionRedemptionsService,
    private readonly outbox: OutboxService,
    @Inject(ORDER_CANCELLATION_HOOKS) private readonly cancellationHooks: readonly OrderCancellationHook[],
  ) {}

  async apply(
    manager: TransactionContext,
    order: Order,
    to: OrderStatus,
    context: TransitionContext,
  ): Promise<void> {
    const from = order.status;
    if (!canTransition(order, to))
      throw new IllegalTransitionError(
        from,
        to,
        to === 'paid' && awaitsPayment(order)
          ? `A ${order.paymentMethod} order that is ${from} stays ${from} when paid: record the payment (POST /v1/admin/orders/{id}/payments).`
          : undefined,
      );
    const now = new Date();
    if (to === 'cancelled') {
      await this.releaseHeldStock(manager, order, context.actor);
      await this.promotions.releaseWithin(manager, order.id);
      await this.orders.setStatus(manager, order.id, to, { cancelledAt: now, expiresAt: null });
      for (const hook of this.cancellationHooks) await hook.orderCancelled(manager, order, context);
    } else if (to === 'refunded') {
      // Fully refunded: units never handed to a carrier go back on sale.
      await this.releaseHeldStock(manager, order, context.actor);
      await this.orders.setStatus(manager, order.id, to);
    } else if (to === 'paid') {
      await this.orders.setStatus(manager, order.id, to, { paidAt: now, expiresAt: null });
      order.paidAt = now;
    } else {
      await this.orders.setStatus(manager, order.id, to);
    }
    await this.recordMove(manager, order, from, to, context);
  }

  /**
   * `markPaid` for an order read before the caller's transaction, without a locking read: an order
   * that was awaiting payment becomes `paid` only if it still is (compare-and-set). False when it is
   * not (or never was) `pending_payment`: nothing was written, and the caller locks and reads it.
   */
  async markPaidIfUnchanged(
    manager: TransactionContext,
    order: Order,
    context: TransitionContext,
  ): Promise<boolean> {
    if (order.status !== 'pending_payment') return false;
    const now = new Date();
    const extra = { paidAt: now, expiresAt: null };
    if (!(await this.orders.setStatus(manager, order.id, 'paid', extra, 'pending_payment'))) return false;
    order.paidAt = now;
    await this.recordMove(manager, order, 'pending_payment', 'paid', context);
    return true;
  }

  /** The move's history entry and event; the order then reads `to`. */
  private async recordMove(
    manager: TransactionContext,
    order: Order,
    from: OrderStatus,
    to: OrderStatus,
    context: TransitionContext,
  ): Promise<void> {
    await this.orders.appendHistory(manager, {
      orderId: order.id,
      fromStatus: from,
      toStatus: to,
      actor: context.actor,
      reason: context.reason,
    });
    await this.announce(manager, order, from, to, context);
    order.status = to;
  }

  /**
   * Money for the order is recorded: an order awaiting payment becomes `paid`; a cash-on-delivery
   * order that went out unpaid keeps its status (it never moves back) and is marked paid in place —
   * `paidAt`, a history entry and `order.paid`, exactly as a move to `paid` writes them.
   */
  async markPaid(manager: TransactionContext, order: Order, context: TransitionContext): Promise<void> {
    if (order.status === 'pending_payment') return this.apply(manager, order, 'paid', context);
    if (!awaitsPayment(order)) throw new IllegalTransitionError(order.status, 'paid');
    const now = new Date();
    await this.orders.setStatus(manager, order.id, order.status, { paidAt: now, expiresAt: null });
    await this.orders.appendHistory(manager, {
      orderId: order.id,
      fromStatus: order.status,
      toStatus: order.status,
      actor: context.actor,
      reason: context.reason ?? 'payment recorded',
    });
    const paid: OrderEvent = {
      orderId: order.id,
      number: order.number,
      customerId: order.customerId,
      from: order.status,
      to: order.status,
    };
    await this.outbox.enqueue(manager, { jobName: 'order.paid', payload: paid });
    order.paidAt = now;
  }

  /** Returns what the order's reservation still holds; nothing when it was all sold already. */
  private async releaseHeldStock(manager: TransactionContext, order: Order, actor: string): Promise<void> {
    const reference = reservationOf(order.id);
    const held = await this.reservations.statusOf(manager, reference);
    if (held === 'active') await this.reservations.settleWithin(manager, { reference }, actor, 'released');
  }

  private async announce(
    manager: EntityManager,
    order: Order,
    from: OrderStatus,
    to: OrderStatus,
    context: TransitionContext,
  ): Promise<void> {
    const base: OrderEvent = {
      orderId: order.id,
      number: order.number,
      customerId: order.customerId,
      from,
      to,
    };
    const event = ((): NewOutboxMessage | null => {
      switch (to) {
        case 'paid':
          return { jobName: 'order.paid', payload: base };
        case 'cancelled':
          return {
            jobName: 'order.cancelled',
            payload: { ...base, reason: context.reason, refundDue: order.paidAt !== null },
          };
        case 'partially_fulfilled':
        case 'fulfilled':
          return {
            jobName: 'order.fulfilled',
            payload: { ...base, fulfilmentId: context.fulfilmentId ?? null, complete: to === 'fulfilled' },
          };
        case 'shipped':
          return { jobName: 'order.shipped', payload: base };
        case 'delivered':
          return { jobName: 'order.delivered', payload: base };
        case 'partially_refunded':
        case 'refunded':
          return { jobName: 'order.refunded', payload: { ...base, complete: to === 'refunded' } };
        case 'pending_payment':
          return null;
      }
    })();
    if (event) await this.outbox.enqueue(manager, event);
  }
}
