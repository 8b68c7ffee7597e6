import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { ANALYTICS_QUEUE, AnalyticsJobs, type ReconcilePayload } from './analytics.jobs';
import { SalesReconciliationService } from './sales-reconciliation.service';

@Processor(ANALYTICS_QUEUE)
export class AnalyticsProcessor {
  constructor(private readonly reconciliation: SalesReconciliationService) {}

  @Process(AnalyticsJobs.reconcile)
  async reconcile(job: Job<ReconcilePayload>): Promise<{
    bucketsChecked: number;
    bucketsCorrected: number;
    amountCorrected: number;
    productBucketsCorrected: number;
  }> {
    const report = await this.reconciliation.reconcile({ days: job.data.days });
    return {
      bucketsChecked: report.bucketsChecked,
      bucketsCorrected: report.bucketsCorrected,
      amountCorrected: report.amountCorrected,
      productBucketsCorrected: report.products.bucketsCorrected,
    };
  }
}
