import type { Page } from '@app/common';
import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import type { CartCaller } from '../carts';
import type { CancelOrderDto, ListMyOrdersQueryDto, OrderDto, OrderSummaryDto } from './dto/order.dto';
import { OrderLookupService } from './order-lookup.service';
import { OrderReadsService } from './order-reads.service';
import { CUSTOMER_CANCELLABLE } from './lifecycle/order-status';
import { OrderTransitionsService } from './lifecycle/order-transitions.service';
import { IllegalTransitionError } from './orders.errors';
import { OrdersRepository } from './orders.repository';
import { toOrderDto } from './order-views';

/** A customer's (or a guest's) own orders: reading them and cancelling one. */
@Injectable()
export class OrdersService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly orders: OrdersRepository,
    private readonly reads: OrderReadsService,
    private readonly transitions: OrderTransitionsService,
    private readonly lookup: OrderLookupService,
  ) {}

  listMine(customerId: string, query: ListMyOrdersQueryDto): Promise<Page<OrderSummaryDto>> {
    return this.transactions.run((manager) =>
      this.reads.page(manager, { customerId, limit: query.limit }, query.cursor),
    );
  }

  /** One statement, no transaction: a storefront reads an order after checkout and while it waits for payment. */
  async get(caller: CartCaller, id: string): Promise<OrderDto> {
    const { order, lines, history, fulfilments } = await this.lookup.visibleDetail(caller, id);
    return toOrderDto(order, lines, history, fulfilments, { actors: false });
  }

  /** While nothing has been handed to a carrier: the stock and the promotion use come back. */
  async cancel(caller: CartCaller, id: string, dto: CancelOrderDto): Promise<OrderDto> {
    return this.transactions.run(async (manager) => {
      const order = await this.lookup.visible(manager, caller, id, true);
      if (!CUSTOMER_CANCELLABLE.includes(order.status))
        throw new IllegalTransitionError(
          order.status,
          'cancelled',
          `An order that is ${order.status} can no longer be cancelled by the customer; contact the shop.`,
        );
      const actor = caller.customer ? `user:${caller.customer.id}` : `guest:order:${order.id}`;
      await this.transitions.apply(manager, order, 'cancelled', {
        actor,
        reason: dto.reason ?? 'cancelled by the customer',
      });
      const fresh = (await this.orders.findById(manager, order.id))!;
      return this.reads.detail(manager, fresh, { actors: false });
    });
  }
}
