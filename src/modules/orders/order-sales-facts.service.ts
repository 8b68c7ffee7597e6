import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type OrderSalesFacts, OrdersRepository } from './orders.repository';

/** The orders' amounts and times as sales reports count them (read by the analytics feature). */
@Injectable()
export class OrderSalesFactsService {
  constructor(private readonly orders: OrdersRepository) {}

  of(manager: EntityManager, orderId: string): Promise<OrderSalesFacts | null> {
    return this.orders.salesFactsOf(manager, orderId);
  }

  /** Every order placed, paid or cancelled in [from, to). */
  movedBetween(manager: EntityManager, from: Date, to: Date): Promise<OrderSalesFacts[]> {
    return this.orders.salesFactsMovedBetween(manager, from, to);
  }
}
