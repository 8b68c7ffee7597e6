import type { TransactionContext } from '@app/database';
import { Injectable } from '@nestjs/common';
import { ReservationsService } from '../../inventory';
import { reservationOf } from './order-transitions.service';
import { RestockNotPossibleError } from '../orders.errors';
import { OrdersRepository } from '../orders.repository';

export interface ReturnedLine {
  orderLineId: string;
  quantity: number;
}

/**
 * Shipped units that came back go on sale again, in the caller's transaction: counted on their order
 * lines (never more than shipped — a conditional UPDATE, and a CHECK behind it) and ledgered as
 * `returned` at the given location, or where they shipped from. Used by refunds that restock.
 */
@Injectable()
export class OrderReturnsService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly reservations: ReservationsService,
  ) {}

  async restockWithin(
    manager: TransactionContext,
    orderId: string,
    returned: ReturnedLine[],
    locationId: string | null,
    actor: string,
    note: string,
  ): Promise<void> {
    const lines = new Map((await this.orders.linesOf(manager, orderId)).map((line) => [line.id, line]));
    const units: Array<{ variantId: string; quantity: number }> = [];
    for (const wanted of returned) {
      const line = lines.get(wanted.orderLineId);
      if (!line)
        throw new RestockNotPossibleError(`Line ${wanted.orderLineId} is not on order ${orderId}.`, {
          orderLineId: wanted.orderLineId,
        });
      if (!(await this.orders.addRestocked(manager, line.id, wanted.quantity))) {
        const restockable = line.fulfilledQuantity - line.restockedQuantity;
        throw new RestockNotPossibleError(
          `Line ${line.id} (${line.sku}) has ${restockable} shipped unit(s) not restocked yet; ${wanted.quantity} asked.`,
          { orderLineId: line.id, restockable, requested: wanted.quantity },
        );
      }
      units.push({ variantId: line.variantId, quantity: wanted.quantity });
    }
    await this.reservations.restockWithin(manager, reservationOf(orderId), units, locationId, actor, note);
  }
}
