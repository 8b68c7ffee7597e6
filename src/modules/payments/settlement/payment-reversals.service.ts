import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { CancelledOrder, OrderCancellationHook, TransitionContext } from '../../orders';
import { OutboxService } from '../../outbox';
import { PaymentsJobs, type RefundPayload, type VoidPayload } from '../payments.jobs';
import { PaymentsRepository } from '../payments.repository';

/**
 * A paid order that is cancelled (by its customer before shipping, or by staff) gives its money back
 * in the cancelling transaction: an authorization is voided and captured money refunded, each by its
 * job (the provider is never called under the order's lock). Money recorded by hand goes back by
 * hand: the payment is flagged for staff, who record the refund when they have made it. A payment
 * still pending is left to settlement, which refunds money that arrives for a cancelled order.
 */
@Injectable()
export class PaymentReversalsService implements OrderCancellationHook {
  constructor(
    private readonly payments: PaymentsRepository,
    private readonly outbox: OutboxService,
  ) {}

  async orderCancelled(
    manager: EntityManager,
    order: CancelledOrder,
    context: TransitionContext,
  ): Promise<void> {
    if (order.paidAt === null) return; // nothing was ever held
    for (const payment of await this.payments.lockHoldingMoney(manager, order.id)) {
      if (payment.state === 'authorized') {
        const job: VoidPayload = { paymentId: payment.id };
        await this.outbox.enqueue(manager, {
          jobName: PaymentsJobs.void,
          payload: job,
        });
        continue;
      }
      const refundable =
        payment.capturedAmount - (await this.payments.committedRefundTotal(manager, payment.id));
      if (refundable <= 0) continue;
      if (payment.provider === 'manual') {
        await this.payments.flag(
          manager,
          payment,
          `order cancelled: give ${refundable} back by hand, then record the refund`,
        );
        continue;
      }
      const refund = await this.payments.insertRefund(manager, {
        paymentId: payment.id,
        amount: refundable,
        reason: `order cancelled${context.reason ? `: ${context.reason}` : ''}`.slice(0, 500),
        requestedBy: `system:cancel:${context.actor}`.slice(0, 100),
      });
      const job: RefundPayload = { refundId: refund.id };
      await this.outbox.enqueue(manager, {
        jobName: PaymentsJobs.refund,
        payload: job,
      });
    }
  }
}
