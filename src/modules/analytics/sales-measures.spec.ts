import type { OrderSalesFacts } from '../orders';
import type { RefundSalesFacts } from '../payments';
import { rollUp } from './sales-measures';

const order = (overrides: Partial<OrderSalesFacts>): OrderSalesFacts => ({
  orderId: 'o1',
  currency: 'EUR',
  placedAt: new Date('2026-10-25T00:30:00Z'),
  paidAt: null,
  cancelledAt: null,
  subtotal: 5000,
  discount: 500,
  shipping: 490,
  tax: 855,
  total: 5845,
  units: 2,
  returningCustomer: false,
  ...overrides,
});
const refund = (overrides: Partial<RefundSalesFacts>): RefundSalesFacts => ({
  refundId: 'r1',
  orderId: 'o1',
  currency: 'EUR',
  amount: 1000,
  requestedAt: new Date('2026-10-25T02:00:00Z'),
  ...overrides,
});

describe('rollUp: the buckets the orders and refunds add up to', () => {
  const from = new Date('2026-10-25T00:00:00Z');
  const to = new Date('2026-10-25T03:00:00Z');

  it('dates each move by its own time: placed, paid and refunded land in three hours', () => {
    const buckets = rollUp([order({ paidAt: new Date('2026-10-25T01:59:59.999Z') })], [refund({})], from, to);
    expect([...buckets.values()].map((b) => [b.bucketStart.toISOString(), b.measures])).toEqual([
      [
        '2026-10-25T00:00:00.000Z',
        expect.objectContaining({
          ordersPlaced: 1,
          units: 2,
          gross: 5000,
          discounts: 500,
          placedTotal: 5845,
          net: 0,
          newCustomers: 1,
          returningCustomers: 0,
        }),
      ],
      ['2026-10-25T01:00:00.000Z', expect.objectContaining({ ordersPaid: 1, paidTotal: 5845, net: 5845 })],
      ['2026-10-25T02:00:00.000Z', expect.objectContaining({ refunds: 1000, net: -1000 })],
    ]);
  });

  it('counts only the moves inside [from, to): a move at `to` belongs to the next window', () => {
    const buckets = rollUp(
      [
        order({ placedAt: new Date('2026-10-24T23:59:59Z'), paidAt: to }),
        order({ orderId: 'o2', cancelledAt: new Date('2026-10-25T02:10:00Z') }),
      ],
      [refund({ requestedAt: to })],
      from,
      to,
    );
    const totals = [...buckets.values()].reduce(
      (sum, b) => ({
        placed: sum.placed + b.measures.ordersPlaced,
        paid: sum.paid + b.measures.ordersPaid,
        cancelled: sum.cancelled + b.measures.ordersCancelled,
        refunds: sum.refunds + b.measures.refunds,
      }),
      { placed: 0, paid: 0, cancelled: 0, refunds: 0 },
    );
    expect(totals).toEqual({ placed: 1, paid: 0, cancelled: 1, refunds: 0 });
  });

  it('keeps currencies apart in the same hour', () => {
    const buckets = rollUp([order({}), order({ orderId: 'o2', currency: 'USD', total: 100 })], [], from, to);
    expect([...buckets.keys()].sort()).toEqual([
      '2026-10-25T00:00:00.000Z|EUR',
      '2026-10-25T00:00:00.000Z|USD',
    ]);
  });
});

describe('placedDelta: new and returning customers', () => {
  it('a first order counts a new customer, a later one a returning customer; never both', () => {
    const first = rollUp([order({ returningCustomer: false })], [], new Date(0), new Date('2030-01-01'));
    const again = rollUp([order({ returningCustomer: true })], [], new Date(0), new Date('2030-01-01'));
    const measures = (buckets: typeof first) => [...buckets.values()][0].measures;
    expect(measures(first)).toEqual(expect.objectContaining({ newCustomers: 1, returningCustomers: 0 }));
    expect(measures(again)).toEqual(expect.objectContaining({ newCustomers: 0, returningCustomers: 1 }));
  });
});
