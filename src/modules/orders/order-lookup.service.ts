import { constantTimeEquals, hashToken } from '@app/common';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { CartCaller } from '../carts';
import type { Order } from './entities/order.entity';
import { OrderNotFoundError } from './orders.errors';
import { OrdersRepository } from './orders.repository';

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
    if (!order) throw new OrderNotFoundError(id);
    if (order.customerId !== null) {
      if (caller.customer?.id === order.customerId) return order;
      throw new OrderNotFoundError(id);
    }
    if (caller.token && order.tokenHash && constantTimeEquals(hashToken(caller.token), order.tokenHash))
      return order;
    throw new OrderNotFoundError(id);
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
