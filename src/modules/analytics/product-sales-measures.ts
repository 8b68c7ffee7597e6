import type { OrderLineSalesFacts, OrderSalesFacts } from '../orders';
import type { RefundSalesFacts } from '../payments';
import { hourBucket } from './store-calendar';

/**
 * What an hourly product bucket counts, per currency and variant (the top-products report and the
 * stock report's sales rate read them). Like the sales buckets' `net`, it is money in and money back,
 * each dated by its own move:
 *
 * - `units`: the line's quantity, counted when its order is paid (an unpaid order that expires or is
 *   cancelled never sold anything; a paid one that is cancelled gives its money back as a refund).
 * - `revenue`: what the line earned: its amount after its share of the order discount, without tax
 *   (line total − line tax, whichever the price mode), counted when its order is paid.
 * - `refunds`: refunds are amounts per payment, not per line. Each succeeded refund is allocated to
 *   its order's lines in proportion to their `revenue`, with the rest of the order total (shipping
 *   and every tax) as one more share that belongs to no product; largest remainder, so a refund of
 *   the whole order takes back exactly each line's revenue. Dated when the refund was asked for.
 *   Units are not taken back: a refund says how much, not which units.
 *
 * net = revenue − refunds. Refunds of money that never paid for its order (a late payment) are not
 * counted, as in the sales buckets.
 */
export interface ProductSalesMeasures {
  units: number;
  revenue: number;
  refunds: number;
}

export const PRODUCT_SALES_MEASURES = ['units', 'revenue', 'refunds'] as const;

/** A change to one product bucket. */
export interface ProductSalesDelta {
  bucketStart: Date;
  currency: string;
  variantId: string;
  productId: string;
  measures: ProductSalesMeasures;
}

export const productBucketKey = (bucketStart: Date, currency: string, variantId: string): string =>
  `${bucketStart.toISOString()}|${currency}|${variantId}`;

/** A line's revenue: after its discount share, before tax. */
export const lineRevenue = (line: OrderLineSalesFacts): number => line.total - line.tax;

/** The lines of an order paid: each variant's units and revenue, in the hour of the payment. */
export function paidLineDeltas(
  order: OrderSalesFacts & { paidAt: Date },
  lines: readonly OrderLineSalesFacts[],
): ProductSalesDelta[] {
  return merge(
    lines.map((line) => ({
      bucketStart: hourBucket(order.paidAt),
      currency: order.currency,
      variantId: line.variantId,
      productId: line.productId,
      measures: { units: line.quantity, revenue: lineRevenue(line), refunds: 0 },
    })),
  );
}

/** A refund, allocated to its order's lines (see ProductSalesMeasures), in the hour it was asked for. */
export function refundLineDeltas(
  refund: RefundSalesFacts,
  order: OrderSalesFacts,
  lines: readonly OrderLineSalesFacts[],
): ProductSalesDelta[] {
  const shares = allocate(refund.amount, lines.map(lineRevenue), order.total);
  return merge(
    lines.map((line, i) => ({
      bucketStart: hourBucket(refund.requestedAt),
      currency: refund.currency,
      variantId: line.variantId,
      productId: line.productId,
      measures: { units: 0, revenue: 0, refunds: shares[i] },
    })),
  ).filter((delta) => delta.measures.refunds !== 0);
}

/**
 * Splits `amount` over `weights` and an implicit last share `total − Σ weights` (what belongs to no
 * line), in proportion, by largest remainder: floors first, then one minor unit each to the largest
 * remainders, earlier shares first on ties (the implicit one last). Returns the lines' shares only.
 * Integers throughout: amount × weight is computed in BigInt (two int columns can exceed 2⁵³).
 */
export function allocate(amount: number, weights: readonly number[], total: number): number[] {
  if (amount === 0 || total <= 0) return weights.map(() => 0);
  const rest = total - weights.reduce((sum, weight) => sum + weight, 0);
  const all = [...weights, Math.max(rest, 0)].map(BigInt);
  const denominator = all.reduce((sum, weight) => sum + weight, 0n);
  const products = all.map((weight) => BigInt(amount) * weight);
  const shares = products.map((product) => product / denominator);
  let leftover = BigInt(amount) - shares.reduce((sum, share) => sum + share, 0n);
  const byRemainder = products
    .map((product, index) => ({ index, remainder: product % denominator }))
    .sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of byRemainder) {
    if (leftover <= 0n) break;
    shares[index] += 1n;
    leftover -= 1n;
  }
  return shares.slice(0, weights.length).map(Number);
}

/** Adds up deltas that fall in the same bucket (the same variant on two lines, two events in an hour). */
export function merge(deltas: readonly ProductSalesDelta[]): ProductSalesDelta[] {
  const buckets = new Map<string, ProductSalesDelta>();
  for (const delta of deltas) {
    const key = productBucketKey(delta.bucketStart, delta.currency, delta.variantId);
    const bucket = buckets.get(key);
    if (!bucket) buckets.set(key, { ...delta, measures: { ...delta.measures } });
    else for (const measure of PRODUCT_SALES_MEASURES) bucket.measures[measure] += delta.measures[measure];
  }
  return [...buckets.values()];
}

/**
 * The product buckets of [from, to) as the orders and refunds say they should be, from scratch (the
 * nightly reconciliation compares the stored buckets with this). `orders` must hold every order paid
 * in the window and the order of every refund; `lines` their lines.
 */
export function rollUpProducts(
  orders: readonly OrderSalesFacts[],
  lines: readonly OrderLineSalesFacts[],
  refunds: readonly RefundSalesFacts[],
  from: Date,
  to: Date,
): Map<string, ProductSalesDelta> {
  const inWindow = (at: Date | null): at is Date => at !== null && at >= from && at < to;
  const linesByOrder = new Map<string, OrderLineSalesFacts[]>();
  for (const line of lines) {
    const list = linesByOrder.get(line.orderId) ?? [];
    list.push(line);
    linesByOrder.set(line.orderId, list);
  }
  const ordersById = new Map(orders.map((order) => [order.orderId, order]));
  const deltas: ProductSalesDelta[] = [];
  for (const order of orders)
    if (inWindow(order.paidAt))
      deltas.push(
        ...paidLineDeltas({ ...order, paidAt: order.paidAt }, linesByOrder.get(order.orderId) ?? []),
      );
  for (const refund of refunds) {
    const order = ordersById.get(refund.orderId);
    if (order && inWindow(refund.requestedAt))
      deltas.push(...refundLineDeltas(refund, order, linesByOrder.get(order.orderId) ?? []));
  }
  return new Map(
    merge(deltas).map((delta) => [
      productBucketKey(delta.bucketStart, delta.currency, delta.variantId),
      delta,
    ]),
  );
}
