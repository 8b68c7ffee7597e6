import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { WebhookResources } from '../notifications';
import type { OrderDto } from './dto/order.dto';
import { OrderReadsService } from './order-reads.service';
import { OrdersRepository } from './orders.repository';

/** Orders' side of notifications' WEBHOOK_RESOURCES port: an order as staff's GET returns it. */
@Injectable()
export class WebhookResourcesAdapter implements WebhookResources {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrdersRepository,
    private readonly reads: OrderReadsService,
  ) {}

  async order(orderId: string): Promise<OrderDto | null> {
    const manager = this.dataSource.manager;
    const order = await this.orders.findById(manager, orderId);
    return order ? this.reads.detail(manager, order, { actors: true }) : null;
  }
}
