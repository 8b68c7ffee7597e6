import { AppConfig } from '@app/config';
import { TransactionRunner } from '@app/database';
import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { CartCaller } from '../../carts';
import { OrderLookupService } from '../../orders';
import { PaymentDto, StartPaymentDto, toPaymentDto } from '../dto/payment.dto';
import type { Payment } from '../entities/payment.entity';
import { type ObservedState, PaymentSettlementService } from '../settlement/payment-settlement.service';
import { OrderNotPayableError, PaymentInProgressError, ProviderDownError } from '../payments.errors';
import { PaymentsRepository } from '../payments.repository';
import { ProviderRejectedError, type ProviderPayment } from '../providers/payment-provider';
import { PaymentProviderRegistry } from '../providers/payment-provider.registry';

/** Still holds or may yet hold the order's money (as PaymentsRepository.liveOfOrder selects). */
/** The order as the first transaction read (and locked) it. */
type PayableOrder = Awaited<ReturnType<OrderLookupService['visible']>>;

const isLive = (payment: Payment): boolean =>
  ['pending', 'requires_action', 'authorized', 'captured'].includes(payment.state) &&
  payment.givenBackAt === null;

/**
 * A customer pays an order by card. No row lock is held across the provider call: the payment is
 * recorded in one transaction, the provider is called outside it with an idempotency key derived from
 * our payment id, and the answer is applied in a second transaction (Saleor #11069 held locks across
 * the call). A retry after a timeout re-drives the same payment with the same key: never a second charge.
 */
@Injectable()
export class PaymentsService {
  private readonly logger = new Logger(PaymentsService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly payments: PaymentsRepository,
    private readonly lookup: OrderLookupService,
    private readonly providers: PaymentProviderRegistry,
    private readonly settlement: PaymentSettlementService,
    private readonly config: AppConfig,
  ) {}

  /** `requestKey`: the request's Idempotency-Key; only a retry of the same request re-drives a payment. */
  async start(
    caller: CartCaller,
    orderId: string,
    dto: StartPaymentDto,
    requestKey: string,
  ): Promise<PaymentDto> {
    const requestKeyHash = createHash('sha256').update(requestKey).digest('hex');
    const { payment, order, answered } = await this.transactions.run(async (manager) => {
      const order = await this.lookup.visible(manager, caller, orderId, true);
      // One read of the order's payments serves both questions below (read after the order lock, so
      // it sees every payment committed before it).
      const payments = await this.payments.ofOrder(manager, orderId);
      // The same request again, after its payment settled without it (a webhook, reconciliation):
      // the answer it lost, not "the order is paid already".
      const own = payments.find(
        (candidate) => candidate.requestKeyHash === requestKeyHash && candidate.state !== 'pending',
      );
      if (own) return { payment: own, order, answered: true };
      if (order.status !== 'pending_payment') throw new OrderNotPayableError(order.status);
      const live = payments.filter(isLive);
      // The same request again (its answer was lost) re-drives its own pending payment with the same
      // provider key; any other request waits until the payment under way settles or fails.
      const retry = live.find(
        (candidate) =>
          candidate.state === 'pending' &&
          candidate.provider === this.config.payments.provider &&
          candidate.requestKeyHash === requestKeyHash,
      );
      if (retry) return { payment: retry, order, answered: false };
      if (live.length > 0) throw new PaymentInProgressError(live[0].id, live[0].state);
      const payment = await this.payments.insert(manager, {
        orderId,
        provider: this.config.payments.provider,
        amount: order.total,
        currency: order.currency,
        state: 'pending',
        requestKeyHash,
      });
      await this.payments.attempt(manager, {
        paymentId: payment.id,
        operation: 'create',
        outcome: 'requested',
        idempotencyKey: `${payment.id}:create`,
      });
      return { payment, order, answered: false };
    });
    if (answered) return toPaymentDto(payment);

    const provider = this.providers.get(payment.provider);
    let answer: ProviderPayment;
    try {
      answer = await provider.create({
        paymentId: payment.id,
        orderId,
        orderNumber: order.number,
        amount: payment.amount,
        currency: payment.currency,
        captureMethod: this.config.payments.captureMethod,
        paymentMethod: dto.paymentMethod,
        idempotencyKey: `${payment.id}:create`,
      });
    } catch (error) {
      if (error instanceof ProviderRejectedError)
        answer = {
          reference: '',
          state: 'failed',
          amount: payment.amount,
          currency: payment.currency,
          failureCode: error.code,
          failureMessage: error.message,
        };
      else {
        this.logger.warn(
          { err: error, paymentId: payment.id },
          'payment provider call failed; the payment stays pending',
        );
        throw new ProviderDownError();
      }
    }
    return this.record(payment, order, answer);
  }

  /**
   * Applies the provider's answer. Usually nothing touched the payment or its order since the first
   * transaction wrote and read them: then both are changed by compare-and-set, without locking reads,
   * and the answer is built from what was written. Otherwise (a webhook came first, the order
   * expired) the payment is locked and read, and the answer applied to what it is now.
   */
  private async record(payment: Payment, order: PayableOrder, answer: ProviderPayment): Promise<PaymentDto> {
    const observed: ObservedState = {
      state: answer.state,
      reference: answer.reference || null,
      amount: answer.amount,
      currency: answer.currency,
      failureCode: answer.failureCode ?? null,
      failureMessage: answer.failureMessage ?? null,
      at: new Date(),
      source: 'create',
    };
    return this.transactions.run(async (manager) => {
      const applied = await this.settlement.applyIfUnchanged(manager, { ...payment }, { ...order }, observed);
      if (applied) return toPaymentDto(applied);
      const locked = (await this.payments.lockById(manager, payment.id))!;
      await this.settlement.apply(manager, locked, observed);
      return toPaymentDto((await this.payments.findById(manager, payment.id))!);
    });
  }
}
