import { actorName, type RequestActor } from '@app/common';
import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit';
import { OrderLookupService, awaitsPayment } from '../../orders';
import { PaymentDto, RecordManualPaymentDto, toPaymentDto } from '../dto/payment.dto';
import { PaymentSettlementService } from '../settlement/payment-settlement.service';
import { OrderNotPayableError, PaymentInProgressError } from '../payments.errors';
import { PaymentsRepository } from '../payments.repository';

/**
 * Bank transfer and cash on delivery: staff record the money they received; the order is paid —
 * an order awaiting payment becomes `paid`, a cash-on-delivery order that went out unpaid keeps its
 * status and is marked paid in place.
 */
@Injectable()
export class ManualPaymentsService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly payments: PaymentsRepository,
    private readonly lookup: OrderLookupService,
    private readonly settlement: PaymentSettlementService,
    private readonly audit: AuditService,
  ) {}

  async record(actor: RequestActor, orderId: string, dto: RecordManualPaymentDto): Promise<PaymentDto> {
    return this.transactions.run(async (manager) => {
      const order = await this.lookup.lock(manager, orderId);
      // Awaiting payment — or, cash on delivery, fulfilled, shipped or delivered unpaid: the money came at the door.
      if (!awaitsPayment(order)) throw new OrderNotPayableError(order.status);
      const live = await this.payments.liveOfOrder(manager, orderId);
      if (live.length > 0) throw new PaymentInProgressError(live[0].id, live[0].state);
      const payment = await this.payments.insert(manager, {
        orderId,
        provider: 'manual',
        providerReference: dto.reference ?? null,
        amount: order.total,
        currency: order.currency,
        state: 'pending',
        recordedBy: actorName(actor.principal),
      });
      await this.settlement.apply(manager, payment, {
        state: 'captured',
        at: new Date(),
        source: `manual:${order.paymentMethod}`,
      });
      await this.audit.record(manager, actor, {
        action: 'payment.recorded',
        target: { type: 'order', id: orderId },
        details: {
          paymentId: payment.id,
          amount: payment.amount,
          reference: dto.reference ?? null,
          note: dto.note ?? null,
        },
      });
      const stored = (await this.payments.findById(manager, payment.id))!;
      return toPaymentDto(stored, { attempts: await this.payments.attemptsOf(manager, payment.id) });
    });
  }
}
