/** Calendar and number helpers of the dashboard: local dates are `YYYY-MM-DD` strings. */

export interface DateRange {
  from: string;
  to: string;
}

/** The longest range the page asks for at one point per day (the reports' own limit for interval=day). */
export const MAX_RANGE_DAYS = 366;

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function toUtcMs(date: string): number {
  const match = ISO_DATE.exec(date);
  if (!match) throw new RangeError(`not a date: ${date}`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

const fromUtcMs = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export function isDate(value: string): boolean {
  return ISO_DATE.test(value) && fromUtcMs(toUtcMs(value)) === value;
}

/** Today's date where the store's days begin. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

export function addDays(date: string, days: number): string {
  return fromUtcMs(toUtcMs(date) + days * DAY_MS);
}

/** Days in the range, both ends included. */
export function lengthInDays(range: DateRange): number {
  return Math.round((toUtcMs(range.to) - toUtcMs(range.from)) / DAY_MS) + 1;
}

/** The last `days` days up to and including `today`. */
export function lastDays(days: number, today: string): DateRange {
  return { from: addDays(today, -(days - 1)), to: today };
}

/** The period of the same length that ends the day before `range` begins. */
export function previousPeriod(range: DateRange): DateRange {
  return { from: addDays(range.from, -lengthInDays(range)), to: addDays(range.from, -1) };
}

/** Why a custom range cannot be asked for, or null. */
export function rangeProblem(range: DateRange): string | null {
  if (!isDate(range.from) || !isDate(range.to)) return 'Pick both dates.';
  if (range.from > range.to) return 'The start date is after the end date.';
  if (lengthInDays(range) > MAX_RANGE_DAYS) return `Pick at most ${MAX_RANGE_DAYS} days.`;
  return null;
}

/** The change from `previous` to `current` in percent; null when there was nothing to compare with. */
export function percentChange(current: number, previous: number): number | null {
  if (previous === 0) return null;
  return ((current - previous) / Math.abs(previous)) * 100;
}

/** How many minor units a currency has after the decimal point (2 for EUR, 0 for JPY). */
export function minorDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  );
}

/**
 * An amount in minor units as a decimal string (`4990`, EUR → `"49.90"`), exactly: the amount never
 * becomes a float, and Intl formats the string as written.
 */
export function minorToDecimal(minor: number, currency: string): `${number}` {
  const digits = minorDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(Math.trunc(minor))).padStart(digits + 1, '0');
  if (digits === 0) return `${sign}${text}` as `${number}`;
  return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}` as `${number}`;
}

export function formatMoney(minor: number, currency: string, locale?: string): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(
    minorToDecimal(minor, currency),
  );
}

export function formatPercent(change: number | null, locale?: string): string {
  if (change === null) return 'no previous data';
  const formatted = new Intl.NumberFormat(locale, {
    maximumFractionDigits: 1,
    signDisplay: 'exceptZero',
  }).format(change);
  return `${formatted} %`;
}
