import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type OrderLineSalesFacts, type OrderSalesFacts, OrdersRepository } from './orders.repository';

/** The orders' amounts and times as sales reports count them (read by the analytics feature). */
@Injectable()
export class OrderSalesFactsService {
  constructor(private readonly orders: OrdersRepository) {}

  of(manager: EntityManager, orderId: string): Promise<OrderSalesFacts | null> {
    return this.orders.salesFactsOf(manager, orderId);
  }

  ofMany(manager: EntityManager, orderIds: readonly string[]): Promise<OrderSalesFacts[]> {
    return orderIds.length === 0 ? Promise.resolve([]) : this.orders.salesFactsOfMany(manager, orderIds);
  }

  /** The lines of these orders: what each variant sold, for the product rollups. */
  linesOf(manager: EntityManager, orderIds: readonly string[]): Promise<OrderLineSalesFacts[]> {
    return orderIds.length === 0 ? Promise.resolve([]) : this.orders.lineSalesFactsOf(manager, orderIds);
  }

  /** Every order placed, paid or cancelled in [from, to). */
  movedBetween(manager: EntityManager, from: Date, to: Date): Promise<OrderSalesFacts[]> {
    return this.orders.salesFactsMovedBetween(manager, from, to);
  }
}
