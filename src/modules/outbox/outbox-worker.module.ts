import { InjectQueue } from '@nestjs/bull';
import { Module, OnApplicationBootstrap } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { OutboxMessage } from './entities/outbox-message.entity';
import { OutboxMaintenanceProcessor } from './jobs/outbox-maintenance.processor';
import { MAINTENANCE_QUEUE, OutboxJobs } from './jobs/outbox.jobs';
import { OutboxPrunerService } from './outbox-pruner.service';
import { OutboxRedriveService } from './outbox-redrive.service';
import { OutboxRelayService } from './outbox-relay.service';
import { OutboxRepository } from './outbox.repository';

const PRUNE_EVERY_MS = 3_600_000;

/** The outbox's worker side: the relay and the pruning job. Imported only by the worker. */
@Module({
  imports: [TypeOrmModule.forFeature([OutboxMessage])],
  providers: [
    OutboxRepository,
    OutboxRedriveService,
    OutboxRelayService,
    OutboxPrunerService,
    OutboxMaintenanceProcessor,
  ],
  exports: [OutboxRelayService],
})
export class OutboxWorkerModule implements OnApplicationBootstrap {
  constructor(@InjectQueue(MAINTENANCE_QUEUE) private readonly maintenance: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    // Repeatable jobs are keyed by name and schedule: every worker may add it, Bull keeps one.
    await this.maintenance.add(
      OutboxJobs.prune,
      {},
      { repeat: { every: PRUNE_EVERY_MS }, jobId: OutboxJobs.prune },
    );
  }
}
