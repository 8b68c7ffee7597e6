import { AppConfig } from '@app/config';
import { TransactionRunner } from '@app/database';
import { Injectable, Logger } from '@nestjs/common';
import { PaymentSettlementService } from './payment-settlement.service';
import { PaymentsRepository } from '../payments.repository';
import type { ProviderPayment } from '../providers/payment-provider';
import { PaymentProviderRegistry } from '../providers/payment-provider.registry';
import type { Payment } from '../entities/payment.entity';

export interface ReconciliationResult {
  /** Payments the provider was asked about. */
  asked: number;
  /** Of those, payments whose state changed to what the provider says. */
  changed: number;
  /** Payments the provider could not be asked about (unavailable); the next run tries again. */
  unreachable: number;
}

/**
 * The safety net under webhooks and jobs: payments that stayed pending or authorized longer than
 * PAYMENTS_RECONCILE_AFTER_SECONDS are asked of their provider, and what it says is applied through the
 * same settlement as a webhook (forward-only, amounts checked, late money refunded). A lost webhook,
 * a capture job that died after the provider call, or an answer lost on the way back all end here.
 * A payment the provider never heard of (the request never reached it) is failed, which frees its
 * order for another payment. The provider is called outside any transaction.
 */
@Injectable()
export class PaymentReconciliationService {
  private readonly logger = new Logger(PaymentReconciliationService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly payments: PaymentsRepository,
    private readonly providers: PaymentProviderRegistry,
    private readonly settlement: PaymentSettlementService,
    private readonly config: AppConfig,
  ) {}

  async run(now = new Date(), batch = 100): Promise<ReconciliationResult> {
    const before = new Date(now.getTime() - this.config.payments.reconcileAfterSeconds * 1000);
    const due = await this.transactions.run((manager) =>
      this.payments.dueForReconciliation(manager, before, batch),
    );
    const result: ReconciliationResult = { asked: 0, changed: 0, unreachable: 0 };
    for (const payment of due) {
      let truth: ProviderPayment | null;
      try {
        truth = await this.providers
          .get(payment.provider)
          .retrieve({ paymentId: payment.id, reference: payment.providerReference });
      } catch (error) {
        result.unreachable += 1;
        this.logger.warn({ err: error, paymentId: payment.id }, 'reconciliation could not ask the provider');
        // Asked, if without an answer: it goes to the back of the line, so payments the provider
        // keeps refusing to answer about cannot fill every batch and starve the others.
        await this.transactions.run((manager) =>
          this.payments.update(manager, payment.id, { reconciledAt: now }),
        );
        continue;
      }
      result.asked += 1;
      if (await this.apply(payment.id, truth, now)) result.changed += 1;
    }
    if (result.changed > 0 || result.unreachable > 0)
      this.logger.log(result, `reconciliation changed ${result.changed} payment(s)`);
    return result;
  }

  /** True when the payment's state changed. */
  private async apply(paymentId: string, truth: ProviderPayment | null, now: Date): Promise<boolean> {
    return this.transactions.run(async (manager) => {
      const payment = (await this.payments.lockById(manager, paymentId))!;
      await this.payments.update(manager, paymentId, { reconciledAt: now });
      const observed = this.observation(payment, truth, now);
      if (!observed) return false;
      const before = payment.state;
      await this.settlement.apply(manager, payment, observed);
      return payment.state !== before;
    });
  }

  private observation(payment: Payment, truth: ProviderPayment | null, now: Date) {
    const base = { at: now, source: 'reconcile' };
    if (!truth)
      // Nothing at the provider: the request never reached it (the same key would create it now,
      // but nobody is retrying). Failing it lets the customer pay the order another way.
      return payment.state === 'pending' && !payment.providerReference
        ? {
            ...base,
            state: 'failed' as const,
            failureCode: 'not_at_provider',
            failureMessage: 'the provider never received this payment',
          }
        : null;
    // Nothing new — unless the answer names the reference we never learned: webhooks match by it.
    if (truth.state === payment.state && (payment.providerReference || !truth.reference)) return null;
    return {
      ...base,
      state: truth.state,
      reference: truth.reference,
      amount: truth.amount,
      currency: truth.currency,
      ...(truth.capturedAmount !== undefined && truth.state === 'captured'
        ? { capturedAmount: truth.capturedAmount }
        : {}),
      failureCode: truth.failureCode ?? null,
      failureMessage: truth.failureMessage ?? null,
    };
  }
}
