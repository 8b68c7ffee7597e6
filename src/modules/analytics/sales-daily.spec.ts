import { dailyRepairs } from './sales-daily';
import { zeroMeasures, type SalesMeasures } from './sales-measures';
import type { StoredDay } from './sales-rollups.repository';

const day = (localDate: string, currency: string, measures: Partial<SalesMeasures>): StoredDay => ({
  localDate,
  currency,
  measures: { ...zeroMeasures(), ...measures },
});

describe('dailyRepairs: the daily rows set to their hourly sums', () => {
  it('equal rows: nothing to write', () => {
    const rows = [day('2026-10-25', 'EUR', { ordersPlaced: 2, gross: 500 })];
    expect(dailyRepairs(rows, rows)).toEqual({ put: [], remove: [], corrections: [] });
  });

  it('a drifted day is rewritten, a missing one written, one without hours removed', () => {
    const expected = [
      day('2026-10-25', 'EUR', { ordersPlaced: 2, gross: 500 }),
      day('2026-10-26', 'USD', { refunds: 100, net: -100 }),
    ];
    const stored = [
      day('2026-10-25', 'EUR', { ordersPlaced: 2, gross: 400 }),
      day('2026-10-27', 'EUR', { ordersPlaced: 1 }),
    ];
    const { put, remove, corrections } = dailyRepairs(expected, stored);
    expect(put).toEqual(expected);
    expect(remove).toEqual([stored[1]]);
    expect(corrections).toEqual([
      { localDate: '2026-10-25', currency: 'EUR', diff: { gross: 100 } },
      { localDate: '2026-10-26', currency: 'USD', diff: { refunds: 100, net: -100 } },
      { localDate: '2026-10-27', currency: 'EUR', diff: { ordersPlaced: -1 } },
    ]);
  });

  it('a stored all-zero day with no hours is removed without counting as a correction', () => {
    const stored = [day('2026-10-25', 'EUR', {})];
    expect(dailyRepairs([], stored)).toEqual({ put: [], remove: stored, corrections: [] });
  });
});
