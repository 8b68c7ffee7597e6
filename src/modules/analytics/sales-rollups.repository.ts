import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SALES_MEASURES, type SalesDelta, type SalesMeasure, type SalesMeasures } from './sales-measures';
import type { LocalDayInUtc } from './store-calendar';

const COLUMNS: Record<SalesMeasure, string> = {
  ordersPlaced: 'orders_placed',
  ordersPaid: 'orders_paid',
  ordersCancelled: 'orders_cancelled',
  units: 'units',
  gross: 'gross',
  discounts: 'discounts',
  shipping: 'shipping',
  tax: 'tax',
  placedTotal: 'placed_total',
  paidTotal: 'paid_total',
  refunds: 'refunds',
  net: 'net',
  newCustomers: 'new_customers',
  returningCustomers: 'returning_customers',
};
const COLUMN_LIST = SALES_MEASURES.map((measure) => COLUMNS[measure]).join(', ');
const PLACEHOLDERS = SALES_MEASURES.map(() => '?').join(', ');

/** One row of `sales_daily`: a local date of the store's time zone. */
export interface StoredDay {
  localDate: string;
  currency: string;
  measures: SalesMeasures;
}

/** Longest run of days one INSERT … SELECT rebuilds (its INTERVAL() list has one value per day). */
const REBUILD_CHUNK_DAYS = 366;

const measuresOf = (row: Record<string, unknown>): SalesMeasures =>
  Object.fromEntries(
    SALES_MEASURES.map((measure) => [measure, Number(row[COLUMNS[measure]])]),
  ) as SalesMeasures;

/**
 * The hourly buckets of `days` (consecutive local days) grouped per day and currency: a SELECT of
 * `day` (the index in `days`), currency and the summed measures, one range scan of the primary key.
 * A bucket belongs to the local day its start falls in (as the hourly report counts it).
 */
function hourlyByDay(days: readonly LocalDayInUtc[]): { sql: string; params: unknown[] } {
  const inner = days.slice(1).map((day) => Math.floor(day.start.getTime() / 1000));
  const dayOf =
    inner.length === 0
      ? '0'
      : `INTERVAL(TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', bucket_start), ${inner.map(() => '?').join(', ')})`;
  const sums = SALES_MEASURES.map((measure) => `SUM(${COLUMNS[measure]}) AS ${COLUMNS[measure]}`);
  return {
    sql: `SELECT ${dayOf} AS day, currency, ${sums.join(', ')} FROM sales_hourly
          WHERE bucket_start >= ? AND bucket_start < ? GROUP BY day, currency`,
    params: [...inner, days[0].start, days[days.length - 1].end],
  };
}

export interface StoredBucket {
  bucketStart: Date;
  currency: string;
  measures: SalesMeasures;
}

export interface ReconciliationRecord {
  windowStart: Date;
  windowEnd: Date;
  bucketsChecked: number;
  bucketsCorrected: number;
  amountCorrected: number;
  countCorrected: number;
  corrections: unknown;
}

export interface ReconciliationTotals {
  runs: number;
  bucketsCorrected: number;
  amountCorrected: number;
  lastRunAt: Date | null;
}

/** The sales rollup tables: hourly buckets, the events counted into them, the reconciliations. */
@Injectable()
export class SalesRollupsRepository {
  /**
   * Claims event `eventId` for the rollups: true the first time, false when it was counted already.
   * Inside the transaction that updates the bucket, so the claim and the count commit together.
   */
  async claimEvent(manager: EntityManager, eventId: string, type: string): Promise<boolean> {
    const result = await manager.query<{ affectedRows: number }>(
      'INSERT IGNORE INTO analytics_applied_events (event_id, type) VALUES (?, ?)',
      [eventId, type],
    );
    return Number(result.affectedRows) === 1;
  }

  /** Adds `delta` to its bucket (creating it). */
  async add(manager: EntityManager, delta: SalesDelta): Promise<void> {
    const values = SALES_MEASURES.map((measure) => delta.measures[measure] ?? 0);
    const updates = SALES_MEASURES.map((m) => `${COLUMNS[m]} = ${COLUMNS[m]} + VALUES(${COLUMNS[m]})`);
    await manager.query(
      `INSERT INTO sales_hourly (bucket_start, currency, ${COLUMN_LIST}) VALUES (?, ?, ${PLACEHOLDERS})
       ON DUPLICATE KEY UPDATE ${updates.join(', ')}`,
      [delta.bucketStart, delta.currency, ...values],
    );
  }

  /**
   * The time zone `sales_daily` was built for, null when it was never built (or is being rebuilt).
   * Locked in share mode by the event counting (so a rebuild waits for it), for update by a rebuild.
   */
  async dailyTimeZone(manager: EntityManager, lock?: 'share' | 'update'): Promise<string | null> {
    const suffix = lock === 'share' ? ' LOCK IN SHARE MODE' : lock === 'update' ? ' FOR UPDATE' : '';
    const [row] = await manager.query<Array<{ time_zone: string | null }>>(
      `SELECT time_zone FROM sales_daily_state WHERE id = 1${suffix}`,
    );
    return row?.time_zone ?? null;
  }

  /** Records that `sales_daily` now holds the local days of `timeZone` (null: not built). */
  async markDaily(manager: EntityManager, timeZone: string | null): Promise<void> {
    await manager.query(
      'UPDATE sales_daily_state SET time_zone = ?, built_at = CURRENT_TIMESTAMP(3) WHERE id = 1',
      [timeZone],
    );
  }

  /** Adds `delta` to the day `localDate` (creating it): the daily twin of add(). */
  async addDaily(manager: EntityManager, localDate: string, delta: SalesDelta): Promise<void> {
    const values = SALES_MEASURES.map((measure) => delta.measures[measure] ?? 0);
    const updates = SALES_MEASURES.map((m) => `${COLUMNS[m]} = ${COLUMNS[m]} + VALUES(${COLUMNS[m]})`);
    await manager.query(
      `INSERT INTO sales_daily (local_date, currency, ${COLUMN_LIST}) VALUES (?, ?, ${PLACEHOLDERS})
       ON DUPLICATE KEY UPDATE ${updates.join(', ')}`,
      [localDate, delta.currency, ...values],
    );
  }

  /** The first and last hourly bucket, null when there is none. */
  async hourlySpan(manager: EntityManager): Promise<{ first: Date; last: Date } | null> {
    const [row] = await manager.query<Array<{ first: Date | null; last: Date | null }>>(
      'SELECT MIN(bucket_start) AS first, MAX(bucket_start) AS last FROM sales_hourly',
    );
    return row?.first && row.last ? { first: row.first, last: row.last } : null;
  }

  /**
   * Replaces all of `sales_daily` with the hourly buckets summed per local day of `days` (consecutive,
   * covering every bucket): one INSERT … SELECT per run of up to a year. Returns the rows written.
   */
  async rebuildDaily(manager: EntityManager, days: readonly LocalDayInUtc[]): Promise<number> {
    await manager.query('DELETE FROM sales_daily');
    let written = 0;
    for (let index = 0; index < days.length; index += REBUILD_CHUNK_DAYS) {
      const chunk = days.slice(index, index + REBUILD_CHUNK_DAYS);
      const { sql, params } = hourlyByDay(chunk);
      const result = await manager.query<{ affectedRows: number }>(
        `INSERT INTO sales_daily (local_date, currency, ${COLUMN_LIST})
         SELECT DATE_ADD(?, INTERVAL h.day DAY), h.currency, ${SALES_MEASURES.map((m) => `h.${COLUMNS[m]}`).join(', ')}
         FROM (${sql}) h`,
        [chunk[0].date, ...params],
      );
      written += Number(result.affectedRows);
    }
    return written;
  }

  /** The hourly buckets of `days` (consecutive local days) summed per day, read with shared locks. */
  async hourlySumsByDay(manager: EntityManager, days: readonly LocalDayInUtc[]): Promise<StoredDay[]> {
    if (days.length === 0) return [];
    const { sql, params } = hourlyByDay(days);
    const rows = await manager.query<Array<Record<string, unknown>>>(`${sql} LOCK IN SHARE MODE`, params);
    return rows.map((row) => ({
      localDate: days[Number(row.day)].date,
      currency: row.currency as string,
      measures: measuresOf(row),
    }));
  }

  /** The days `from`..`to` (both included) of `sales_daily`, locked when `lock`. */
  async daysBetween(manager: EntityManager, from: string, to: string, lock = false): Promise<StoredDay[]> {
    const rows = await manager.query<Array<Record<string, unknown>>>(
      `SELECT DATE_FORMAT(local_date, '%Y-%m-%d') AS local_date, currency, ${COLUMN_LIST} FROM sales_daily
       WHERE local_date >= ? AND local_date <= ? ORDER BY local_date, currency${lock ? ' FOR UPDATE' : ''}`,
      [from, to],
    );
    return rows.map((row) => ({
      localDate: row.local_date as string,
      currency: row.currency as string,
      measures: measuresOf(row),
    }));
  }

  /** Sets a day to exactly these measures. */
  async putDaily(manager: EntityManager, day: StoredDay): Promise<void> {
    const values = SALES_MEASURES.map((measure) => day.measures[measure]);
    const updates = SALES_MEASURES.map((m) => `${COLUMNS[m]} = VALUES(${COLUMNS[m]})`);
    await manager.query(
      `INSERT INTO sales_daily (local_date, currency, ${COLUMN_LIST}) VALUES (?, ?, ${PLACEHOLDERS})
       ON DUPLICATE KEY UPDATE ${updates.join(', ')}`,
      [day.localDate, day.currency, ...values],
    );
  }

  async removeDaily(manager: EntityManager, localDate: string, currency: string): Promise<void> {
    await manager.query('DELETE FROM sales_daily WHERE local_date = ? AND currency = ?', [
      localDate,
      currency,
    ]);
  }

  /**
   * The daily rows summed per period and currency: `boundaries` are the periods' first local dates
   * as days since 1970, in order, then the day after the last period. One range scan of the primary
   * key (a year is ~730 rows); INTERVAL() finds each day's period. All-zero sums are left out.
   */
  async sumDailyByPeriod(
    manager: EntityManager,
    boundaries: readonly number[],
    currency?: string,
  ): Promise<Array<{ period: number; currency: string; measures: SalesMeasures }>> {
    if (boundaries.length < 2) return [];
    const inner = boundaries.slice(1, -1);
    const periodOf =
      inner.length === 0
        ? '0'
        : `INTERVAL(DATEDIFF(local_date, '1970-01-01'), ${inner.map(() => '?').join(', ')})`;
    const sums = SALES_MEASURES.map((measure) => `SUM(${COLUMNS[measure]}) AS ${COLUMNS[measure]}`);
    const dateOf = (days: number) => new Date(days * 86_400_000).toISOString().slice(0, 10);
    const rows = await manager.query<Array<Record<string, unknown>>>(
      `SELECT ${periodOf} AS period, currency, ${sums.join(', ')} FROM sales_daily
       WHERE local_date >= ? AND local_date < ?${currency ? ' AND currency = ?' : ''}
       GROUP BY period, currency ORDER BY period, currency`,
      [
        ...inner,
        dateOf(boundaries[0]),
        dateOf(boundaries[boundaries.length - 1]),
        ...(currency ? [currency] : []),
      ],
    );
    return rows
      .map((row) => ({
        period: Number(row.period),
        currency: row.currency as string,
        measures: measuresOf(row),
      }))
      .filter((row) => SALES_MEASURES.some((measure) => row.measures[measure] !== 0));
  }

  /** Sets a bucket to exactly these measures. */
  async put(manager: EntityManager, bucket: StoredBucket): Promise<void> {
    const values = SALES_MEASURES.map((measure) => bucket.measures[measure]);
    const updates = SALES_MEASURES.map((m) => `${COLUMNS[m]} = VALUES(${COLUMNS[m]})`);
    await manager.query(
      `INSERT INTO sales_hourly (bucket_start, currency, ${COLUMN_LIST}) VALUES (?, ?, ${PLACEHOLDERS})
       ON DUPLICATE KEY UPDATE ${updates.join(', ')}`,
      [bucket.bucketStart, bucket.currency, ...values],
    );
  }

  async remove(manager: EntityManager, bucketStart: Date, currency: string): Promise<void> {
    await manager.query('DELETE FROM sales_hourly WHERE bucket_start = ? AND currency = ?', [
      bucketStart,
      currency,
    ]);
  }

  /**
   * The buckets summed per period and currency: `boundaries` are the periods' UTC starts, in order,
   * then the last period's end. Period i holds the buckets with boundaries[i] <= bucket_start <
   * boundaries[i + 1]. One range scan of the primary key; INTERVAL() finds each bucket's period by
   * binary search over the boundaries, as seconds since 1970 (the buckets are UTC wall clock).
   * Buckets whose measures are all zero are left out.
   */
  async sumByPeriod(
    manager: EntityManager,
    boundaries: readonly Date[],
    currency?: string,
  ): Promise<Array<{ period: number; currency: string; measures: SalesMeasures }>> {
    if (boundaries.length < 2) return [];
    const inner = boundaries.slice(1, -1).map((boundary) => Math.floor(boundary.getTime() / 1000));
    const periodOf =
      inner.length === 0
        ? '0'
        : `INTERVAL(TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', bucket_start), ${inner.map(() => '?').join(', ')})`;
    const sums = SALES_MEASURES.map((measure) => `SUM(${COLUMNS[measure]}) AS ${COLUMNS[measure]}`);
    const rows = await manager.query<Array<Record<string, unknown>>>(
      `SELECT ${periodOf} AS period, currency, ${sums.join(', ')} FROM sales_hourly
       WHERE bucket_start >= ? AND bucket_start < ?${currency ? ' AND currency = ?' : ''}
       GROUP BY period, currency ORDER BY period, currency`,
      [...inner, boundaries[0], boundaries[boundaries.length - 1], ...(currency ? [currency] : [])],
    );
    return rows
      .map((row) => ({
        period: Number(row.period),
        currency: row.currency as string,
        measures: Object.fromEntries(
          SALES_MEASURES.map((measure) => [measure, Number(row[COLUMNS[measure]])]),
        ) as SalesMeasures,
      }))
      .filter((row) => SALES_MEASURES.some((measure) => row.measures[measure] !== 0));
  }

  /** The buckets of [from, to), locked when `lock` (the reconciliation rewrites them). */
  async between(manager: EntityManager, from: Date, to: Date, lock = false): Promise<StoredBucket[]> {
    const rows = await manager.query<Array<Record<string, unknown>>>(
      `SELECT bucket_start, currency, ${COLUMN_LIST} FROM sales_hourly
       WHERE bucket_start >= ? AND bucket_start < ? ORDER BY bucket_start, currency${lock ? ' FOR UPDATE' : ''}`,
      [from, to],
    );
    return rows.map((row) => ({
      bucketStart: row.bucket_start as Date,
      currency: row.currency as string,
      measures: Object.fromEntries(
        SALES_MEASURES.map((measure) => [measure, Number(row[COLUMNS[measure]])]),
      ) as SalesMeasures,
    }));
  }

  async recordReconciliation(manager: EntityManager, record: ReconciliationRecord): Promise<void> {
    await manager.query(
      `INSERT INTO analytics_reconciliations
         (window_start, window_end, buckets_checked, buckets_corrected, amount_corrected, count_corrected, corrections)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [
        record.windowStart,
        record.windowEnd,
        record.bucketsChecked,
        record.bucketsCorrected,
        record.amountCorrected,
        record.countCorrected,
        JSON.stringify(record.corrections),
      ],
    );
  }

  /** Every reconciliation so far, summed: what /metrics reports. */
  async reconciliationTotals(manager: EntityManager): Promise<ReconciliationTotals> {
    const [row] = await manager.query<
      Array<{ runs: string; buckets: string | null; amount: string | null; last_at: Date | null }>
    >(
      `SELECT COUNT(*) AS runs, SUM(buckets_corrected) AS buckets, SUM(amount_corrected) AS amount,
              MAX(created_at) AS last_at
       FROM analytics_reconciliations`,
    );
    return {
      runs: Number(row.runs),
      bucketsCorrected: Number(row.buckets ?? 0),
      amountCorrected: Number(row.amount ?? 0),
      lastRunAt: row.last_at,
    };
  }

  /** Forgets counted events older than `before`: Bull redelivers within minutes, never weeks later. */
  async forgetEventsBefore(manager: EntityManager, before: Date): Promise<number> {
    const result = await manager.query<{ affectedRows: number }>(
      'DELETE FROM analytics_applied_events WHERE created_at < ?',
      [before],
    );
    return Number(result.affectedRows);
  }
}
