import { AppConfig } from '@app/config';
import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SandboxCharge, SandboxRefund } from '../entities/sandbox-charge.entity';
import { PAYMENTS_QUEUE, PaymentsJobs } from '../payments.jobs';
import { verifySignature } from './webhook-signature';
import {
  CreatePaymentRequest,
  PaymentProvider,
  ProviderEvent,
  ProviderPayment,
  ProviderRefund,
  ProviderRejectedError,
  ProviderUnavailableError,
} from './payment-provider';

/** The sandbox's documented test cards (any expiry, any CVC). */
export const SANDBOX_CARDS = {
  succeeds: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  /** Processing at first; succeeds after SANDBOX_SETTLE_DELAY_MS, announced by webhook only. */
  succeedsLater: '4000000000000077',
  /** Charged, but the first answer is lost (a timeout): the caller must retry with the same key. */
  answerLost: '4000000000000119',
} as const;

/** What the sandbox sends to the webhook endpoint (signed like Stripe). */
export interface SandboxEvent {
  id: string;
  type: ProviderEvent['type'];
  created: number;
  data: { charge: string; refund: string | null; amount: number; currency: string; paymentId: string };
}

/**
 * A card provider with no account anywhere, for demos and tests. It keeps its own books
 * (`sandbox_charges`), honours idempotency keys like Stripe (the same key returns the same charge),
 * and announces every outcome through signed webhooks — so Storekeep exercises the same
 * asynchronous path as with Stripe, including the "succeeds after a delay" card.
 */
@Injectable()
export class SandboxProvider implements PaymentProvider {
  readonly name = 'sandbox' as const;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(PAYMENTS_QUEUE) private readonly queue: Queue,
    private readonly config: AppConfig,
  ) {}

  async create(request: CreatePaymentRequest): Promise<ProviderPayment> {
    const card = request.paymentMethod.replace(/[\s-]/g, '');
    const charge: Partial<SandboxCharge> = {
      id: `sbx_${randomUUID().replace(/-/g, '')}`,
      idempotencyKey: request.idempotencyKey,
      paymentId: request.paymentId,
      card: card.slice(-4),
      amount: request.amount,
      currency: request.currency,
      captured: 0,
      refunded: 0,
    };
    let event: ProviderEvent['type'] | null = null;
    switch (card) {
      case SANDBOX_CARDS.succeeds:
      case SANDBOX_CARDS.answerLost:
        charge.state = request.captureMethod === 'manual' ? 'authorized' : 'captured';
        charge.captured = charge.state === 'captured' ? request.amount : 0;
        event = charge.state === 'captured' ? 'payment.captured' : 'payment.authorized';
        break;
      case SANDBOX_CARDS.succeedsLater:
        charge.state = 'pending';
        break;
      case SANDBOX_CARDS.insufficientFunds:
        charge.state = 'failed:insufficient_funds';
        event = 'payment.failed';
        break;
      default:
        charge.state = 'failed:card_declined';
        event = 'payment.failed';
    }
    try {
      await this.dataSource.manager.insert(SandboxCharge, charge);
    } catch (error) {
      // The same key again (a retry, or a concurrent call that won): the same charge, never a second
      // one (Stripe's idempotency). Inserting first saves the lookup on every first call.
      const raced = await this.dataSource.manager.findOne(SandboxCharge, {
        where: { idempotencyKey: request.idempotencyKey },
      });
      if (raced) return this.view(raced);
      throw error;
    }
    const stored = charge as SandboxCharge;
    if (event) await this.announce(stored, event);
    if (card === SANDBOX_CARDS.answerLost)
      throw new ProviderUnavailableError('sandbox', new Error('the answer was lost on the way back'));
    if (card === SANDBOX_CARDS.succeedsLater)
      await this.queue.add(
        PaymentsJobs.sandboxSettle,
        { chargeId: stored.id, capture: request.captureMethod === 'automatic' },
        { delay: this.config.payments.sandboxSettleDelayMs, jobId: `sandbox-settle:${stored.id}` },
      );
    return this.view(stored);
  }

  /** The delayed card's moment: it succeeds, and only a webhook says so. */
  async settle(chargeId: string, capture: boolean): Promise<void> {
    const charge = await this.dataSource.manager.findOne(SandboxCharge, { where: { id: chargeId } });
    if (!charge || charge.state !== 'pending') return;
    charge.state = capture ? 'captured' : 'authorized';
    charge.captured = capture ? charge.amount : 0;
    await this.dataSource.manager.update(
      SandboxCharge,
      { id: chargeId, state: 'pending' },
      { state: charge.state, captured: charge.captured },
    );
    await this.announce(charge, capture ? 'payment.captured' : 'payment.authorized');
  }

  async capture(reference: string, amount: number): Promise<ProviderPayment> {
    const charge = await this.charge(reference);
    if (charge.state === 'authorized') {
      if (amount > charge.amount)
        throw new ProviderRejectedError('sandbox', 'amount_too_large', 'capture exceeds authorization');
      await this.dataSource.manager.update(
        SandboxCharge,
        { id: reference },
        { state: 'captured', captured: amount },
      );
      charge.state = 'captured';
      charge.captured = amount;
      await this.announce(charge, 'payment.captured', null, amount);
    }
    return this.view(charge);
  }

  async void(reference: string): Promise<ProviderPayment> {
    const charge = await this.charge(reference);
    if (charge.state === 'authorized' || charge.state === 'pending') {
      await this.dataSource.manager.update(SandboxCharge, { id: reference }, { state: 'voided' });
      charge.state = 'voided';
      await this.announce(charge, 'payment.voided');
    }
    return this.view(charge);
  }

  async refund(reference: string, amount: number, idempotencyKey: string): Promise<ProviderRefund> {
    return this.dataSource.transaction(async (manager) => {
      const earlier = await manager.findOne(SandboxRefund, { where: { idempotencyKey } });
      if (earlier)
        return {
          reference: earlier.id,
          state: 'succeeded' as const,
          amount: earlier.amount,
          currency: (await this.charge(reference)).currency,
        };
      const charge = await manager.findOne(SandboxCharge, {
        where: { id: reference },
        lock: { mode: 'pessimistic_write' },
      });
      if (!charge) throw new ProviderRejectedError('sandbox', 'resource_missing', `no charge ${reference}`);
      if (charge.state !== 'captured' || charge.refunded + amount > charge.captured)
        throw new ProviderRejectedError(
          'sandbox',
          'amount_too_large',
          'the refund exceeds what was captured',
        );
      const refund = {
        idempotencyKey,
        id: `sbxre_${randomUUID().replace(/-/g, '')}`,
        chargeId: reference,
        amount,
      };
      await manager.insert(SandboxRefund, refund);
      await manager.update(SandboxCharge, { id: reference }, { refunded: charge.refunded + amount });
      await this.announce(charge, 'refund.succeeded', refund.id, amount);
      return { reference: refund.id, state: 'succeeded' as const, amount, currency: charge.currency };
    });
  }

  async retrieve(payment: { paymentId: string; reference: string | null }): Promise<ProviderPayment | null> {
    const charge = await this.dataSource.manager.findOne(SandboxCharge, {
      where: payment.reference ? { id: payment.reference } : { paymentId: payment.paymentId },
      order: { createdAt: 'DESC' },
    });
    return charge ? this.view(charge) : null;
  }

  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): ProviderEvent {
    const header = headers['stripe-signature'];
    verifySignature(
      rawBody,
      typeof header === 'string' ? header : undefined,
      this.config.payments.sandboxWebhookSecret,
    );
    const event = JSON.parse(rawBody.toString('utf8')) as SandboxEvent;
    return {
      id: event.id,
      type: event.type,
      paymentReference: event.data.charge,
      paymentId: event.data.paymentId ?? null,
      refundReference: event.data.refund,
      amount: event.data.amount,
      currency: event.data.currency,
      createdAt: new Date(event.created * 1000),
      providerType: event.type,
    };
  }

  private async charge(reference: string): Promise<SandboxCharge> {
    const charge = await this.dataSource.manager.findOne(SandboxCharge, { where: { id: reference } });
    if (!charge) throw new ProviderRejectedError('sandbox', 'resource_missing', `no charge ${reference}`);
    return charge;
  }

  private async announce(
    charge: SandboxCharge,
    type: ProviderEvent['type'],
    refund: string | null = null,
    amount = charge.amount,
  ): Promise<void> {
    const event: SandboxEvent = {
      id: `evt_sbx_${randomUUID().replace(/-/g, '')}`,
      type,
      created: Math.floor(Date.now() / 1000),
      data: { charge: charge.id, refund, amount, currency: charge.currency, paymentId: charge.paymentId },
    };
    await this.queue.add(
      PaymentsJobs.sandboxDeliver,
      { event },
      { jobId: event.id, attempts: 8, backoff: { type: 'exponential', delay: 500 } },
    );
  }

  private view(charge: SandboxCharge): ProviderPayment {
    const [state, code] = charge.state.split(':');
    return {
      reference: charge.id,
      state: state as ProviderPayment['state'],
      amount: charge.amount,
      currency: charge.currency,
      capturedAmount: charge.captured,
      failureCode: code ?? null,
      failureMessage: code ? `The card was declined (${code}).` : null,
    };
  }
}
