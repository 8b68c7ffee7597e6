import { decodeCursor, encodeCursor, InvalidCursorError, type Page } from '@app/common';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { OrderDto, OrderSummaryDto } from './dto/order.dto';
import type { Order } from './entities/order.entity';
import { OrderFilter, OrdersRepository } from './orders.repository';
import { toOrderDto, toOrderSummary } from './order-views';

/** Reading orders for customers and staff alike: one page shape, one detail shape. */
@Injectable()
export class OrderReadsService {
  constructor(private readonly orders: OrdersRepository) {}

  /** The order as given, with its lines, history and fulfilments read in one statement. */
  async detail(manager: EntityManager, order: Order, options: { actors: boolean }): Promise<OrderDto> {
    const detail = await this.orders.findDetail(order.id, manager);
    if (!detail) throw new Error(`order ${order.id} vanished inside its transaction`);
    return toOrderDto(order, detail.lines, detail.history, detail.fulfilments, options);
  }

  async page(
    manager: EntityManager,
    filter: Omit<OrderFilter, 'before'>,
    cursor: string | undefined,
  ): Promise<Page<OrderSummaryDto>> {
    let before: OrderFilter['before'];
    if (cursor) {
      const position = decodeCursor(cursor, ['at', 'id'] as const);
      const createdAt = new Date(position.at);
      if (Number.isNaN(createdAt.getTime())) throw new InvalidCursorError();
      before = { createdAt, id: position.id };
    }
    const rows = await this.orders.list(manager, { ...filter, before });
    const hasMore = rows.length > filter.limit;
    const pageRows = hasMore ? rows.slice(0, filter.limit) : rows;
    const counts = await this.orders.lineCounts(
      manager,
      pageRows.map((row) => row.id),
    );
    const last = pageRows[pageRows.length - 1];
    return {
      data: pageRows.map((row) => toOrderSummary(row, counts.get(row.id) ?? 0)),
      nextCursor: hasMore ? encodeCursor({ at: last.createdAt.toISOString(), id: last.id }) : null,
    };
  }
}
