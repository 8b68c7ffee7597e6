import { Process, Processor } from '@nestjs/bull';
import type { OutboxJob } from '../../outbox';
import { OrderExpiryService } from '../lifecycle/order-expiry.service';
import { PaymentRemindersService } from '../lifecycle/payment-reminders.service';
import { ORDERS_QUEUE, OrdersJobs } from './orders.jobs';

@Processor(ORDERS_QUEUE)
export class OrdersProcessor {
  constructor(
    private readonly expiry: OrderExpiryService,
    private readonly reminders: PaymentRemindersService,
  ) {}

  @Process(OrdersJobs.expire)
  async expire(job: OutboxJob<'orders.expire'>): Promise<{ cancelled: boolean }> {
    return { cancelled: await this.expiry.expire(job.data.orderId) };
  }

  @Process(OrdersJobs.expireOverdue)
  async expireOverdue(): Promise<{ cancelled: number }> {
    return { cancelled: await this.expiry.expireOverdue() };
  }

  @Process(OrdersJobs.remindPayment)
  async remindPayment(job: OutboxJob<'orders.remind-payment'>): Promise<{ reminded: boolean }> {
    return { reminded: await this.reminders.remind(job.data.orderId) };
  }

  @Process(OrdersJobs.remindPaymentsDue)
  async remindPaymentsDue(): Promise<{ reminded: number }> {
    return { reminded: await this.reminders.remindDue() };
  }
}
