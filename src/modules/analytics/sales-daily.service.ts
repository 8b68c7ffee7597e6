import { AppConfig } from '@app/config';
import { TransactionRunner } from '@app/database';
import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type DayCorrection, dailyRepairs } from './sales-daily';
import { SalesRollupsRepository } from './sales-rollups.repository';
import { localDateOf, localDaysInUtc } from './store-calendar';

export interface DailyRepairReport {
  /** False when sales_daily is not built for the configured zone (nothing checked). */
  built: boolean;
  daysChecked: number;
  daysCorrected: number;
  corrections: DayCorrection[];
}

/**
 * `sales_daily`: the hourly buckets summed per local day of the store's time zone, kept with the
 * hourly buckets (same transaction) and rebuilt from them when it was built for another zone or never
 * (a new install, a changed STORE_TIME_ZONE, rollups written straight into sales_hourly). Until it is
 * built the sales report sums the hourly buckets.
 */
@Injectable()
export class SalesDailyService {
  private readonly logger = new Logger('SalesDaily');

  constructor(
    private readonly config: AppConfig,
    private readonly transactions: TransactionRunner,
    private readonly rollups: SalesRollupsRepository,
  ) {}

  get timeZone(): string {
    return this.config.analytics.storeTimeZone;
  }

  /**
   * Builds sales_daily from sales_hourly unless it is built for the configured zone already. The
   * marker row is locked for update first: event counting (which locks it in share mode) waits, so
   * no event lands between the rebuild's read and the marker. Returns the rows written, or null.
   */
  async ensureBuilt(): Promise<{ days: number; rows: number } | null> {
    const timeZone = this.timeZone;
    const result = await this.transactions.run(async (tx) => {
      if ((await this.rollups.dailyTimeZone(tx, 'update')) === timeZone) return null;
      return this.rebuild(tx, timeZone);
    });
    if (result)
      this.logger.log(
        result,
        `sales_daily rebuilt for ${timeZone}: ${result.rows} rows over ${result.days} days`,
      );
    return result;
  }

  /** Rebuilds all of sales_daily for `timeZone` inside `tx` (whose marker lock is held) and marks it. */
  async rebuild(tx: EntityManager, timeZone: string): Promise<{ days: number; rows: number }> {
    const span = await this.rollups.hourlySpan(tx);
    const days = span
      ? localDaysInUtc(localDateOf(span.first, timeZone), localDateOf(span.last, timeZone), timeZone)
      : [];
    const rows = await this.rollups.rebuildDaily(tx, days);
    await this.rollups.markDaily(tx, timeZone);
    return { days: days.length, rows };
  }

  /**
   * Sets the daily rows of the local days that [windowStart, windowEnd) touches to the sums of their
   * hourly buckets (the whole days, also hours outside the window), inside the reconciliation's
   * transaction, after it corrected the hourly buckets. `builtFor`: the marker, read (share-locked)
   * at the start of that transaction.
   */
  async repair(
    tx: EntityManager,
    builtFor: string | null,
    windowStart: Date,
    windowEnd: Date,
  ): Promise<DailyRepairReport> {
    const timeZone = this.timeZone;
    if (builtFor !== timeZone || windowEnd <= windowStart)
      return { built: false, daysChecked: 0, daysCorrected: 0, corrections: [] };
    const from = localDateOf(windowStart, timeZone);
    const to = localDateOf(new Date(windowEnd.getTime() - 1), timeZone);
    const days = localDaysInUtc(from, to, timeZone);
    const stored = await this.rollups.daysBetween(tx, from, to, true);
    const expected = await this.rollups.hourlySumsByDay(tx, days);
    const { put, remove, corrections } = dailyRepairs(expected, stored);
    for (const day of put) await this.rollups.putDaily(tx, day);
    for (const day of remove) await this.rollups.removeDaily(tx, day.localDate, day.currency);
    return {
      built: true,
      daysChecked: new Set([...expected, ...stored].map((d) => `${d.localDate}|${d.currency}`)).size,
      daysCorrected: corrections.length,
      corrections,
    };
  }
}
