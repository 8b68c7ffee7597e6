import { compareStockRows, daysOfCover, rate, type StockRowOrder } from './report-arithmetic';

describe('stock report arithmetic', () => {
  it.each([
    // available, sold in 30 days, days of cover
    [10, 30, 10],
    [10, 0, null],
    [0, 0, null],
    [0, 12, 0],
    [5, 7, 21.4], // 21.428…
    [1, 60, 0.5],
    [1, 400, 0.1], // 0.075 → 0.1 (half up)
    [1, 1000, 0], // 0.03
    [7, 3, 70],
    [2, 9, 6.7], // 6.666…
  ])('%i available, %i sold → %p days', (available, sold, want) => {
    expect(daysOfCover(available, sold)).toBe(want);
  });

  it('orders sold out first (best sellers first), then low by days of cover, unknown cover last', () => {
    const row = (sku: string, status: StockRowOrder['status'], available: number, sold: number): StockRowOrder => ({
      sku,
      status,
      available,
      unitsSoldLast30Days: sold,
      daysOfCover: daysOfCover(available, sold),
    });
    const rows = [
      row('low-never-sold', 'low', 1, 0),
      row('low-slow', 'low', 4, 3),
      row('out-quiet', 'sold-out', 0, 0),
      row('low-fast', 'low', 2, 60),
      row('out-busy', 'sold-out', 0, 90),
      row('low-never-sold-2', 'low', 3, 0),
      row('low-fast-b', 'low', 2, 60),
    ];
    expect(rows.sort(compareStockRows).map((r) => r.sku)).toEqual([
      'out-busy',
      'out-quiet',
      'low-fast',
      'low-fast-b',
      'low-slow',
      'low-never-sold',
      'low-never-sold-2',
    ]);
  });

  it('rates are 0..1 with 4 decimals, half up, 0 of nothing', () => {
    expect(rate(1, 3)).toBe(0.3333);
    expect(rate(2, 3)).toBe(0.6667);
    expect(rate(1, 8)).toBe(0.125);
    expect(rate(1, 20_000)).toBe(0.0001); // 0.00005 → half up
    expect(rate(5, 5)).toBe(1);
    expect(rate(0, 0)).toBe(0);
  });
});
