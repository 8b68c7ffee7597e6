import { stringify } from 'csv-stringify';
import { Readable } from 'node:stream';

/**
 * Reports as CSV: one header row of snake_case column names, then one record per row, produced by
 * csv-stringify as the reply is sent. A report route gets this through `@ReportJsonOrCsv()` or
 * `@ReportCsv()` (csv-report.decorator.ts); the functions here are the pure part.
 */
export const CSV_MEDIA_TYPE = 'text/csv';
export const CSV_CONTENT_TYPE = `${CSV_MEDIA_TYPE}; charset=utf-8`;

export type CsvCell = string | number | boolean | null | undefined;

export interface CsvColumn<Row> {
  header: string;
  value: (row: Row) => CsvCell;
}

/** `ordersPlaced` → `orders_placed`. */
export const snakeCase = (name: string): string => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** Columns that are the rows' own fields, in this order, headed by their snake_case names. */
export function fieldColumns<Row extends object>(fields: ReadonlyArray<keyof Row & string>): CsvColumn<Row>[] {
  return fields.map((field) => ({ header: snakeCase(field), value: (row) => row[field] as CsvCell }));
}

/** The rows as CSV text, produced as it is read (with backpressure): the header row first. */
export function csvStream<Row>(
  columns: ReadonlyArray<CsvColumn<Row>>,
  rows: Iterable<Row> | AsyncIterable<Row>,
): Readable {
  const records = Readable.from(
    (async function* () {
      for await (const row of rows) yield columns.map((column) => column.value(row) ?? null);
    })(),
  );
  const csv = stringify({
    header: true,
    columns: columns.map((column) => column.header),
    // A cell starting with = + - @ is a formula in spreadsheets; reports hold names (products, SKUs).
    escape_formulas: true,
    cast: { boolean: (value) => String(value) },
  });
  records.on('error', (error) => csv.destroy(error));
  return records.pipe(csv);
}

/**
 * Whether the `Accept` header prefers `text/csv` to JSON. JSON wins ties and anything vague
 * (none, `*\/*`, a browser's list); CSV needs a better quality value: `text/csv`, `text/*`,
 * `text/csv, application/json;q=0.5`.
 */
export function prefersCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = accept.split(',').map((part) => {
    const [range, ...parameters] = part.trim().toLowerCase().split(';');
    const q = parameters.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    return { range: range.trim(), quality: Number.isFinite(quality) ? quality : 0 };
  });
  // The most specific range that matches a media type decides its quality (RFC 9110 §12.5.1).
  const qualityOf = (type: string): number => {
    const [major] = type.split('/');
    for (const candidate of [type, `${major}/*`, '*/*']) {
      const match = ranges.find((entry) => entry.range === candidate);
      if (match) return match.quality;
    }
    return 0;
  };
  const csv = qualityOf(CSV_MEDIA_TYPE);
  return csv > 0 && csv > qualityOf('application/json');
}
