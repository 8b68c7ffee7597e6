import { Process, Processor } from '@nestjs/bull';
import { IdempotencyService } from '../idempotency.service';
import { IDEMPOTENCY_QUEUE, IdempotencyJobs } from './idempotency.jobs';

@Processor(IDEMPOTENCY_QUEUE)
export class IdempotencyPruneProcessor {
  constructor(private readonly idempotency: IdempotencyService) {}

  @Process(IdempotencyJobs.pruneExpired)
  async pruneExpired(): Promise<{ deleted: number }> {
    return { deleted: await this.idempotency.pruneExpired() };
  }
}
