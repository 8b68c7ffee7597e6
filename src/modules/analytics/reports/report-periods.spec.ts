import { localRangeInUtc } from '../store-calendar';
import { nextPeriodStart, rangeDays, REPORT_INTERVALS, reportPeriods } from './report-periods';

const iso = (periods: ReturnType<typeof reportPeriods>) =>
  periods.map(({ period, start, end }) => [period, start.toISOString(), end.toISOString()]);

describe('report periods: days, ISO weeks and months in the store calendar', () => {
  it('days across the Berlin spring change: 24, 23 and 24 hours', () => {
    const periods = reportPeriods('2026-03-28', '2026-03-30', 'day', 'Europe/Berlin');
    expect(iso(periods)).toEqual([
      ['2026-03-28', '2026-03-27T23:00:00.000Z', '2026-03-28T23:00:00.000Z'],
      ['2026-03-29', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z'],
      ['2026-03-30', '2026-03-29T22:00:00.000Z', '2026-03-30T22:00:00.000Z'],
    ]);
  });

  it('weeks start on Monday; the first and last are clipped to the range; the autumn change is inside one', () => {
    // 2026-10-21 is a Wednesday; Berlin falls back on Sunday 2026-10-25.
    const periods = reportPeriods('2026-10-21', '2026-11-03', 'week', 'Europe/Berlin');
    expect(iso(periods)).toEqual([
      ['2026-10-21', '2026-10-20T22:00:00.000Z', '2026-10-25T23:00:00.000Z'],
      ['2026-10-26', '2026-10-25T23:00:00.000Z', '2026-11-01T23:00:00.000Z'],
      ['2026-11-02', '2026-11-01T23:00:00.000Z', '2026-11-03T23:00:00.000Z'],
    ]);
    expect((periods[0].end.getTime() - periods[0].start.getTime()) / 3_600_000).toBe(5 * 24 + 1);
  });

  it('a range starting on a Sunday has a one-day first week; one starting on a Monday has none', () => {
    expect(reportPeriods('2026-03-01', '2026-03-09', 'week', 'UTC').map((p) => p.period)).toEqual([
      '2026-03-01',
      '2026-03-02',
      '2026-03-09',
    ]);
    expect(reportPeriods('2026-03-02', '2026-03-15', 'week', 'UTC').map((p) => p.period)).toEqual([
      '2026-03-02',
      '2026-03-09',
    ]);
  });

  it('weeks run across the new year (ISO week numbers do not matter, Mondays do)', () => {
    expect(reportPeriods('2026-12-30', '2027-01-12', 'week', 'UTC').map((p) => p.period)).toEqual([
      '2026-12-30',
      '2027-01-04',
      '2027-01-11',
    ]);
  });

  it('months are calendar months, clipped; their edges are local midnights (CET in March, CEST after)', () => {
    const periods = reportPeriods('2026-03-15', '2026-05-10', 'month', 'Europe/Berlin');
    expect(iso(periods)).toEqual([
      ['2026-03-15', '2026-03-14T23:00:00.000Z', '2026-03-31T22:00:00.000Z'],
      ['2026-04-01', '2026-03-31T22:00:00.000Z', '2026-04-30T22:00:00.000Z'],
      ['2026-05-01', '2026-04-30T22:00:00.000Z', '2026-05-10T22:00:00.000Z'],
    ]);
  });

  it('February of a leap year, December into January, New York', () => {
    expect(reportPeriods('2028-02-01', '2028-03-01', 'month', 'UTC').map((p) => p.period)).toEqual([
      '2028-02-01',
      '2028-03-01',
    ]);
    expect(nextPeriodStart('2028-02-29', 'day')).toBe('2028-03-01');
    expect(nextPeriodStart('2026-12-31', 'month')).toBe('2027-01-01');
    const [november] = reportPeriods('2026-11-01', '2026-11-30', 'month', 'America/New_York');
    expect([november.start.toISOString(), november.end.toISOString()]).toEqual([
      '2026-11-01T04:00:00.000Z',
      '2026-12-01T05:00:00.000Z',
    ]);
  });

  it('one day is one period of every interval', () => {
    for (const interval of REPORT_INTERVALS)
      expect(iso(reportPeriods('2026-10-25', '2026-10-25', interval, 'Europe/Berlin'))).toEqual([
        ['2026-10-25', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z'],
      ]);
  });

  it('for any range and interval, the periods adjoin and cover exactly the local range', () => {
    const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'UTC'];
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
    for (let trial = 0; trial < 200; trial++) {
      const from = new Date(Date.UTC(2025, 0, 1 + random(900))).toISOString().slice(0, 10);
      const to = new Date(Date.parse(from) + random(400) * 86_400_000).toISOString().slice(0, 10);
      const zone = zones[random(zones.length)];
      const interval = REPORT_INTERVALS[random(3)];
      const periods = reportPeriods(from, to, interval, zone);
      const range = localRangeInUtc(from, to, zone);
      expect(periods[0].start).toEqual(range.start);
      expect(periods.at(-1)!.end).toEqual(range.end);
      for (let i = 1; i < periods.length; i++) {
        expect(periods[i].start).toEqual(periods[i - 1].end);
        expect(periods[i].period > periods[i - 1].period).toBe(true);
      }
      if (interval === 'day') expect(periods).toHaveLength(rangeDays(from, to));
      if (interval === 'week')
        for (const { period } of periods.slice(1)) expect(new Date(`${period}T00:00:00Z`).getUTCDay()).toBe(1);
      if (interval === 'month') for (const { period } of periods.slice(1)) expect(period.endsWith('-01')).toBe(true);
    }
  });

  it('counts range days with both ends included, and refuses an empty range', () => {
    expect(rangeDays('2026-03-01', '2026-03-01')).toBe(1);
    expect(rangeDays('2028-01-01', '2028-12-31')).toBe(366);
    expect(() => reportPeriods('2026-03-02', '2026-03-01', 'day', 'UTC')).toThrow(RangeError);
  });
});
