import { InjectQueue } from '@nestjs/bull';
import { Module, OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bull';
import { OrdersProcessor } from './jobs/orders.processor';
import { ORDERS_QUEUE, OrdersJobs } from './jobs/orders.jobs';
import { OrdersCoreModule } from './orders-core.module';

const SWEEP_EVERY_MS = 60_000;

/** Orders' worker side: payment deadlines and reminders (delayed jobs) and their sweeps. Worker only. */
@Module({
  imports: [OrdersCoreModule],
  providers: [OrdersProcessor],
})
export class OrdersWorkerModule implements OnApplicationBootstrap {
  constructor(@InjectQueue(ORDERS_QUEUE) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.add(
      OrdersJobs.expireOverdue,
      {},
      { repeat: { every: SWEEP_EVERY_MS }, jobId: OrdersJobs.expireOverdue },
    );
    await this.queue.add(
      OrdersJobs.remindPaymentsDue,
      {},
      { repeat: { every: SWEEP_EVERY_MS }, jobId: OrdersJobs.remindPaymentsDue },
    );
  }
}
