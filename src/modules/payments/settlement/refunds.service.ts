import { actorName, type RequestActor } from '@app/common';
import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../../audit';
import {
  OrderLookupService,
  OrderTransitionsService,
  OrderReturnsService,
  canTransition,
} from '../../orders';
import type { DomainEvents } from '../../notifications';
import { OutboxService } from '../../outbox';
import { CreateRefundDto, RefundDto, toRefundDto } from '../dto/payment.dto';
import { PaymentsJobs, type RefundPayload } from '../payments.jobs';
import type { PaymentRefund } from '../entities/payment.entity';
import { PaymentNotFoundError, RefundNotPossibleError } from '../payments.errors';
import { PaymentsRepository } from '../payments.repository';
import { ProviderRejectedError } from '../providers/payment-provider';
import { PaymentProviderRegistry } from '../providers/payment-provider.registry';

/** Who asks for the refund of money that arrived when it was no longer wanted (see PaymentSettlementService). */
export const LATE_PAYMENT_REFUNDER = 'system:late-payment';

/**
 * Refunds: staff ask for one (a row and a job in one transaction, never more than was captured), the
 * job makes it at the provider with the refund's id as the idempotency key — so a job that runs twice
 * refunds once — and records the result: the payment's refunded total and the order's status.
 */
@Injectable()
export class RefundsService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly payments: PaymentsRepository,
    private readonly providers: PaymentProviderRegistry,
    private readonly lookup: OrderLookupService,
    private readonly transitions: OrderTransitionsService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly returns: OrderReturnsService,
  ) {}

  async request(actor: RequestActor, paymentId: string, dto: CreateRefundDto): Promise<RefundDto> {
    return this.transactions.run(async (manager) => {
      const payment = await this.payments.lockById(manager, paymentId);
      if (!payment) throw new PaymentNotFoundError(paymentId);
      if (payment.state !== 'captured' && payment.state !== 'partially_refunded')
        throw new RefundNotPossibleError(`A ${payment.state} payment has nothing to refund.`, {
          state: payment.state,
        });
      const refundable =
        payment.capturedAmount - (await this.payments.committedRefundTotal(manager, paymentId));
      if (dto.amount > refundable)
        throw new RefundNotPossibleError(`At most ${refundable} can still be refunded.`, { refundable });
      const refund = await this.payments.insertRefund(manager, {
        paymentId,
        amount: dto.amount,
        reason: dto.reason ?? null,
        requestedBy: actorName(actor.principal),
      });
      if (dto.restock?.length)
        await this.returns.restockWithin(
          manager,
          payment.orderId,
          dto.restock,
          dto.restockLocationId ?? null,
          actorName(actor.principal),
          `refund ${refund.id}`,
        );
      const job: RefundPayload = { refundId: refund.id };
      await this.outbox.enqueue(manager, {
        jobName: PaymentsJobs.refund,
        payload: job,
      });
      await this.audit.record(manager, actor, {
        action: 'payment.refund-requested',
        target: { type: 'payment', id: paymentId },
        details: {
          refundId: refund.id,
          amount: dto.amount,
          ...(dto.restock?.length
            ? { restock: dto.restock, restockLocationId: dto.restockLocationId ?? null }
            : {}),
        },
      });
      return toRefundDto(refund, payment.currency);
    });
  }

  /**
   * The provider did not return the money — it refused the refund, or (a refund.failed event) it
   * accepted it and failed later. The refund is failed, the payment's refunded total no longer counts
   * it (so staff can refund again), and the payment is flagged: someone is still owed this money.
   */
  async failWithin(manager: EntityManager, refund: PaymentRefund, why: string): Promise<void> {
    if (refund.state === 'failed') return;
    await this.payments.setRefund(manager, refund.id, {
      state: 'failed',
      reason: `${refund.reason ?? ''} (${why})`.slice(0, 500),
    });
    const payment = (await this.payments.lockById(manager, refund.paymentId))!;
    if (refund.state === 'succeeded') {
      const refunded = Math.max(0, payment.refundedAmount - refund.amount);
      await this.payments.update(manager, payment.id, {
        refundedAmount: refunded,
        state: refunded === 0 ? 'captured' : 'partially_refunded',
      });
    }
    await this.payments.flag(
      manager,
      payment,
      `refund ${refund.id} of ${refund.amount} failed (${why}): the money was not returned`,
    );
    await this.payments.attempt(manager, {
      paymentId: payment.id,
      operation: 'refund',
      outcome: 'failed',
      detail: why.slice(0, 500),
      idempotencyKey: `${refund.id}:refund`,
    });
  }

  /** The job. Idempotent at its effect: the provider key is the refund id; a settled refund is skipped. */
  async execute(refundId: string): Promise<void> {
    const target = await this.transactions.run(async (manager) => {
      const refund = await this.payments.lockRefund(manager, refundId);
      if (!refund || refund.state !== 'pending') return null;
      const payment = (await this.payments.findById(manager, refund.paymentId))!;
      return { refund, payment };
    });
    if (!target) return;
    let reference: string | null = null;
    let failed: string | null = null;
    // Money recorded by hand goes back by hand: the refund only records it.
    if (target.payment.provider !== 'manual') {
      const provider = this.providers.get(target.payment.provider);
      try {
        const answer = await provider.refund(
          target.payment.providerReference!,
          target.refund.amount,
          `${refundId}:refund`,
        );
        reference = answer.reference;
        if (answer.state === 'failed') failed = 'the provider answered that the refund failed';
      } catch (error) {
        if (!(error instanceof ProviderRejectedError)) throw error; // network, 5xx: Bull retries
        failed = error.message;
      }
    }
    await this.transactions.run(async (manager) => {
      // The payment before its refund, as everywhere (a refund.failed webhook too): no lock-order deadlock.
      const payment = (await this.payments.lockById(manager, target.payment.id))!;
      const refund = await this.payments.lockRefund(manager, refundId);
      if (!refund || refund.state !== 'pending') return;
      if (failed) {
        await this.failWithin(manager, refund, failed);
        return;
      }
      await this.payments.setRefund(manager, refundId, { state: 'succeeded', providerReference: reference });
      const refunded = payment.refundedAmount + refund.amount;
      const complete = refunded >= payment.capturedAmount;
      await this.payments.update(manager, payment.id, {
        refundedAmount: refunded,
        state: complete ? 'refunded' : 'partially_refunded',
      });
      await this.payments.attempt(manager, {
        paymentId: payment.id,
        operation: 'refund',
        outcome: 'succeeded',
        idempotencyKey: `${refundId}:refund`,
      });
      const refundedEvent: DomainEvents['payment.refunded'] = {
        paymentId: payment.id,
        orderId: payment.orderId,
        provider: payment.provider,
        amount: refund.amount,
        currency: payment.currency,
        refundId,
        refunded,
        complete,
      };
      await this.outbox.enqueue(manager, {
        jobName: 'payment.refunded',
        payload: refundedEvent,
      });
      // Money that never paid for the order (it came late, or twice) going back is not the order's refund.
      if (refund.requestedBy === LATE_PAYMENT_REFUNDER) return;
      const order = await this.lookup.lock(manager, payment.orderId);
      const to = complete ? 'refunded' : 'partially_refunded';
      if (canTransition(order, to))
        await this.transitions.apply(manager, order, to, {
          actor: refund.requestedBy,
          reason: refund.reason,
        });
    });
  }
}
