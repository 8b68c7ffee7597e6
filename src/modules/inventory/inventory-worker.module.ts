import { InjectQueue } from '@nestjs/bull';
import { Module, OnApplicationBootstrap } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { OutboxModule } from '../outbox';
import { InventoryLevel } from './entities/inventory-level.entity';
import { InventoryMovement } from './entities/inventory-movement.entity';
import { InventoryReservation, InventoryReservationLine } from './entities/inventory-reservation.entity';
import { InventoryCoreModule } from './inventory-core.module';
import { InventoryMaintenanceProcessor } from './jobs/inventory-maintenance.processor';
import { INVENTORY_QUEUE, InventoryJobs } from './jobs/inventory.jobs';

const SWEEP_EVERY_MS = 60_000;

/** Inventory's worker side: the sweep that releases expired reservations. Imported only by the worker. */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      InventoryLevel,
      InventoryMovement,
      InventoryReservation,
      InventoryReservationLine,
    ]),
    OutboxModule,
    InventoryCoreModule,
  ],
  providers: [InventoryMaintenanceProcessor],
})
export class InventoryWorkerModule implements OnApplicationBootstrap {
  constructor(@InjectQueue(INVENTORY_QUEUE) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    // Keyed by name and schedule: every worker may add it, Bull keeps one.
    await this.queue.add(
      InventoryJobs.releaseExpired,
      {},
      { repeat: { every: SWEEP_EVERY_MS }, jobId: InventoryJobs.releaseExpired },
    );
  }
}
