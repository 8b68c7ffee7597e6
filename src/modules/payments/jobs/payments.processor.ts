import { AppConfig } from '@app/config';
import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import type { OutboxJob } from '../../outbox';
import { PaymentEventsService } from '../intake/payment-events.service';
import { SandboxProvider, type SandboxEvent } from '../providers/sandbox.provider';
import { RefundsService } from '../settlement/refunds.service';
import { signPayload } from '../providers/webhook-signature';
import { PAYMENTS_QUEUE, PaymentsJobs } from '../payments.jobs';
import { CapturesService } from '../settlement/captures.service';
import {
  PaymentReconciliationService,
  type ReconciliationResult,
} from '../settlement/payment-reconciliation.service';

@Processor(PAYMENTS_QUEUE)
export class PaymentsProcessor {
  constructor(
    private readonly events: PaymentEventsService,
    private readonly refunds: RefundsService,
    private readonly captures: CapturesService,
    private readonly reconciliation: PaymentReconciliationService,
    private readonly sandbox: SandboxProvider,
    private readonly config: AppConfig,
  ) {}

  @Process(PaymentsJobs.processEvent)
  processEvent(job: OutboxJob<'payments.process-event'>): Promise<void> {
    return this.events.process(job.data.provider, job.data.eventId);
  }

  @Process(PaymentsJobs.capture)
  capture(job: OutboxJob<'payments.capture'>): Promise<void> {
    return this.captures.capture(job.data.paymentId, job.data.amount);
  }

  @Process(PaymentsJobs.void)
  void(job: OutboxJob<'payments.void'>): Promise<void> {
    return this.captures.void(job.data.paymentId);
  }

  @Process(PaymentsJobs.refund)
  refund(job: OutboxJob<'payments.refund'>): Promise<void> {
    return this.refunds.execute(job.data.refundId);
  }

  @Process(PaymentsJobs.reconcile)
  reconcile(): Promise<ReconciliationResult> {
    return this.reconciliation.run();
  }

  @Process(PaymentsJobs.sandboxSettle)
  settle(job: Job<{ chargeId: string; capture: boolean }>): Promise<void> {
    return this.sandbox.settle(job.data.chargeId, job.data.capture);
  }

  /** The sandbox, playing the provider: deliver one signed event; a non-2xx answer is retried. */
  @Process(PaymentsJobs.sandboxDeliver)
  async deliver(job: Job<{ event: SandboxEvent }>): Promise<{ status: number }> {
    const payload = JSON.stringify(job.data.event);
    const response = await fetch(this.config.payments.sandboxWebhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signPayload(payload, this.config.payments.sandboxWebhookSecret),
      },
      body: payload,
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`webhook endpoint answered ${response.status}`);
    return { status: response.status };
  }
}
