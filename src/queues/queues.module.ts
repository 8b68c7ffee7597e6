import { AppConfig } from '@app/config';
import { redisOptions } from '@app/common';
import { BullModule } from '@nestjs/bull';
import { DynamicModule, Module } from '@nestjs/common';
import { OUTBOX_ROUTES, OutboxQueues, type OutboxRoutes } from '../modules/outbox';
import { QueueRegistry, REGISTERED_QUEUE_NAMES } from './queue.registry';

const DAY_SECONDS = 24 * 3600;

@Module({})
export class QueuesModule {
  /**
   * Registers the producers (and, in the worker, what processors consume) of the given queues. The list
   * comes from the composition root so that this infrastructure module depends on no feature, and so
   * does the outbox's route of each job to its queue.
   */
  static forRoot<Q extends string>(names: readonly Q[], outboxRoutes: OutboxRoutes<Q>): DynamicModule {
    return {
      module: QueuesModule,
      global: true,
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
        BullModule.registerQueue(...names.map((name) => ({ name }))),
      ],
      providers: [
        { provide: REGISTERED_QUEUE_NAMES, useValue: names },
        QueueRegistry,
        // What the outbox needs from the queues, provided here so that the outbox never imports src/queues.
        { provide: OutboxQueues, useExisting: QueueRegistry },
        { provide: OUTBOX_ROUTES, useValue: outboxRoutes },
      ],
      exports: [BullModule, QueueRegistry, OutboxQueues, OUTBOX_ROUTES],
    };
  }
}
