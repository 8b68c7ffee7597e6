import { constantTimeEquals, hashToken } from '@app/common';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { CartCaller } from '../carts';
import type { Order } from './entities/order.entity';
import { OrderNotFoundError } from './orders.errors';
import { type OrderDetail, OrdersRepository } from './orders.repository';

/** Whether the caller may see the order: its customer, or a guest holding its token. */
function mayRead(caller: CartCaller, order: Order): boolean {
  if (order.customerId !== null) return caller.customer?.id === order.customerId;
  return !!caller.token && !!order.tokenHash && constantTimeEquals(hashToken(caller.token), order.tokenHash);
}

/** Finds an order for whoever may see it: its customer, or a guest with its token (invariant 3). */
@Injectable()
export class OrderLookupService {
  constructor(private readonly orders: OrdersRepository) {}

  /**
   * The order if this caller may see it — else 404, whether it exists or not. `id` may be the
   * order's number when not locking.
   */
  async visible(manager: EntityManager, caller: CartCaller, id: string, lock: boolean): Promise<Order> {
    // A read may name the order by its number too; a change names it by id (and locks it).
    const order = lock
      ? await this.orders.lockById(manager, id)
      : await this.orders.findByIdOrNumber(manager, id);
    if (!order || !mayRead(caller, order)) throw new OrderNotFoundError(id);
    return order;
  }

  /**
   * The order with its lines, history and fulfilments if this caller may see it (else 404), read in
   * one statement without a transaction. `id` may be the order's number.
   */
  async visibleDetail(caller: CartCaller, id: string): Promise<OrderDetail> {
    const detail = await this.orders.findDetail(id);
    if (!detail || !mayRead(caller, detail.order)) throw new OrderNotFoundError(id);
    return detail;
  }

  /** For staff: the order, read (404 when there is none). */
  async find(manager: EntityManager, id: string): Promise<Order> {
    const order = await this.orders.findById(manager, id);
    if (!order) throw new OrderNotFoundError(id);
    return order;
  }

  /** For staff and jobs: the order, locked. */
  async lock(manager: EntityManager, id: string): Promise<Order> {
    const order = await this.orders.lockById(manager, id);
    if (!order) throw new OrderNotFoundError(id);
    return order;
  }
}
