import {
  addDays,
  formatMoney,
  lastDays,
  lengthInDays,
  minorToDecimal,
  percentChange,
  previousPeriod,
  rangeProblem,
  todayIn,
} from './periods';

describe('dashboard periods', () => {
  it('takes the last N days up to today and the same length before it', () => {
    const week = lastDays(7, '2026-03-04');
    expect(week).toEqual({ from: '2026-02-26', to: '2026-03-04' });
    expect(lengthInDays(week)).toBe(7);
    expect(previousPeriod(week)).toEqual({ from: '2026-02-19', to: '2026-02-25' });
    // A custom range keeps its length, across a leap day and a DST change (dates, not hours).
    expect(previousPeriod({ from: '2024-03-01', to: '2024-03-31' })).toEqual({
      from: '2024-01-30',
      to: '2024-02-29',
    });
    expect(addDays('2026-10-25', 1)).toBe('2026-10-26');
  });

  it("reads today in the store's zone, not the browser's", () => {
    const instant = new Date('2026-03-04T23:30:00Z');
    expect(todayIn('UTC', instant)).toBe('2026-03-04');
    expect(todayIn('Europe/Berlin', instant)).toBe('2026-03-05');
    expect(todayIn('America/New_York', instant)).toBe('2026-03-04');
  });

  it('refuses a reversed, incomplete or too long custom range', () => {
    expect(rangeProblem({ from: '2026-03-01', to: '2026-03-31' })).toBeNull();
    expect(rangeProblem({ from: '2026-03-31', to: '2026-03-01' })).toMatch(/after/);
    expect(rangeProblem({ from: '', to: '2026-03-01' })).toMatch(/both/);
    expect(rangeProblem({ from: '2026-02-30', to: '2026-03-01' })).toMatch(/both/);
    expect(rangeProblem({ from: '2025-01-01', to: '2026-01-01' })).toBeNull();
    expect(rangeProblem({ from: '2025-01-01', to: '2026-01-02' })).toMatch(/366/);
  });

  it('compares with the previous period, and says when there is nothing to compare with', () => {
    expect(percentChange(150, 100)).toBe(50);
    expect(percentChange(50, 100)).toBe(-50);
    expect(percentChange(10, 0)).toBeNull();
    expect(percentChange(-50, -100)).toBe(50);
  });

  it('formats minor units exactly, per currency', () => {
    expect(minorToDecimal(4990, 'EUR')).toBe('49.90');
    expect(minorToDecimal(5, 'EUR')).toBe('0.05');
    expect(minorToDecimal(-120, 'EUR')).toBe('-1.20');
    expect(minorToDecimal(4990, 'JPY')).toBe('4990');
    expect(minorToDecimal(1234, 'BHD')).toBe('1.234');
    expect(formatMoney(123456789012345, 'EUR', 'en')).toBe('€1,234,567,890,123.45');
    expect(formatMoney(4990, 'JPY', 'en')).toBe('¥4,990');
  });
});
