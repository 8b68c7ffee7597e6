import { TransactionRunner } from '@app/database';
import { Injectable, Logger } from '@nestjs/common';
import { isUUID as isUuid } from 'class-validator';
import type { EntityManager } from 'typeorm';
import { OutboxService } from '../../outbox';
import type { Payment } from '../entities/payment.entity';
import { PaymentsJobs, type ProcessEventPayload } from '../payments.jobs';
import { PaymentSettlementService } from '../settlement/payment-settlement.service';
import { WebhookRejectedError } from '../payments.errors';
import { PaymentsRepository } from '../payments.repository';
import { WebhookSignatureError, type ProviderEvent, type ProviderName } from '../providers/payment-provider';
import { PaymentProviderRegistry } from '../providers/payment-provider.registry';
import { RefundsService } from '../settlement/refunds.service';

const STATE_OF: Partial<Record<ProviderEvent['type'], Payment['state']>> = {
  'payment.authorized': 'authorized',
  'payment.captured': 'captured',
  'payment.failed': 'failed',
  'payment.voided': 'voided',
};

/**
 * Inbound webhooks. Receiving verifies the signature over the raw body before anything else, records
 * the event once (a duplicate delivery is answered 200 and does nothing) and leaves the work to a
 * job written in the same transaction — so the provider gets its answer fast. Processing applies the
 * event through PaymentSettlementService, whose forward-only states make out-of-order delivery end where
 * in-order delivery would.
 */
@Injectable()
export class PaymentEventsService {
  private readonly logger = new Logger(PaymentEventsService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly payments: PaymentsRepository,
    private readonly providers: PaymentProviderRegistry,
    private readonly settlement: PaymentSettlementService,
    private readonly outbox: OutboxService,
    private readonly refunds: RefundsService,
  ) {}

  async receive(
    providerName: string,
    rawBody: Buffer | undefined,
    headers: Record<string, string | string[] | undefined>,
  ): Promise<{ received: true; duplicate: boolean }> {
    const provider = this.providers.get(providerName);
    let event: ProviderEvent;
    try {
      event = provider.parseWebhook(rawBody ?? Buffer.alloc(0), headers);
    } catch (error) {
      if (error instanceof WebhookSignatureError) throw new WebhookRejectedError(error.message);
      throw new WebhookRejectedError('the body is not an event this provider sends');
    }
    const fresh = await this.transactions.run(async (manager) => {
      const recorded = await this.payments.recordEvent(manager, {
        provider: provider.name,
        eventId: event.id,
        type: event.type,
        event: { ...event, createdAt: event.createdAt.toISOString() },
      });
      if (recorded) {
        const job: ProcessEventPayload = { provider: provider.name, eventId: event.id };
        await this.outbox.enqueue(manager, {
          jobName: PaymentsJobs.processEvent,
          payload: job,
        });
      }
      return recorded;
    });
    return { received: true, duplicate: !fresh };
  }

  /** The job: applies one recorded event, once. */
  async process(provider: ProviderName, eventId: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      const stored = await this.payments.lockEvent(manager, provider, eventId);
      if (!stored || stored.processedAt) return;
      const event = stored.event as unknown as Omit<ProviderEvent, 'createdAt'> & { createdAt: string };
      await this.payments.markEventProcessed(manager, provider, eventId);
      if (event.type === 'refund.failed') {
        await this.refundFailed(manager, provider, event);
        return;
      }
      const state = STATE_OF[event.type];
      if (!state || !event.paymentReference) return;
      const payment = await this.locate(manager, provider, event);
      if (!payment) {
        // The event can overtake the answer to our own call: leave it unprocessed, the job retries.
        this.logger.warn({ provider, eventId }, 'webhook event for a payment not recorded yet; will retry');
        throw new Error(`no ${provider} payment ${event.paymentReference} yet`);
      }
      await this.settlement.apply(manager, payment, {
        state,
        reference: event.paymentReference,
        amount: event.amount,
        currency: event.currency,
        ...(state === 'captured' && event.amount !== null ? { capturedAmount: event.amount } : {}),
        at: new Date(event.createdAt),
        source: `webhook:${event.providerType}`,
      });
    });
  }

  /** A refund the provider accepted and failed later (Stripe: refund.failed): the money is still owed. */
  private async refundFailed(
    manager: EntityManager,
    provider: ProviderName,
    event: Pick<ProviderEvent, 'paymentReference' | 'refundReference'>,
  ): Promise<void> {
    if (!event.paymentReference || !event.refundReference) return;
    const payment = await this.payments.lockByReference(manager, provider, event.paymentReference);
    if (!payment) return;
    const refund = await this.payments.lockRefundByReference(manager, payment.id, event.refundReference);
    if (refund) {
      await this.refunds.failWithin(manager, refund, 'the provider reported that the refund failed');
      return;
    }
    // The event can overtake the refund job's own record of the reference: the job retries.
    if ((await this.payments.refundsOf(manager, payment.id)).some((one) => one.state === 'pending'))
      throw new Error(`no ${provider} refund ${event.refundReference} recorded yet`);
    this.logger.warn(
      { provider, refund: event.refundReference },
      'refund.failed for a refund not recorded here (made outside Storekeep?)',
    );
  }

  /**
   * The payment an event is about, locked: by the provider's reference, or — when the answer that
   * named the reference was lost — by the id we gave the provider, only while the payment names no
   * other reference, so an event cannot be steered to a different payment. The lookup by reference is
   * a plain read: a locking miss would hold a gap lock that blocks the answer recording the reference.
   */
  private async locate(
    manager: EntityManager,
    provider: ProviderName,
    event: Pick<ProviderEvent, 'paymentReference' | 'paymentId'>,
  ): Promise<Payment | null> {
    const named = event.paymentReference
      ? await this.payments.findByReference(manager, provider, event.paymentReference)
      : null;
    const id = named?.id ?? (event.paymentId && isUuid(event.paymentId) ? event.paymentId : null);
    if (!id) return null;
    const payment = await this.payments.lockById(manager, id);
    if (!payment || payment.provider !== provider) return null;
    return payment.providerReference === null || payment.providerReference === event.paymentReference
      ? payment
      : null;
  }
}
