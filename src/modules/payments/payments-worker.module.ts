import { AppConfig } from '@app/config';
import { InjectQueue } from '@nestjs/bull';
import { Module, OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bull';
import { PAYMENTS_QUEUE, PaymentsJobs } from './payments.jobs';
import { PaymentsProcessor } from './jobs/payments.processor';
import { PaymentsCoreModule } from './payments-core.module';
import { PaymentReconciliationService } from './settlement/payment-reconciliation.service';

/** Payments' worker side: webhook events, captures, refunds, reconciliation and the sandbox's deliveries. */
@Module({
  imports: [PaymentsCoreModule],
  providers: [PaymentsProcessor, PaymentReconciliationService],
})
export class PaymentsWorkerModule implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(PAYMENTS_QUEUE) private readonly queue: Queue,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Keyed by name and schedule: every worker may add it, Bull keeps one. A schedule changed by
    // configuration replaces the old one instead of running beside it.
    const every = this.config.payments.reconcileEverySeconds * 1000;
    for (const scheduled of await this.queue.getRepeatableJobs())
      if (scheduled.name === PaymentsJobs.reconcile && Number(scheduled.every) !== every)
        await this.queue.removeRepeatableByKey(scheduled.key);
    await this.queue.add(
      PaymentsJobs.reconcile,
      {},
      {
        repeat: { every },
        jobId: PaymentsJobs.reconcile,
        attempts: 1,
      },
    );
  }
}
