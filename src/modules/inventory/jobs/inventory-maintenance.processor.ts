import { Process, Processor } from '@nestjs/bull';
import { MAINTENANCE_QUEUE } from '../../outbox/jobs/outbox.jobs';
import { ReservationsService } from '../reservations.service';
import { InventoryJobs } from './inventory.jobs';

@Processor(MAINTENANCE_QUEUE)
export class InventoryMaintenanceProcessor {
  constructor(private readonly reservations: ReservationsService) {}

  @Process(InventoryJobs.releaseExpired)
  async releaseExpired(): Promise<{ released: number }> {
    return { released: await this.reservations.releaseExpired() };
  }
}
