import { Process, Processor } from '@nestjs/bull';
import { OutboxPrunerService } from '../outbox-pruner.service';
import { MAINTENANCE_QUEUE, OutboxJobs } from './outbox.jobs';

@Processor(MAINTENANCE_QUEUE)
export class OutboxMaintenanceProcessor {
  constructor(private readonly pruner: OutboxPrunerService) {}

  @Process(OutboxJobs.prune)
  async prune(): Promise<{ deleted: number }> {
    return { deleted: await this.pruner.prune() };
  }
}
