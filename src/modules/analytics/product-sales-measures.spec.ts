import type { OrderLineSalesFacts, OrderSalesFacts } from '../orders';
import type { RefundSalesFacts } from '../payments';
import { allocate, paidLineDeltas, refundLineDeltas, rollUpProducts } from './product-sales-measures';

const order = (overrides: Partial<OrderSalesFacts> = {}): OrderSalesFacts => ({
  orderId: 'o1',
  currency: 'EUR',
  placedAt: new Date('2026-10-25T00:30:00Z'),
  paidAt: new Date('2026-10-25T01:10:00Z'),
  cancelledAt: null,
  subtotal: 5000,
  discount: 500,
  shipping: 490,
  tax: 948,
  total: 5938,
  units: 3,
  returningCustomer: false,
  ...overrides,
});
// tax_exclusive 19 %: line 1 3000 − 300 = 2700 (+513), line 2 2000 − 200 = 1800 (+342); shipping 490 (+93).
const lines: OrderLineSalesFacts[] = [
  {
    orderId: 'o1',
    variantId: 'v1',
    productId: 'p1',
    quantity: 1,
    subtotal: 3000,
    discount: 300,
    tax: 513,
    total: 3213,
  },
  {
    orderId: 'o1',
    variantId: 'v2',
    productId: 'p1',
    quantity: 2,
    subtotal: 2000,
    discount: 200,
    tax: 342,
    total: 2142,
  },
];
const refund = (overrides: Partial<RefundSalesFacts> = {}): RefundSalesFacts => ({
  refundId: 'r1',
  orderId: 'o1',
  currency: 'EUR',
  amount: 1000,
  requestedAt: new Date('2026-10-26T09:59:59Z'),
  ...overrides,
});

describe('product sales measures', () => {
  it('a paid order counts each line: its units and its amount after discount, before tax, in the hour paid', () => {
    expect(paidLineDeltas({ ...order(), paidAt: new Date('2026-10-25T01:10:00Z') }, lines)).toEqual([
      {
        bucketStart: new Date('2026-10-25T01:00:00Z'),
        currency: 'EUR',
        variantId: 'v1',
        productId: 'p1',
        measures: { units: 1, revenue: 2700, refunds: 0 },
      },
      {
        bucketStart: new Date('2026-10-25T01:00:00Z'),
        currency: 'EUR',
        variantId: 'v2',
        productId: 'p1',
        measures: { units: 2, revenue: 1800, refunds: 0 },
      },
    ]);
  });

  it('a tax-inclusive line earns its total less the tax it contains', () => {
    const inclusive = [{ ...lines[0], subtotal: 3000, discount: 300, tax: 431, total: 2700 }];
    const [delta] = paidLineDeltas({ ...order(), paidAt: new Date('2026-10-25T01:10:00Z') }, inclusive);
    expect(delta.measures.revenue).toBe(2269);
  });

  it('a refund is shared by the lines in proportion to their revenue; shipping and tax keep theirs', () => {
    // 1000 × 2700 / 5938 = 454.7, 1000 × 1800 / 5938 = 303.1, the rest 242.2 → 455, 303, (242)
    const deltas = refundLineDeltas(refund(), order(), lines);
    expect(deltas.map((d) => [d.variantId, d.bucketStart.toISOString(), d.measures])).toEqual([
      ['v1', '2026-10-26T09:00:00.000Z', { units: 0, revenue: 0, refunds: 455 }],
      ['v2', '2026-10-26T09:00:00.000Z', { units: 0, revenue: 0, refunds: 303 }],
    ]);
  });

  it('a refund of the whole order takes back exactly each line revenue', () => {
    const deltas = refundLineDeltas(refund({ amount: 5938 }), order(), lines);
    expect(deltas.map((d) => d.measures.refunds)).toEqual([2700, 1800]);
  });

  it('allocates by largest remainder: the shares add up, earlier lines win ties, nothing is lost', () => {
    expect(allocate(10, [1, 1, 1], 3)).toEqual([4, 3, 3]);
    expect(allocate(1, [1, 1], 3)).toEqual([1, 0]);
    expect(allocate(1, [1, 1], 4)).toEqual([0, 0]); // the larger remainder is the share of no line
    expect(allocate(7, [0, 5], 5)).toEqual([0, 7]);
    expect(allocate(0, [5, 5], 10)).toEqual([0, 0]);
    expect(allocate(5, [5, 5], 0)).toEqual([0, 0]);
    // Large amounts stay exact (2^31 × 2^31 is far beyond 2^53).
    expect(allocate(2 ** 31 - 1, [2 ** 31 - 1, 0], 2 ** 31 - 1)).toEqual([2 ** 31 - 1, 0]);
    for (let seed = 1; seed < 200; seed++) {
      const weights = [seed % 7, (seed * 13) % 101, (seed * 31) % 997];
      const total = weights.reduce((a, b) => a + b, 0) + (seed % 50);
      const amount = (seed * 37) % (total + 1);
      const shares = allocate(amount, weights, total);
      const rest = total - weights.reduce((a, b) => a + b, 0);
      const restShare = amount - shares.reduce((a, b) => a + b, 0);
      // Each share is within one unit of its exact proportion.
      [...weights, rest].forEach((weight, i) => {
        const share = i < shares.length ? shares[i] : restShare;
        expect(Math.abs(share - (amount * weight) / total)).toBeLessThan(1);
      });
    }
  });

  it('the same variant on two lines is one bucket', () => {
    const twice = [lines[0], { ...lines[1], variantId: 'v1' }];
    const deltas = paidLineDeltas({ ...order(), paidAt: new Date('2026-10-25T01:10:00Z') }, twice);
    expect(deltas).toHaveLength(1);
    expect(deltas[0].measures).toEqual({ units: 3, revenue: 4500, refunds: 0 });
  });

  it('rolls up only the moves inside [from, to): payments and refunds each by their own time', () => {
    const from = new Date('2026-10-25T00:00:00Z');
    const to = new Date('2026-10-26T00:00:00Z');
    const unpaid = order({ orderId: 'o2', paidAt: null });
    const buckets = rollUpProducts(
      [order(), unpaid],
      [...lines, { ...lines[0], orderId: 'o2', variantId: 'v9' }],
      [refund(), refund({ refundId: 'r2', amount: 5938, requestedAt: new Date('2026-10-25T05:00:00Z') })],
      from,
      to,
    );
    expect([...buckets.values()].map((b) => [b.bucketStart.toISOString(), b.variantId, b.measures])).toEqual([
      ['2026-10-25T01:00:00.000Z', 'v1', { units: 1, revenue: 2700, refunds: 0 }],
      ['2026-10-25T01:00:00.000Z', 'v2', { units: 2, revenue: 1800, refunds: 0 }],
      ['2026-10-25T05:00:00.000Z', 'v1', { units: 0, revenue: 0, refunds: 2700 }],
      ['2026-10-25T05:00:00.000Z', 'v2', { units: 0, revenue: 0, refunds: 1800 }],
    ]);
  });
});
