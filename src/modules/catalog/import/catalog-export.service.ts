import { Injectable, Logger } from '@nestjs/common';
import { stringify } from 'csv-stringify';
import { pipeline, Readable, Transform } from 'node:stream';
import type { ProductStatus } from '../entities/product.entity';
import { CatalogExportRepository, type ExportRow } from './catalog-export.repository';
import { CSV_COLUMNS, type CsvColumn, formatList, formatOptions, formatPairs } from './csv-format';

const json = <T>(value: string | T): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

/** An export row in the import's columns and cell formats: exporting then importing changes nothing. */
export function toCsvRecord(row: ExportRow): Record<CsvColumn, string | number | null> {
  return {
    product_slug: row.product_slug,
    product_title: row.product_title,
    product_status: row.product_status,
    description: row.description,
    categories: row.categories === null ? '' : formatList(row.categories.split('|')),
    attributes: formatPairs(json(row.attributes)),
    options: formatOptions(json(row.options)),
    sku: row.sku,
    variant_title: row.variant_title,
    option_values: formatPairs(json(row.option_values)),
    price: row.price,
    compare_at_price: row.compare_at_price,
    weight_grams: row.weight_grams,
    barcode: row.barcode,
    low_stock_threshold: row.low_stock_threshold,
    location: row.location,
    on_hand: row.on_hand,
  };
}

@Injectable()
export class CatalogExportService {
  private readonly logger = new Logger(CatalogExportService.name);

  constructor(private readonly exports: CatalogExportRepository) {}

  /** The catalog as CSV, produced as it is sent (rows → CSV records → the response, with backpressure). */
  async productsCsv(status: ProductStatus | undefined): Promise<Readable> {
    const rows = await this.exports.streamVariantRows(status);
    return pipeline(
      rows,
      new Transform({
        objectMode: true,
        transform(row: ExportRow, _encoding, done) {
          done(null, toCsvRecord(row));
        },
      }),
      stringify({ header: true, columns: [...CSV_COLUMNS] }),
      (error) => {
        // The response has started: a failure can only cut it short (the client sees a broken download).
        if (error && error.code !== 'ERR_STREAM_PREMATURE_CLOSE')
          this.logger.error({ err: error }, 'product export failed while streaming');
      },
    );
  }
}
