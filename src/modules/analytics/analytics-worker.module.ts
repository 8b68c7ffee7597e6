import { AppConfig } from '@app/config';
import { InjectQueue } from '@nestjs/bull';
import { Module, OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bull';
import { ANALYTICS_QUEUE, AnalyticsJobs } from './analytics.jobs';
import { AnalyticsCoreModule } from './analytics-core.module';
import { AnalyticsProcessor } from './analytics.processor';

/** Nightly, 03:30 in the store's time zone: quiet hours, and after the store's day has ended. */
export const RECONCILE_CRON = '30 3 * * *';

/** Analytics' worker side: the nightly reconciliation of the sales rollups, the daily rollup's build. Worker only. */
@Module({
  imports: [AnalyticsCoreModule],
  providers: [AnalyticsProcessor],
})
export class AnalyticsWorkerModule implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(ANALYTICS_QUEUE) private readonly queue: Queue,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // sales_daily for the configured zone (a no-op unless new, or STORE_TIME_ZONE changed): a job,
    // so startup does not wait for it and a failure is retried; several workers run it once.
    await this.queue.add(
      AnalyticsJobs.buildDaily,
      {},
      { jobId: AnalyticsJobs.buildDaily, removeOnComplete: true, removeOnFail: true, attempts: 5 },
    );
    await this.queue.add(
      AnalyticsJobs.reconcile,
      {},
      {
        repeat: { cron: RECONCILE_CRON, tz: this.config.analytics.storeTimeZone },
        jobId: AnalyticsJobs.reconcile,
      },
    );
  }
}
