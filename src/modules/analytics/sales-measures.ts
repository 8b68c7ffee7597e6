import type { OrderSalesFacts } from '../orders';
import type { RefundSalesFacts } from '../payments';
import { hourBucket } from './store-calendar';

/**
 * What an hourly sales bucket counts, per currency. Amounts are in minor units. Each measure is
 * dated by the move it counts: placed amounts at the order's creation, paid at its payment,
 * cancellations at the cancellation, refunds when the refund was asked for (and has succeeded).
 * `newCustomers` and `returningCustomers` count the orders placed by a customer (account, or a
 * guest's email) with no earlier order, and with one: together they are `ordersPlaced`.
 */
export const SALES_MEASURES = [
  'ordersPlaced',
  'ordersPaid',
  'ordersCancelled',
  'units',
  'gross',
  'discounts',
  'shipping',
  'tax',
  'placedTotal',
  'paidTotal',
  'refunds',
  'net',
  'newCustomers',
  'returningCustomers',
] as const;
export type SalesMeasure = (typeof SALES_MEASURES)[number];
export type SalesMeasures = Record<SalesMeasure, number>;

/** A change to one bucket. */
export interface SalesDelta {
  bucketStart: Date;
  currency: string;
  measures: Partial<SalesMeasures>;
}

export const zeroMeasures = (): SalesMeasures =>
  Object.fromEntries(SALES_MEASURES.map((measure) => [measure, 0])) as SalesMeasures;

/** An order placed: counted with its line units and amounts as charged (gross = line subtotals). */
export function placedDelta(order: OrderSalesFacts): SalesDelta {
  return {
    bucketStart: hourBucket(order.placedAt),
    currency: order.currency,
    measures: {
      ordersPlaced: 1,
      units: order.units,
      gross: order.subtotal,
      discounts: order.discount,
      shipping: order.shipping,
      tax: order.tax,
      placedTotal: order.total,
      newCustomers: order.returningCustomer ? 0 : 1,
      returningCustomers: order.returningCustomer ? 1 : 0,
    },
  };
}

/** An order paid: its total is money taken; net is what was taken less what went back. */
export function paidDelta(order: OrderSalesFacts & { paidAt: Date }): SalesDelta {
  return {
    bucketStart: hourBucket(order.paidAt),
    currency: order.currency,
    measures: { ordersPaid: 1, paidTotal: order.total, net: order.total },
  };
}

export function cancelledDelta(order: OrderSalesFacts & { cancelledAt: Date }): SalesDelta {
  return {
    bucketStart: hourBucket(order.cancelledAt),
    currency: order.currency,
    measures: { ordersCancelled: 1 },
  };
}

export function refundDelta(refund: RefundSalesFacts): SalesDelta {
  return {
    bucketStart: hourBucket(refund.requestedAt),
    currency: refund.currency,
    measures: { refunds: refund.amount, net: -refund.amount },
  };
}

export const bucketKey = (bucketStart: Date, currency: string): string =>
  `${bucketStart.toISOString()}|${currency}`;

/**
 * The buckets of [from, to) as the orders and refunds say they should be: what the events add up
 * to, computed from scratch (the nightly reconciliation compares the stored buckets with this).
 */
export function rollUp(
  orders: readonly OrderSalesFacts[],
  refunds: readonly RefundSalesFacts[],
  from: Date,
  to: Date,
): Map<string, SalesDelta & { measures: SalesMeasures }> {
  const inWindow = (at: Date | null): at is Date => at !== null && at >= from && at < to;
  const deltas: SalesDelta[] = [];
  for (const order of orders) {
    if (inWindow(order.placedAt)) deltas.push(placedDelta(order));
    if (inWindow(order.paidAt)) deltas.push(paidDelta({ ...order, paidAt: order.paidAt }));
    if (inWindow(order.cancelledAt))
      deltas.push(cancelledDelta({ ...order, cancelledAt: order.cancelledAt }));
  }
  for (const refund of refunds) if (inWindow(refund.requestedAt)) deltas.push(refundDelta(refund));

  const buckets = new Map<string, SalesDelta & { measures: SalesMeasures }>();
  for (const delta of deltas) {
    const key = bucketKey(delta.bucketStart, delta.currency);
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = { bucketStart: delta.bucketStart, currency: delta.currency, measures: zeroMeasures() };
      buckets.set(key, bucket);
    }
    for (const measure of SALES_MEASURES) bucket.measures[measure] += delta.measures[measure] ?? 0;
  }
  return buckets;
}
