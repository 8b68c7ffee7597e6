import type { RequestActor } from '@app/common';
import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit';
import { OutboxService } from '../../outbox';
import { CapturePaymentDto, PaymentDto, toPaymentDto } from '../dto/payment.dto';
import { PaymentsJobs, type CapturePayload } from '../payments.jobs';
import { PaymentSettlementService } from './payment-settlement.service';
import { CaptureNotPossibleError, PaymentNotFoundError } from '../payments.errors';
import { PaymentsRepository } from '../payments.repository';
import { ProviderRejectedError } from '../providers/payment-provider';
import { PaymentProviderRegistry } from '../providers/payment-provider.registry';

/**
 * Capture and void of authorized payments (PAYMENTS_CAPTURE_METHOD=manual), as jobs with retries.
 * Each effect has one provider idempotency key (`<paymentId>:capture`, `<paymentId>:void`): a job
 * that runs twice captures once, and the payment's forward-only state ignores the second answer.
 */
@Injectable()
export class CapturesService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly payments: PaymentsRepository,
    private readonly providers: PaymentProviderRegistry,
    private readonly settlement: PaymentSettlementService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
  ) {}

  request(actor: RequestActor, paymentId: string, dto: CapturePaymentDto): Promise<PaymentDto> {
    return this.transactions.run(async (manager) => {
      const payment = await this.payments.lockById(manager, paymentId);
      if (!payment) throw new PaymentNotFoundError(paymentId);
      if (payment.state !== 'authorized')
        throw new CaptureNotPossibleError(
          `Only an authorized payment can be captured; this one is ${payment.state}.`,
          {
            state: payment.state,
          },
        );
      const amount = dto.amount ?? payment.amount;
      if (amount > payment.amount)
        throw new CaptureNotPossibleError(`At most the authorized ${payment.amount} can be captured.`, {
          authorized: payment.amount,
        });
      const job: CapturePayload = { paymentId, amount };
      await this.outbox.enqueue(manager, {
        jobName: PaymentsJobs.capture,
        payload: job,
      });
      await this.audit.record(manager, actor, {
        action: 'payment.capture-requested',
        target: { type: 'payment', id: paymentId },
        details: { amount },
      });
      return toPaymentDto(payment, { attempts: await this.payments.attemptsOf(manager, paymentId) });
    });
  }

  async capture(paymentId: string, amount: number): Promise<void> {
    const payment = await this.transactions.run((manager) => this.payments.findById(manager, paymentId));
    if (!payment || payment.state !== 'authorized' || !payment.providerReference) return;
    try {
      const answer = await this.providers
        .get(payment.provider)
        .capture(payment.providerReference, amount, `${paymentId}:capture`);
      await this.settle(
        paymentId,
        answer.state === 'captured' ? 'captured' : answer.state,
        amount,
        'capture',
      );
    } catch (error) {
      if (!(error instanceof ProviderRejectedError)) throw error; // Bull retries network trouble
      await this.transactions.run((manager) =>
        this.payments.attempt(manager, {
          paymentId,
          operation: 'capture',
          outcome: 'refused',
          detail: error.message.slice(0, 500),
          idempotencyKey: `${paymentId}:capture`,
        }),
      );
    }
  }

  async void(paymentId: string): Promise<void> {
    const payment = await this.transactions.run((manager) => this.payments.findById(manager, paymentId));
    if (!payment || payment.state !== 'authorized' || !payment.providerReference) return;
    try {
      const answer = await this.providers
        .get(payment.provider)
        .void(payment.providerReference, `${paymentId}:void`);
      // The provider's answer is the truth: a payment it captured meanwhile is not voided.
      await this.settle(paymentId, answer.state, undefined, 'void');
    } catch (error) {
      if (!(error instanceof ProviderRejectedError)) throw error; // Bull retries network trouble
      await this.transactions.run((manager) =>
        this.payments.attempt(manager, {
          paymentId,
          operation: 'void',
          outcome: 'refused',
          detail: error.message.slice(0, 500),
          idempotencyKey: `${paymentId}:void`,
        }),
      );
    }
  }

  private async settle(
    paymentId: string,
    state: PaymentDto['state'],
    capturedAmount: number | undefined,
    source: string,
  ): Promise<void> {
    await this.transactions.run(async (manager) => {
      const payment = (await this.payments.lockById(manager, paymentId))!;
      await this.settlement.apply(manager, payment, {
        state: state as Parameters<PaymentSettlementService['apply']>[2]['state'],
        ...(capturedAmount !== undefined ? { capturedAmount } : {}),
        at: new Date(),
        source,
      });
    });
  }
}
