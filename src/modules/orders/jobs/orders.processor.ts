import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { OrderExpiry } from '../order-expiry.service';
import { ORDERS_QUEUE, OrdersJobs, type ExpireOrderPayload } from './orders.jobs';

@Processor(ORDERS_QUEUE)
export class OrdersProcessor {
  constructor(private readonly expiry: OrderExpiry) {}

  @Process(OrdersJobs.expire)
  async expire(job: Job<ExpireOrderPayload>): Promise<{ cancelled: boolean }> {
    return { cancelled: await this.expiry.expire(job.data.orderId) };
  }

  @Process(OrdersJobs.expireOverdue)
  async expireOverdue(): Promise<{ cancelled: number }> {
    return { cancelled: await this.expiry.expireOverdue() };
  }
}
