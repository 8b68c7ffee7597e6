import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { ANALYTICS_QUEUE, AnalyticsJobs, type ReconcilePayload } from './analytics.jobs';
import { SalesDailyService } from './sales-daily.service';
import { SalesReconciliationService } from './sales-reconciliation.service';

@Processor(ANALYTICS_QUEUE)
export class AnalyticsProcessor {
  constructor(
    private readonly reconciliation: SalesReconciliationService,
    private readonly daily: SalesDailyService,
  ) {}

  @Process(AnalyticsJobs.buildDaily)
  async buildDaily(): Promise<{ rebuilt: boolean; days: number; rows: number }> {
    const result = await this.daily.ensureBuilt();
    return { rebuilt: result !== null, days: result?.days ?? 0, rows: result?.rows ?? 0 };
  }

  @Process(AnalyticsJobs.reconcile)
  async reconcile(job: Job<ReconcilePayload>): Promise<{
    bucketsChecked: number;
    bucketsCorrected: number;
    amountCorrected: number;
    productBucketsCorrected: number;
    dailyRowsCorrected: number;
  }> {
    const report = await this.reconciliation.reconcile({ days: job.data.days });
    return {
      bucketsChecked: report.bucketsChecked,
      bucketsCorrected: report.bucketsCorrected,
      amountCorrected: report.amountCorrected,
      productBucketsCorrected: report.products.bucketsCorrected,
      dailyRowsCorrected: report.daily.daysCorrected,
    };
  }
}
