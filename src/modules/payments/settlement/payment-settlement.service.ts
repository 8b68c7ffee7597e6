import type { TransactionContext } from '@app/database';
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { OrderLookupService, awaitsPayment, OrderTransitionsService } from '../../orders';
import type { DomainEvents } from '../../notifications';
import { OutboxService } from '../../outbox';
import type { Payment, PaymentState } from '../entities/payment.entity';
import { PaymentsJobs, type RefundPayload, type VoidPayload } from '../payments.jobs';
import { PaymentsRepository } from '../payments.repository';
import { LATE_PAYMENT_REFUNDER } from './refunds.service';

/** How far a payment has come: a state only moves forward, so events applied out of order end right. */
const RANK: Record<PaymentState, number> = {
  pending: 0,
  requires_action: 1,
  authorized: 2,
  failed: 3,
  voided: 3,
  captured: 4,
  partially_refunded: 5,
  refunded: 6,
};

/** Which moves are real: failure only before money is held, voiding only before capture. */
export function canAdvance(from: PaymentState, to: PaymentState): boolean {
  if (from === to) return false;
  if (from === 'failed' || from === 'voided') return false;
  if (to === 'failed') return RANK[from] <= RANK.requires_action;
  if (to === 'voided') return from === 'authorized' || RANK[from] <= RANK.requires_action;
  return RANK[to] > RANK[from];
}

export interface ObservedState {
  state: PaymentState;
  reference?: string | null;
  /** What the provider says the amount and currency are. */
  amount?: number | null;
  currency?: string | null;
  capturedAmount?: number;
  failureCode?: string | null;
  failureMessage?: string | null;
  /** The provider's time of the observation (events); answers of calls are "now". */
  at: Date;
  source: string;
}

/** The order of a payment, as read by the caller (OrderLookupService). */
type KnownOrder = Awaited<ReturnType<OrderLookupService['lock']>>;

/** An amount or currency the provider reports that does not match ours (flagged, never applied). */
function mismatch(payment: Payment, observed: ObservedState): boolean {
  return (
    // A partial capture of an authorization reports the captured part; anything else must match.
    (observed.amount !== undefined &&
      observed.amount !== null &&
      observed.amount !== payment.amount &&
      !(
        observed.state === 'captured' &&
        payment.state === 'authorized' &&
        observed.amount < payment.amount
      )) ||
    !!(observed.currency && observed.currency.toUpperCase() !== payment.currency)
  );
}

/** The payment's columns after a move to `observed.state`. */
function advancedFields(payment: Payment, observed: ObservedState): Partial<Payment> {
  return {
    state: observed.state,
    ...(observed.reference ? { providerReference: observed.reference } : {}),
    ...(observed.capturedAmount !== undefined ? { capturedAmount: observed.capturedAmount } : {}),
    ...(observed.state === 'captured' && observed.capturedAmount === undefined
      ? { capturedAmount: payment.amount }
      : {}),
    failureCode: observed.failureCode ?? null,
    failureMessage: observed.failureMessage ?? null,
    lastEventAt: observed.at,
  };
}

/**
 * Applies what a provider says about a payment — an answer to our call or a webhook event — to the
 * payment and its order, in the caller's transaction: the payment only moves forward; money held
 * for an order awaiting payment (or a cash-on-delivery order that went out unpaid) marks it paid; an amount or currency that does not match ours is
 * flagged for staff and never marks anything paid; money that arrives for an order already
 * cancelled (its stock released) is refunded automatically and the customer told (payment.late-refund).
 */
@Injectable()
export class PaymentSettlementService {
  private readonly logger = new Logger(PaymentSettlementService.name);

  constructor(
    private readonly payments: PaymentsRepository,
    private readonly lookup: OrderLookupService,
    private readonly transitions: OrderTransitionsService,
    private readonly outbox: OutboxService,
  ) {}

  async apply(manager: TransactionContext, payment: Payment, observed: ObservedState): Promise<void> {
    if (mismatch(payment, observed)) {
      const reason = `${observed.source}: provider says ${observed.amount} ${observed.currency}, the payment is ${payment.amount} ${payment.currency}`;
      await this.payments.flag(manager, payment, reason);
      await this.payments.attempt(manager, {
        paymentId: payment.id,
        operation: observed.source,
        outcome: 'flagged',
        detail: reason.slice(0, 500),
      });
      this.logger.warn({ paymentId: payment.id }, 'payment event with a mismatched amount flagged for staff');
      return;
    }
    // Money held for a payment we had failed: reconciliation found nothing at the provider while the
    // request was still on its way (or its search lagged), then the money came. It is never ignored.
    const revived =
      payment.state === 'failed' && (observed.state === 'authorized' || observed.state === 'captured');
    if (!revived && !canAdvance(payment.state, observed.state)) {
      if (observed.reference && !payment.providerReference) {
        // The provider's id of the payment, even when its state is not news: webhooks are matched by it.
        await this.payments.update(manager, payment.id, { providerReference: observed.reference });
        payment.providerReference = observed.reference;
      }
      await this.payments.attempt(manager, {
        paymentId: payment.id,
        operation: observed.source,
        outcome: `ignored:${observed.state}`,
        detail: `already ${payment.state}`,
      });
      return;
    }
    // One UPDATE: the move carries the provider's id too.
    const fields = advancedFields(payment, observed);
    await this.payments.update(manager, payment.id, fields);
    const previous = payment.state;
    Object.assign(payment, fields);
    return this.advanced(manager, payment, previous, observed, revived, null);
  }

  /**
   * `apply` for a payment and its order as read before this transaction, without locking reads: the
   * payment is advanced only if it is still at the version read, its order marked paid only if it
   * still awaits payment (compare-and-set). Answers the payment as written, or null when the fast
   * path does not fit — a mismatch to flag, a move that is no move, a payment changed meanwhile —
   * and then nothing was written: the caller locks the payment and calls `apply`.
   */
  async applyIfUnchanged(
    manager: TransactionContext,
    payment: Payment,
    order: KnownOrder,
    observed: ObservedState,
  ): Promise<Payment | null> {
    if (
      mismatch(payment, observed) ||
      payment.state === 'failed' ||
      !canAdvance(payment.state, observed.state)
    )
      return null;
    const fields = { ...advancedFields(payment, observed), updatedAt: observed.at };
    if (!(await this.payments.updateIfVersion(manager, payment.id, payment.version, fields))) return null;
    const written: Payment = { ...payment, ...fields, version: payment.version + 1 };
    await this.advanced(manager, written, payment.state, observed, false, order);
    return written;
  }

  /** What follows a payment's move from `previous` to `observed.state` (the payment as updated). */
  private async advanced(
    manager: TransactionContext,
    payment: Payment,
    previous: PaymentState,
    observed: ObservedState,
    revived: boolean,
    knownOrder: KnownOrder | null,
  ): Promise<void> {
    await this.payments.attempt(manager, {
      paymentId: payment.id,
      operation: observed.source,
      outcome: observed.state,
    });
    if (revived) return this.revived(manager, payment, observed);
    await this.announce(manager, payment, previous, observed);
    if (observed.state !== 'authorized' && observed.state !== 'captured') return;
    return this.moneyHeld(manager, payment, observed, knownOrder);
  }

  /**
   * A failed payment turned out to hold money. If its order still waits for payment and no other
   * payment is under way, it pays the order as if it had never failed; otherwise the order is paid
   * (or being paid) another way, or is gone, and this money goes back.
   */
  private async revived(
    manager: TransactionContext,
    payment: Payment,
    observed: ObservedState,
  ): Promise<void> {
    const order = await this.lookup.lock(manager, payment.orderId);
    const others = (await this.payments.liveOfOrder(manager, order.id, true)).filter(
      (other) => other.id !== payment.id,
    );
    if (awaitsPayment(order) && others.length === 0) {
      await this.announce(manager, payment, 'pending', observed);
      return this.transitions.markPaid(manager, order, {
        actor: `payment:${payment.id}`,
        reason: `${payment.provider} payment ${observed.state} after it had been failed`,
      });
    }
    await this.giveBack(
      manager,
      payment,
      observed,
      `money arrived for a payment recorded as failed, while the order was ${order.status}${
        others.length > 0 ? ` with payment ${others[0].id} ${others[0].state}` : ''
      }`,
    );
  }

  /** payment.succeeded the first time money is held, payment.failed when the provider refuses. */
  private async announce(
    manager: EntityManager,
    payment: Payment,
    previous: PaymentState,
    observed: ObservedState,
  ): Promise<void> {
    const base = {
      paymentId: payment.id,
      orderId: payment.orderId,
      provider: payment.provider,
      amount: payment.amount,
      currency: payment.currency,
    };
    if (
      (observed.state === 'authorized' || observed.state === 'captured') &&
      RANK[previous] < RANK.authorized
    ) {
      const succeeded: DomainEvents['payment.succeeded'] = { ...base, state: observed.state };
      await this.outbox.enqueue(manager, {
        jobName: 'payment.succeeded',
        payload: succeeded,
      });
    } else if (observed.state === 'failed') {
      const failed: DomainEvents['payment.failed'] = {
        ...base,
        failureCode: observed.failureCode ?? null,
        failureMessage: observed.failureMessage ?? null,
      };
      await this.outbox.enqueue(manager, {
        jobName: 'payment.failed',
        payload: failed,
      });
    }
  }

  private async moneyHeld(
    manager: TransactionContext,
    payment: Payment,
    observed: ObservedState,
    knownOrder: KnownOrder | null,
  ): Promise<void> {
    const context = {
      actor: `payment:${payment.id}`,
      reason: `${payment.provider} payment ${observed.state}`,
    };
    // The order as read before this transaction, if it still awaits payment as it did: no locking read.
    if (knownOrder && (await this.transitions.markPaidIfUnchanged(manager, knownOrder, context))) return;
    const order = await this.lookup.lock(manager, payment.orderId);
    if (awaitsPayment(order)) return this.transitions.markPaid(manager, order, context);
    if (order.status === 'cancelled')
      // Late success: the order expired (its stock went back on sale) before the money came. It is
      // not revived — the stock may be sold by now — the money goes back, and the customer is told.
      await this.giveBack(manager, payment, observed, 'late payment for a cancelled order');
  }

  /**
   * Money that must not be kept: a captured payment is refunded, an authorization voided (both by
   * jobs), the customer is told, and the payment is flagged so staff see why.
   */
  private async giveBack(
    manager: EntityManager,
    payment: Payment,
    observed: ObservedState,
    why: string,
  ): Promise<void> {
    await this.payments.update(manager, payment.id, { givenBackAt: new Date() });
    if (observed.state === 'captured') {
      const refund = await this.payments.insertRefund(manager, {
        paymentId: payment.id,
        amount: observed.capturedAmount ?? payment.amount,
        reason: why.slice(0, 500),
        requestedBy: LATE_PAYMENT_REFUNDER,
      });
      const job: RefundPayload = { refundId: refund.id };
      const told: DomainEvents['payment.late-refund'] = {
        orderId: payment.orderId,
        paymentId: payment.id,
        amount: refund.amount,
        currency: payment.currency,
      };
      await this.outbox.enqueue(
        manager,
        { jobName: PaymentsJobs.refund, payload: job },
        { jobName: 'payment.late-refund', payload: told },
      );
    } else {
      // Only authorized: release the hold instead of taking the money.
      const job: VoidPayload = { paymentId: payment.id };
      await this.outbox.enqueue(manager, {
        jobName: PaymentsJobs.void,
        payload: job,
      });
    }
    await this.payments.flag(
      manager,
      payment,
      `${why}: ${observed.state === 'captured' ? 'refunded' : 'voided'} automatically`,
    );
  }
}
