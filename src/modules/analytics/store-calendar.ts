/**
 * Rollups are hourly buckets in UTC; a store's day, week or month is the run of UTC hours between
 * two local midnights in its time zone. Summing those hours gives the right answer across DST
 * changes (a 23- or 25-hour day) without storing anything per zone.
 */

const HOUR_MS = 3_600_000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** One local calendar day as UTC hours: [start, end), `hours` long (23, 24 or 25 around DST). */
export interface LocalDayInUtc {
  date: string;
  start: Date;
  end: Date;
  hours: number;
}

/** One formatter per zone: building one costs ~0.2 ms, a report of a year of days needs ~1,500 offsets. */
const wallClockFormats = new Map<string, Intl.DateTimeFormat>();
function wallClockFormat(timeZone: string): Intl.DateTimeFormat {
  let format = wallClockFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    wallClockFormats.set(timeZone, format);
  }
  return format;
}

/** Offset of `timeZone` from UTC at `instant`, in milliseconds (Berlin in summer: +7,200,000). */
export function zoneOffsetMs(instant: number, timeZone: string): number {
  const parts = wallClockFormat(timeZone).formatToParts(new Date(instant));
  const field = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)!.value);
  const asUtc = Date.UTC(
    field('year'),
    field('month') - 1,
    field('day'),
    field('hour'),
    field('minute'),
    field('second'),
  );
  return asUtc - (instant - (instant % 1000));
}

/** Whether `date` is a real calendar date written YYYY-MM-DD (2026-02-30 is not). */
export function isCalendarDate(date: string): boolean {
  try {
    parseDate(date);
    return true;
  } catch {
    return false;
  }
}

function parseDate(date: string): [number, number, number] {
  const match = DATE_PATTERN.exec(date);
  if (!match) throw new RangeError(`Not a calendar date (YYYY-MM-DD): ${date}`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day)
    throw new RangeError(`Not a calendar date: ${date}`);
  return [year, month, day];
}

/** The UTC instant at which local `date` begins in `timeZone` (its first existing minute). */
export function localMidnightUtc(date: string, timeZone: string): Date {
  const [year, month, day] = parseDate(date);
  const wall = Date.UTC(year, month - 1, day);
  // Two passes: the offset just before and after the guess can differ when midnight is near a change.
  let guess = wall - zoneOffsetMs(wall, timeZone);
  guess = wall - zoneOffsetMs(guess, timeZone);
  return new Date(guess);
}

function nextDate(date: string): string {
  const [year, month, day] = parseDate(date);
  return new Date(Date.UTC(year, month - 1, day + 1)).toISOString().slice(0, 10);
}

/**
 * The local days `from`..`to` (both included, YYYY-MM-DD) in `timeZone`, each as its UTC hour range.
 * Buckets with `start <= bucket_start < end` make up the day.
 */
export function localDaysInUtc(from: string, to: string, timeZone: string): LocalDayInUtc[] {
  if (from > to) throw new RangeError(`Empty date range: ${from} is after ${to}`);
  const days: LocalDayInUtc[] = [];
  let date = from;
  let start = localMidnightUtc(date, timeZone);
  while (date <= to) {
    const following = nextDate(date);
    const end = localMidnightUtc(following, timeZone);
    days.push({ date, start, end, hours: (end.getTime() - start.getTime()) / HOUR_MS });
    date = following;
    start = end;
  }
  return days;
}

/** The whole local range `from`..`to` as one UTC hour range [start, end). */
export function localRangeInUtc(from: string, to: string, timeZone: string): { start: Date; end: Date } {
  const days = localDaysInUtc(from, to, timeZone);
  return { start: days[0].start, end: days[days.length - 1].end };
}

/** The hourly bucket an instant falls in: the UTC hour it starts. */
export function hourBucket(instant: Date): Date {
  return new Date(Math.floor(instant.getTime() / HOUR_MS) * HOUR_MS);
}

/** The local date (YYYY-MM-DD) of `instant` in `timeZone`: the day an hourly bucket starting then belongs to. */
export function localDateOf(instant: Date, timeZone: string): string {
  const ms = instant.getTime();
  return new Date(ms + zoneOffsetMs(ms, timeZone)).toISOString().slice(0, 10);
}
