import type { RequestActor } from '@app/common';
import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import { OrderLookupService } from '../../orders';
import {
  CapturePaymentDto,
  CreateRefundDto,
  PaymentDto,
  RecordManualPaymentDto,
  RefundDto,
  toPaymentDto,
} from '../dto/payment.dto';
import { ManualPaymentsService } from './manual-payments.service';
import { PaymentsRepository } from '../payments.repository';
import { RefundsService } from '../settlement/refunds.service';
import { CapturesService } from '../settlement/captures.service';

/** Staff's payment use cases, behind one controller. */
@Injectable()
export class AdminPaymentsService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly payments: PaymentsRepository,
    private readonly lookup: OrderLookupService,
    private readonly manual: ManualPaymentsService,
    private readonly refunds: RefundsService,
    private readonly captures: CapturesService,
  ) {}

  ofOrder(orderId: string): Promise<PaymentDto[]> {
    return this.transactions.run(async (manager) => {
      await this.lookup.find(manager, orderId);
      const payments = await this.payments.ofOrder(manager, orderId);
      return Promise.all(
        payments.map(async (payment) =>
          toPaymentDto(payment, { attempts: await this.payments.attemptsOf(manager, payment.id) }),
        ),
      );
    });
  }

  recordManual(actor: RequestActor, orderId: string, dto: RecordManualPaymentDto): Promise<PaymentDto> {
    return this.manual.record(actor, orderId, dto);
  }

  capture(actor: RequestActor, paymentId: string, dto: CapturePaymentDto): Promise<PaymentDto> {
    return this.captures.request(actor, paymentId, dto);
  }

  refund(actor: RequestActor, paymentId: string, dto: CreateRefundDto): Promise<RefundDto> {
    return this.refunds.request(actor, paymentId, dto);
  }
}
