import { AppConfig } from '@app/config';
import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DomainEventEnvelope, DomainEventHandler } from '../notifications';
import { OrderSalesFactsService } from '../orders';
import { RefundSalesFactsService } from '../payments';
import { cancelledDelta, paidDelta, placedDelta, refundDelta, type SalesDelta } from './sales-measures';
import { ProductSalesRollupsService } from './product-sales-rollups.service';
import { SalesRollupsRepository } from './sales-rollups.repository';
import { localDateOf } from './store-calendar';

/**
 * Counts domain events into the hourly sales buckets, and into the local day of the bucket in
 * `sales_daily` when that is built for the store's time zone (sales-daily.service.ts). The event says which order or refund moved;
 * the amounts and the time are read from the order (or refund) itself, so an event counts exactly
 * what the nightly reconciliation would recompute. `order.refunded` is not counted: the money of a
 * refund is `payment.refunded`'s (counting both would count it twice).
 */
@Injectable()
export class SalesRollupsService implements DomainEventHandler {
  constructor(
    private readonly config: AppConfig,
    private readonly transactions: TransactionRunner,
    private readonly rollups: SalesRollupsRepository,
    private readonly orders: OrderSalesFactsService,
    private readonly refunds: RefundSalesFactsService,
    private readonly products: ProductSalesRollupsService,
  ) {}

  async handle(event: DomainEventEnvelope): Promise<void> {
    if (!COUNTED.has(event.type)) return;
    const timeZone = this.config.analytics.storeTimeZone;
    await this.transactions.run(async (tx) => {
      // The daily marker first, share-locked: a rebuild of sales_daily waits for this count, or this for it.
      const daily = (await this.rollups.dailyTimeZone(tx, 'share')) === timeZone;
      // The claim and the bucket update commit together: a redelivery finds the claim and adds nothing.
      if (!(await this.rollups.claimEvent(tx, event.id, event.type))) return;
      const delta = await this.deltaOf(tx, event);
      if (delta) {
        await this.rollups.add(tx, delta);
        if (daily) await this.rollups.addDaily(tx, localDateOf(delta.bucketStart, timeZone), delta);
      }
      await this.products.count(tx, event);
    });
  }

  private async deltaOf(manager: EntityManager, event: DomainEventEnvelope): Promise<SalesDelta | null> {
    if (event.type === 'payment.refunded') {
      const { refundId } = event.payload as DomainEventEnvelope<'payment.refunded'>['payload'];
      const refund = await this.refunds.of(manager, refundId);
      return refund ? refundDelta(refund) : null; // null: a late payment's money going back
    }
    const { orderId } = event.payload as DomainEventEnvelope<'order.placed'>['payload'];
    const order = await this.orders.of(manager, orderId);
    if (!order) return null;
    if (event.type === 'order.placed') return placedDelta(order);
    if (event.type === 'order.paid')
      return order.paidAt ? paidDelta({ ...order, paidAt: order.paidAt }) : null;
    if (event.type === 'order.cancelled')
      return order.cancelledAt ? cancelledDelta({ ...order, cancelledAt: order.cancelledAt }) : null;
    return null;
  }
}

const COUNTED = new Set<string>(['order.placed', 'order.paid', 'order.cancelled', 'payment.refunded']);
