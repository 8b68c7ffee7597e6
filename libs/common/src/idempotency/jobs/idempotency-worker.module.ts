import { InjectQueue } from '@nestjs/bull';
import { Module, OnApplicationBootstrap } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { IdempotencyKey } from '../idempotency-key.entity';
import { IdempotencyKeysRepository } from '../idempotency-keys.repository';
import { IdempotencyService } from '../idempotency.service';
import { IdempotencyPruneProcessor } from './idempotency-prune.processor';
import { IDEMPOTENCY_QUEUE, IdempotencyJobs } from './idempotency.jobs';

const PRUNE_EVERY_MS = 15 * 60_000;

/** The worker side of idempotency keys: the sweep that deletes expired ones. Worker only. */
@Module({
  imports: [TypeOrmModule.forFeature([IdempotencyKey])],
  providers: [IdempotencyKeysRepository, IdempotencyService, IdempotencyPruneProcessor],
})
export class IdempotencyWorkerModule implements OnApplicationBootstrap {
  constructor(@InjectQueue(IDEMPOTENCY_QUEUE) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    // Keyed by name and schedule: every worker may add it, Bull keeps one.
    await this.queue.add(
      IdempotencyJobs.pruneExpired,
      {},
      { repeat: { every: PRUNE_EVERY_MS }, jobId: IdempotencyJobs.pruneExpired },
    );
  }
}
