import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import type { ProductStatus } from '../entities/product.entity';

/** One export row: a variant with its product, and one of its stock levels (or none). */
export interface ExportRow {
  product_slug: string;
  product_title: string;
  product_status: string;
  description: string;
  categories: string | null;
  attributes: string | Record<string, string>;
  options: string | Array<{ name: string; values: string[] }>;
  sku: string;
  variant_title: string;
  option_values: string | Record<string, string>;
  price: number;
  compare_at_price: number | null;
  weight_grams: number | null;
  barcode: string | null;
  low_stock_threshold: number | null;
  location: string | null;
  on_hand: number | null;
}

// A variant stocked at two locations gives two rows; one with no stock level gives one row. Category
// slugs come from a correlated subquery: an index lookup per product (MariaDB caches it across the
// product's rows), where a joined GROUP BY derived table was planned as a nested loop over all of it.
// Ordered by product id only, so the server streams the join as it walks the primary key (no
// temporary table, no sort, whatever the catalog's size): a product's rows stay together, its
// variants come through (product_id, position), i.e. in position order.
const EXPORT_SQL = `
  SELECT p.slug AS product_slug, p.title AS product_title, p.status AS product_status, p.description,
         (SELECT GROUP_CONCAT(c.slug ORDER BY c.slug SEPARATOR '|')
            FROM product_categories x JOIN categories c ON c.id = x.category_id
           WHERE x.product_id = p.id) AS categories,
         p.attributes, p.options,
         v.sku, v.title AS variant_title, v.option_values, v.price, v.compare_at_price, v.weight_grams,
         v.barcode, v.low_stock_threshold, l.code AS location, il.on_hand
    FROM products p
    JOIN product_variants v ON v.product_id = p.id
    LEFT JOIN inventory_levels il ON il.variant_id = v.id
    LEFT JOIN stock_locations l ON l.id = il.location_id
   WHERE (? IS NULL OR p.status = ?)
   ORDER BY p.id`;

@Injectable()
export class CatalogExportRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Every variant row, streamed from one query on a connection of its own: mysql2 pauses reading
   * from MySQL while the consumer is behind, so memory stays flat whatever the catalog's size. The
   * connection goes back to the pool when the query ends — also when the consumer stops early (the
   * driver then drains the rest of the result and discards it).
   */
  async streamVariantRows(status: ProductStatus | undefined): Promise<Readable> {
    const runner = this.dataSource.createQueryRunner();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      void runner.release();
    };
    try {
      return await runner.stream(EXPORT_SQL, [status ?? null, status ?? null], release, release);
    } catch (error) {
      release();
      throw error;
    }
  }
}
