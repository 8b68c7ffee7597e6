import { Process, Processor } from '@nestjs/bull';
import { ReservationsService } from '../reservations.service';
import { INVENTORY_QUEUE, InventoryJobs } from './inventory.jobs';

@Processor(INVENTORY_QUEUE)
export class InventoryMaintenanceProcessor {
  constructor(private readonly reservations: ReservationsService) {}

  @Process(InventoryJobs.releaseExpired)
  async releaseExpired(): Promise<{ released: number }> {
    return { released: await this.reservations.releaseExpired() };
  }
}
