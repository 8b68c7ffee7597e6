import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DomainEventEnvelope } from '../notifications';
import { type OrderSalesFacts, OrderSalesFactsService } from '../orders';
import { type RefundSalesFacts, RefundSalesFactsService } from '../payments';
import {
  paidLineDeltas,
  PRODUCT_SALES_MEASURES,
  productBucketKey,
  type ProductSalesDelta,
  refundLineDeltas,
  rollUpProducts,
} from './product-sales-measures';
import { ProductSalesRollupsRepository } from './product-sales-rollups.repository';

export interface ProductReconciliationReport {
  bucketsChecked: number;
  bucketsCorrected: number;
  /** Sum of |diff| of units. */
  unitsCorrected: number;
  /** Sum of |diff| of revenue and refunds, minor units (all currencies together). */
  amountCorrected: number;
}

/**
 * The hourly product buckets: counted from the same events as the sales buckets, inside the same
 * transaction and under the same claim of the event id (SalesRollupsService calls `count`), and
 * recomputed by the same nightly reconciliation (`reconcile`). See product-sales-measures.ts for
 * what they count.
 */
@Injectable()
export class ProductSalesRollupsService {
  constructor(
    private readonly rollups: ProductSalesRollupsRepository,
    private readonly orders: OrderSalesFactsService,
    private readonly refunds: RefundSalesFactsService,
  ) {}

  /** Counts one event (already claimed by the caller in `manager`'s transaction). */
  async count(manager: EntityManager, event: DomainEventEnvelope): Promise<void> {
    const deltas = await this.deltasOf(manager, event);
    if (deltas.length > 0) await this.rollups.add(manager, deltas);
  }

  private async deltasOf(manager: EntityManager, event: DomainEventEnvelope): Promise<ProductSalesDelta[]> {
    if (event.type === 'payment.refunded') {
      const { refundId } = event.payload as DomainEventEnvelope<'payment.refunded'>['payload'];
      const refund = await this.refunds.of(manager, refundId);
      if (!refund) return []; // a late payment's money going back: it never paid for anything
      const order = await this.orders.of(manager, refund.orderId);
      if (!order) return [];
      return refundLineDeltas(refund, order, await this.orders.linesOf(manager, [order.orderId]));
    }
    if (event.type === 'order.paid') {
      const { orderId } = event.payload as DomainEventEnvelope<'order.paid'>['payload'];
      const order = await this.orders.of(manager, orderId);
      if (!order?.paidAt) return [];
      return paidLineDeltas(
        { ...order, paidAt: order.paidAt },
        await this.orders.linesOf(manager, [orderId]),
      );
    }
    return [];
  }

  /**
   * Rewrites the product buckets of [windowStart, windowEnd) that differ from what `orders` (every
   * order that moved in the window) and `refunds` (every refund asked for in it) add up to. Called by
   * the sales reconciliation inside its transaction, after it has locked the sales buckets of the
   * window: every event that would count into this window waits on those locks.
   */
  async reconcile(
    manager: EntityManager,
    windowStart: Date,
    windowEnd: Date,
    orders: readonly OrderSalesFacts[],
    refunds: readonly RefundSalesFacts[],
  ): Promise<ProductReconciliationReport> {
    const stored = await this.rollups.between(manager, windowStart, windowEnd, true);
    const known = new Set(orders.map((order) => order.orderId));
    const refundedElsewhere = [...new Set(refunds.map((refund) => refund.orderId))].filter(
      (id) => !known.has(id),
    );
    const allOrders = [...orders, ...(await this.orders.ofMany(manager, refundedElsewhere))];
    const refunded = new Set(refunds.map((refund) => refund.orderId));
    const counted = allOrders.filter(
      (order) =>
        (order.paidAt !== null && order.paidAt >= windowStart && order.paidAt < windowEnd) ||
        refunded.has(order.orderId),
    );
    const lines = await this.orders.linesOf(
      manager,
      counted.map((order) => order.orderId),
    );
    const expected = rollUpProducts(counted, lines, refunds, windowStart, windowEnd);
    const storedByKey = new Map(
      stored.map((bucket) => [
        productBucketKey(bucket.bucketStart, bucket.currency, bucket.variantId),
        bucket,
      ]),
    );
    const keys = new Set([...expected.keys(), ...storedByKey.keys()]);
    const rewrite: ProductSalesDelta[] = [];
    const drop: ProductSalesDelta[] = [];
    let unitsCorrected = 0;
    let amountCorrected = 0;
    for (const key of keys) {
      const want = expected.get(key);
      const have = storedByKey.get(key);
      let drifted = false;
      for (const measure of PRODUCT_SALES_MEASURES) {
        const diff = (want?.measures[measure] ?? 0) - (have?.measures[measure] ?? 0);
        if (diff === 0) continue;
        drifted = true;
        if (measure === 'units') unitsCorrected += Math.abs(diff);
        else amountCorrected += Math.abs(diff);
      }
      if (!drifted) continue;
      if (want) rewrite.push(want);
      else drop.push(have!);
    }
    await this.rollups.put(manager, rewrite);
    await this.rollups.remove(manager, drop);
    return {
      bucketsChecked: keys.size,
      bucketsCorrected: rewrite.length + drop.length,
      unitsCorrected,
      amountCorrected,
    };
  }
}
