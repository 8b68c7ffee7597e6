import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ProductSalesDelta } from './product-sales-measures';

export interface ProductRanking {
  /** Place within its currency, from 1. */
  rank: number;
  currency: string;
  productId: string;
  /** The variant (level=variant), or for level=product one of its variants (to look its name up). */
  variantId: string;
  units: number;
  net: number;
}

export interface RankingQuery {
  from: Date;
  to: Date;
  by: 'units' | 'net';
  level: 'product' | 'variant';
  limit: number;
  currency?: string;
}

const ROWS_PER_STATEMENT = 500;

/** The hourly product buckets (product_sales_hourly): written by events and the reconciliation, read by reports. */
@Injectable()
export class ProductSalesRollupsRepository {
  /** Adds the deltas to their buckets (creating them), in one statement per 500 buckets. */
  async add(manager: EntityManager, deltas: readonly ProductSalesDelta[]): Promise<void> {
    await this.upsert(
      manager,
      deltas,
      'units = units + VALUES(units), revenue = revenue + VALUES(revenue), refunds = refunds + VALUES(refunds)',
    );
  }

  /** Sets the buckets to exactly these measures. */
  async put(manager: EntityManager, buckets: readonly ProductSalesDelta[]): Promise<void> {
    await this.upsert(
      manager,
      buckets,
      'units = VALUES(units), revenue = VALUES(revenue), refunds = VALUES(refunds)',
    );
  }

  private async upsert(
    manager: EntityManager,
    rows: readonly ProductSalesDelta[],
    update: string,
  ): Promise<void> {
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const batch = rows.slice(i, i + ROWS_PER_STATEMENT);
      await manager.query(
        `INSERT INTO product_sales_hourly (bucket_start, currency, variant_id, product_id, units, revenue, refunds)
         VALUES ${batch.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}
         ON DUPLICATE KEY UPDATE ${update}`,
        batch.flatMap((row) => [
          row.bucketStart,
          row.currency,
          row.variantId,
          row.productId,
          row.measures.units,
          row.measures.revenue,
          row.measures.refunds,
        ]),
      );
    }
  }

  async remove(
    manager: EntityManager,
    buckets: ReadonlyArray<Pick<ProductSalesDelta, 'bucketStart' | 'currency' | 'variantId'>>,
  ): Promise<void> {
    for (const bucket of buckets)
      await manager.query(
        'DELETE FROM product_sales_hourly WHERE bucket_start = ? AND currency = ? AND variant_id = ?',
        [bucket.bucketStart, bucket.currency, bucket.variantId],
      );
  }

  /** The buckets of [from, to), locked when `lock` (the reconciliation rewrites them). */
  async between(manager: EntityManager, from: Date, to: Date, lock = false): Promise<ProductSalesDelta[]> {
    const rows = await manager.query<
      Array<{
        bucket_start: Date;
        currency: string;
        variant_id: string;
        product_id: string;
        units: number;
        revenue: string | number;
        refunds: string | number;
      }>
    >(
      `SELECT bucket_start, currency, variant_id, product_id, units, revenue, refunds FROM product_sales_hourly
       WHERE bucket_start >= ? AND bucket_start < ? ORDER BY bucket_start, currency, variant_id${lock ? ' FOR UPDATE' : ''}`,
      [from, to],
    );
    return rows.map((row) => ({
      bucketStart: row.bucket_start,
      currency: row.currency,
      variantId: row.variant_id,
      productId: row.product_id,
      measures: { units: Number(row.units), revenue: Number(row.revenue), refunds: Number(row.refunds) },
    }));
  }

  /**
   * The best `limit` products or variants of [from, to) per currency, by units or by net (revenue −
   * refunds), with the other measure as the first tie-break and the id as the last, so a page is stable.
   * Only what moved in the range (units or money) is ranked.
   */
  async ranking(manager: EntityManager, query: RankingQuery): Promise<ProductRanking[]> {
    const key = query.level === 'variant' ? 'variant_id' : 'product_id';
    const order = query.by === 'units' ? 'units DESC, net DESC' : 'net DESC, units DESC';
    const params: unknown[] = [query.from, query.to];
    let currencyFilter = '';
    if (query.currency) {
      currencyFilter = ' AND currency = ?';
      params.push(query.currency);
    }
    params.push(query.limit);
    const rows = await manager.query<
      Array<{
        position: string;
        currency: string;
        product_id: string;
        variant_id: string;
        units: string;
        net: string;
      }>
    >(
      `SELECT position, currency, product_id, variant_id, units, net FROM (
         SELECT totals.*, ROW_NUMBER() OVER (PARTITION BY currency ORDER BY ${order}, ${key}) AS position
           FROM (
             SELECT currency, MIN(product_id) AS product_id, MIN(variant_id) AS variant_id,
                    SUM(units) AS units, SUM(revenue) - SUM(refunds) AS net
               FROM product_sales_hourly
              WHERE bucket_start >= ? AND bucket_start < ?${currencyFilter}
              GROUP BY currency, ${key}
             HAVING SUM(units) <> 0 OR SUM(revenue) <> 0 OR SUM(refunds) <> 0
           ) AS totals
       ) AS ranked
       WHERE position <= ? ORDER BY currency, position`,
      params,
    );
    return rows.map((row) => ({
      rank: Number(row.position),
      currency: row.currency,
      productId: row.product_id,
      variantId: row.variant_id,
      units: Number(row.units),
      net: Number(row.net),
    }));
  }

  /** Units paid per variant in buckets from `since` on (variants that sold nothing are absent). */
  async unitsSince(
    manager: EntityManager,
    variantIds: readonly string[],
    since: Date,
  ): Promise<Map<string, number>> {
    const units = new Map<string, number>();
    for (let i = 0; i < variantIds.length; i += 1000) {
      const rows = await manager.query<Array<{ variant_id: string; units: string }>>(
        `SELECT variant_id, SUM(units) AS units FROM product_sales_hourly
          WHERE variant_id IN (?) AND bucket_start >= ? GROUP BY variant_id`,
        [variantIds.slice(i, i + 1000), since],
      );
      for (const row of rows) units.set(row.variant_id, Number(row.units));
    }
    return units;
  }
}
