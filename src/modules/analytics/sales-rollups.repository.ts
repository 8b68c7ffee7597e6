import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SALES_MEASURES, type SalesDelta, type SalesMeasure, type SalesMeasures } from './sales-measures';

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
