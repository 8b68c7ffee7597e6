import { SALES_MEASURES, type SalesMeasures, zeroMeasures } from './sales-measures';
import type { StoredDay } from './sales-rollups.repository';

/** A day of `sales_daily` that differed from its hourly buckets' sum: measure → (sum − stored). */
export interface DayCorrection {
  localDate: string;
  currency: string;
  diff: Partial<SalesMeasures>;
}

/**
 * What the daily rows must become to equal the hourly sums: the rows to write (`put`), the rows to
 * delete (stored days with no hourly bucket left), and each difference. Pure: the reconciliation and
 * its unit spec share it.
 */
export function dailyRepairs(
  expected: readonly StoredDay[],
  stored: readonly StoredDay[],
): { put: StoredDay[]; remove: StoredDay[]; corrections: DayCorrection[] } {
  const key = (day: StoredDay) => `${day.localDate}|${day.currency}`;
  const want = new Map(expected.map((day) => [key(day), day]));
  const have = new Map(stored.map((day) => [key(day), day]));
  const put: StoredDay[] = [];
  const remove: StoredDay[] = [];
  const corrections: DayCorrection[] = [];
  for (const k of [...new Set([...want.keys(), ...have.keys()])].sort()) {
    const wanted = want.get(k);
    const had = have.get(k);
    const wantMeasures = wanted?.measures ?? zeroMeasures();
    const haveMeasures = had?.measures ?? zeroMeasures();
    const diff: Partial<SalesMeasures> = {};
    for (const measure of SALES_MEASURES) {
      const delta = wantMeasures[measure] - haveMeasures[measure];
      if (delta !== 0) diff[measure] = delta;
    }
    if (wanted && !had) put.push(wanted);
    else if (!wanted && had) remove.push(had);
    else if (Object.keys(diff).length > 0) put.push(wanted!);
    if (Object.keys(diff).length > 0) {
      const { localDate, currency } = (wanted ?? had)!;
      corrections.push({ localDate, currency, diff });
    }
  }
  return { put, remove, corrections };
}
