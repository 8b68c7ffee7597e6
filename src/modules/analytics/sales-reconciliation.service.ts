import { AppConfig } from '@app/config';
import { TransactionRunner } from '@app/database';
import { Injectable, Logger } from '@nestjs/common';
import { OrderSalesFactsService } from '../orders';
import { RefundSalesFactsService } from '../payments';
import {
  bucketKey,
  rollUp,
  SALES_MEASURES,
  type SalesMeasure,
  type SalesMeasures,
  zeroMeasures,
} from './sales-measures';
import { DataSource } from 'typeorm';
import {
  type ProductReconciliationReport,
  ProductSalesRollupsService,
} from './product-sales-rollups.service';
import {
  type ReconciliationTotals,
  SalesRollupsRepository,
  type StoredBucket,
} from './sales-rollups.repository';
import { type DailyRepairReport, SalesDailyService } from './sales-daily.service';
import { hourBucket } from './store-calendar';

const HOUR_MS = 3_600_000;
const COUNT_MEASURES: readonly SalesMeasure[] = [
  'ordersPlaced',
  'ordersPaid',
  'ordersCancelled',
  'units',
  'newCustomers',
  'returningCustomers',
];
/** Counted event ids are kept this long: Bull redelivers within minutes, never weeks later. */
const APPLIED_EVENTS_KEPT_DAYS = 30;

export interface BucketCorrection {
  bucketStart: string;
  currency: string;
  /** measure → (recomputed − stored) */
  diff: Partial<SalesMeasures>;
}

export interface ReconciliationReport {
  windowStart: Date;
  windowEnd: Date;
  bucketsChecked: number;
  bucketsCorrected: number;
  /** Sum of |diff| over the money measures, minor units (all currencies together). */
  amountCorrected: number;
  /** Sum of |diff| over the counts (orders, units). */
  countCorrected: number;
  corrections: BucketCorrection[];
  /** The product buckets of the same window (product-sales-rollups.service.ts). */
  products: ProductReconciliationReport;
  /** The daily rows of the local days the window touches, set to their hourly buckets' sums. */
  daily: DailyRepairReport & { rebuilt: { days: number; rows: number } | null };
}

/**
 * Recomputes the last days of hourly buckets from the orders and refunds themselves, and rewrites
 * the buckets that drifted (a lost event, a hand edit, a bug). It stops an hour before the current
 * one so that events still on their way are not counted twice; an event late beyond that is
 * corrected the next night.
 */
@Injectable()
export class SalesReconciliationService {
  private readonly logger = new Logger('SalesReconciliation');

  constructor(
    private readonly config: AppConfig,
    private readonly transactions: TransactionRunner,
    private readonly rollups: SalesRollupsRepository,
    private readonly orders: OrderSalesFactsService,
    private readonly refunds: RefundSalesFactsService,
    private readonly dataSource: DataSource,
    private readonly products: ProductSalesRollupsService,
    private readonly daily: SalesDailyService,
  ) {}

  /** All reconciliations so far, summed (read by /metrics at scrape). */
  totals(): Promise<ReconciliationTotals> {
    return this.rollups.reconciliationTotals(this.dataSource.manager);
  }

  async reconcile(options: { days?: number; now?: Date } = {}): Promise<ReconciliationReport> {
    const days = options.days ?? this.config.analytics.reconcileDays;
    const windowEnd = new Date(hourBucket(options.now ?? new Date()).getTime() - HOUR_MS);
    const windowStart = new Date(windowEnd.getTime() - days * 24 * HOUR_MS);
    // sales_daily built for the store's zone first (a no-op but for a new install or a changed zone).
    const rebuilt = await this.daily.ensureBuilt();
    const report = await this.transactions.run(async (tx) => {
      // The daily marker share-locked before any bucket (the lock order of the event counting).
      const dailyBuiltFor = await this.rollups.dailyTimeZone(tx, 'share');
      // Buckets first, locked: an event counted meanwhile waits for this rewrite, not the other way round.
      const stored = await this.rollups.between(tx, windowStart, windowEnd, true);
      const [orders, refunds] = await Promise.all([
        this.orders.movedBetween(tx, windowStart, windowEnd),
        this.refunds.requestedBetween(tx, windowStart, windowEnd),
      ]);
      const expected = rollUp(orders, refunds, windowStart, windowEnd);
      const storedByKey = new Map<string, StoredBucket>(
        stored.map((bucket) => [bucketKey(bucket.bucketStart, bucket.currency), bucket]),
      );
      const keys = new Set([...expected.keys(), ...storedByKey.keys()]);
      const corrections: BucketCorrection[] = [];
      let amountCorrected = 0;
      let countCorrected = 0;
      for (const key of keys) {
        const want = expected.get(key);
        const have = storedByKey.get(key);
        const wantMeasures = want?.measures ?? zeroMeasures();
        const haveMeasures = have?.measures ?? zeroMeasures();
        const diff: Partial<SalesMeasures> = {};
        for (const measure of SALES_MEASURES) {
          const delta = wantMeasures[measure] - haveMeasures[measure];
          if (delta === 0) continue;
          diff[measure] = delta;
          if (COUNT_MEASURES.includes(measure)) countCorrected += Math.abs(delta);
          else amountCorrected += Math.abs(delta);
        }
        if (Object.keys(diff).length === 0) continue;
        const { bucketStart, currency } = (want ?? have)!;
        corrections.push({ bucketStart: bucketStart.toISOString(), currency, diff });
        if (want) await this.rollups.put(tx, want);
        else await this.rollups.remove(tx, bucketStart, currency);
      }
      const products = await this.products.reconcile(tx, windowStart, windowEnd, orders, refunds);
      // After the hourly buckets: their days in sales_daily become their sums again.
      const daily = await this.daily.repair(tx, dailyBuiltFor, windowStart, windowEnd);
      const result: ReconciliationReport = {
        windowStart,
        windowEnd,
        bucketsChecked: keys.size,
        bucketsCorrected: corrections.length,
        amountCorrected,
        countCorrected,
        corrections,
        products,
        daily: { ...daily, rebuilt },
      };
      await this.rollups.recordReconciliation(tx, result);
      await this.rollups.forgetEventsBefore(
        tx,
        new Date(windowEnd.getTime() - APPLIED_EVENTS_KEPT_DAYS * 24 * HOUR_MS),
      );
      return result;
    });
    this.logger.log(
      {
        windowStart: report.windowStart.toISOString(),
        windowEnd: report.windowEnd.toISOString(),
        bucketsChecked: report.bucketsChecked,
        bucketsCorrected: report.bucketsCorrected,
        amountCorrected: report.amountCorrected,
        countCorrected: report.countCorrected,
        products: report.products,
        daily: {
          daysChecked: report.daily.daysChecked,
          daysCorrected: report.daily.daysCorrected,
          rebuilt: report.daily.rebuilt,
        },
      },
      report.bucketsCorrected > 0
        ? `sales rollups: corrected ${report.bucketsCorrected} of ${report.bucketsChecked} buckets`
        : `sales rollups: ${report.bucketsChecked} buckets checked, no drift`,
    );
    return report;
  }
}
