import { localMidnightUtc } from '../store-calendar';

/**
 * The periods a range report is cut into, in the store's calendar: local days, ISO weeks (Monday to
 * Sunday) and calendar months. The first and last periods are clipped to the range, so each period
 * is named by its first local date inside the range.
 */
export const REPORT_INTERVALS = ['day', 'week', 'month'] as const;
export type ReportInterval = (typeof REPORT_INTERVALS)[number];

/**
 * Longest range (`from` to `to`, both included, in days) per interval: a year of days, about five
 * years of weeks, about ten years of months — at most 366, 262 and 121 periods.
 */
export const MAX_RANGE_DAYS: Record<ReportInterval, number> = { day: 366, week: 1830, month: 3660 };

/** One period: its first local date (clipped to the range) and its UTC instants [start, end). */
export interface ReportPeriod {
  period: string;
  start: Date;
  end: Date;
}

const DAY_MS = 86_400_000;

/** Plain calendar arithmetic on YYYY-MM-DD (no time zone involved: a date is not an instant). */
const toDays = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
const fromDays = (days: number): string => new Date(days * DAY_MS).toISOString().slice(0, 10);

/** Days from `from` to `to`, both included (2026-03-01..2026-03-01 is 1). */
export function rangeDays(from: string, to: string): number {
  return toDays(to) - toDays(from) + 1;
}

/** Days since 1970-01-01 of `date` (what MySQL's DATEDIFF(date, '1970-01-01') gives). */
export function epochDays(date: string): number {
  return toDays(date);
}

/** The first date of the period after the one holding `date`. */
export function nextPeriodStart(date: string, interval: ReportInterval): string {
  const days = toDays(date);
  switch (interval) {
    case 'day':
      return fromDays(days + 1);
    case 'week': {
      const isoWeekday = ((new Date(days * DAY_MS).getUTCDay() + 6) % 7) + 1; // Monday 1 … Sunday 7
      return fromDays(days + 8 - isoWeekday);
    }
    case 'month': {
      const [year, month] = date.split('-').map(Number);
      return new Date(Date.UTC(year, month, 1)).toISOString().slice(0, 10);
    }
  }
}

/**
 * The periods of `from`..`to` (YYYY-MM-DD, both included) in `timeZone`, in order, adjoining: each
 * ends where the next begins, the first begins at `from`'s local midnight, the last ends at the
 * local midnight after `to`. DST makes a day 23 or 25 hours long; the periods follow the calendar.
 */
export function reportPeriods(
  from: string,
  to: string,
  interval: ReportInterval,
  timeZone: string,
): ReportPeriod[] {
  if (from > to) throw new RangeError(`Empty date range: ${from} is after ${to}`);
  const after = fromDays(toDays(to) + 1);
  const periods: ReportPeriod[] = [];
  let period = from;
  let start = localMidnightUtc(period, timeZone);
  while (period <= to) {
    const nextStart = nextPeriodStart(period, interval);
    const clipped = nextStart < after ? nextStart : after;
    const end = localMidnightUtc(clipped, timeZone);
    periods.push({ period, start, end });
    period = clipped;
    start = end;
  }
  return periods;
}
