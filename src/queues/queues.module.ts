import { AppConfig } from '@app/config';
import { redisOptions } from '@app/common';
import { BullModule } from '@nestjs/bull';
import { Global, Module } from '@nestjs/common';
import { QUEUE_NAMES } from './queue-names';
import { QueueRegistry } from './queue-registry';

const DAY_SECONDS = 24 * 3600;

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        redis: redisOptions(config.redis),
        prefix: `${config.redis.prefix}:bull`,
        // A job whose worker died (SIGKILL, OOM, a lost machine) stays active until its lock expires;
        // the stalled check then puts it back to wait, up to maxStalledCount times (see WORKER_*).
        settings: {
          lockDuration: config.worker.jobLockMs,
          stalledInterval: config.worker.stalledCheckIntervalMs,
          maxStalledCount: config.worker.maxStalledCount,
        },
        defaultJobOptions: {
          attempts: 5,
          backoff: { type: 'exponential', delay: 1_000 },
          // Completed jobs are kept (up to a day, at most 10,000 per queue) so that a re-publication of
          // the same outbox id is deduplicated; jobs are idempotent for whatever falls outside that.
          removeOnComplete: { age: DAY_SECONDS, count: 10_000 },
          removeOnFail: { age: 7 * DAY_SECONDS },
        },
      }),
    }),
    BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name }))),
  ],
  providers: [QueueRegistry],
  exports: [BullModule, QueueRegistry],
})
export class QueuesModule {}
