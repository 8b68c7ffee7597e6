import { hourBucket, localDateOf, localDaysInUtc, localMidnightUtc, localRangeInUtc } from './store-calendar';

describe('store calendar: local days as UTC hours', () => {
  it.each([
    // zone, date, UTC start, UTC end, hours
    ['Europe/Berlin', '2026-03-28', '2026-03-27T23:00:00.000Z', '2026-03-28T23:00:00.000Z', 24],
    ['Europe/Berlin', '2026-03-29', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z', 23],
    ['Europe/Berlin', '2026-03-30', '2026-03-29T22:00:00.000Z', '2026-03-30T22:00:00.000Z', 24],
    ['Europe/Berlin', '2026-10-25', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z', 25],
    ['Europe/Berlin', '2026-10-26', '2026-10-25T23:00:00.000Z', '2026-10-26T23:00:00.000Z', 24],
    ['America/New_York', '2026-03-08', '2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z', 23],
    ['America/New_York', '2026-11-01', '2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z', 25],
    ['Australia/Sydney', '2026-04-05', '2026-04-04T13:00:00.000Z', '2026-04-05T14:00:00.000Z', 25],
    ['Asia/Kolkata', '2026-06-01', '2026-05-31T18:30:00.000Z', '2026-06-01T18:30:00.000Z', 24],
    ['UTC', '2026-10-25', '2026-10-25T00:00:00.000Z', '2026-10-26T00:00:00.000Z', 24],
  ])('%s %s begins at %s, ends at %s (%i hours)', (zone, date, start, end, hours) => {
    const [day] = localDaysInUtc(date, date, zone);
    expect(day).toEqual({ date, start: new Date(start), end: new Date(end), hours });
  });

  it('a local week across the autumn change is 169 hours, its days adjoin with no gap', () => {
    const days = localDaysInUtc('2026-10-19', '2026-10-25', 'Europe/Berlin');
    expect(days.map((d) => d.hours)).toEqual([24, 24, 24, 24, 24, 24, 25]);
    for (let i = 1; i < days.length; i++) expect(days[i].start).toEqual(days[i - 1].end);
    const range = localRangeInUtc('2026-10-19', '2026-10-25', 'Europe/Berlin');
    expect((range.end.getTime() - range.start.getTime()) / 3_600_000).toBe(169);
  });

  it('March 2026 in Berlin is 743 hours (31 days, one of them 23 hours)', () => {
    const range = localRangeInUtc('2026-03-01', '2026-03-31', 'Europe/Berlin');
    expect(range.start.toISOString()).toBe('2026-02-28T23:00:00.000Z');
    expect((range.end.getTime() - range.start.getTime()) / 3_600_000).toBe(743);
  });

  it('refuses malformed and impossible dates and empty ranges', () => {
    expect(() => localMidnightUtc('2026-02-30', 'UTC')).toThrow(RangeError);
    expect(() => localMidnightUtc('26-1-1', 'UTC')).toThrow(RangeError);
    expect(() => localDaysInUtc('2026-03-02', '2026-03-01', 'UTC')).toThrow(RangeError);
  });

  it('an instant falls in the UTC hour it starts', () => {
    expect(hourBucket(new Date('2026-10-25T00:59:59.999Z'))).toEqual(new Date('2026-10-25T00:00:00.000Z'));
    expect(hourBucket(new Date('2026-10-25T01:00:00.000Z'))).toEqual(new Date('2026-10-25T01:00:00.000Z'));
  });
});

describe('localDateOf: the local day an hourly bucket belongs to', () => {
  it.each([
    ['Europe/Berlin', '2026-03-28T22:00:00Z', '2026-03-28'],
    ['Europe/Berlin', '2026-03-28T23:00:00Z', '2026-03-29'],
    ['Europe/Berlin', '2026-03-29T21:00:00Z', '2026-03-29'], // the 23-hour day's last hour
    ['Europe/Berlin', '2026-03-29T22:00:00Z', '2026-03-30'],
    ['Europe/Berlin', '2026-10-25T22:00:00Z', '2026-10-25'], // the 25-hour day's last hour
    ['Europe/Berlin', '2026-10-25T23:00:00Z', '2026-10-26'],
    ['Asia/Kolkata', '2026-05-31T18:00:00Z', '2026-05-31'], // 23:30 local: the day the bucket starts in
    ['Asia/Kolkata', '2026-05-31T19:00:00Z', '2026-06-01'],
    ['UTC', '2026-10-25T23:00:00Z', '2026-10-25'],
  ])('%s %s is on %s', (zone, instant, date) => {
    expect(localDateOf(new Date(instant), zone)).toBe(date);
  });

  it('agrees with localDaysInUtc for every hour of a Berlin year', () => {
    for (const day of localDaysInUtc('2026-01-01', '2026-12-31', 'Europe/Berlin'))
      for (let at = day.start.getTime(); at < day.end.getTime(); at += 3_600_000)
        expect(localDateOf(new Date(at), 'Europe/Berlin')).toBe(day.date);
  });
});
