import { parse } from 'csv-parse';
import type { ProductOption } from '../entities/product.entity';

/**
 * The catalog CSV: one row per variant (the export repeats a variant once per stock location).
 * Import and export share it, so an export re-imports as a no-op.
 */
export const CSV_COLUMNS = [
  'product_slug',
  'product_title',
  'product_status',
  'description',
  'categories',
  'attributes',
  'options',
  'sku',
  'variant_title',
  'option_values',
  'price',
  'compare_at_price',
  'weight_grams',
  'barcode',
  'low_stock_threshold',
  'location',
  'on_hand',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** Without these a row cannot be matched to anything (upsert by SKU, product by slug). */
export const REQUIRED_COLUMNS: readonly CsvColumn[] = ['product_slug', 'sku'];

/** Where each column sits in the file; a column that is absent leaves its field untouched. */
export type CsvHeader = ReadonlyMap<CsvColumn, number>;

/** Options for csv-parse shared by every reader of an import file. */
export const CSV_PARSE_OPTIONS = {
  bom: true,
  info: true,
  skip_empty_lines: true,
  relax_column_count: true,
} as const;

/** A header longer than this is not a header of this format. */
const MAX_HEADER_BYTES = 64 * 1024;

/**
 * The fields of a file's first line, read without parsing the rest of the file; null for a file
 * without any line. Throws the parser's error for a header that is not valid CSV.
 */
export function readHeaderFields(file: Buffer): Promise<string[] | null> {
  return new Promise((resolve, reject) =>
    parse(
      file.subarray(0, MAX_HEADER_BYTES),
      { bom: true, to_line: 1, skip_empty_lines: true },
      (error, records: string[][] | undefined) => (error ? reject(error) : resolve(records?.[0] ?? null)),
    ),
  );
}

const isColumn = (name: string): name is CsvColumn => (CSV_COLUMNS as readonly string[]).includes(name);

/** Reads the header row; returns the problems that make the whole file unusable (empty when none). */
export function readHeader(fields: string[]): { header: CsvHeader; problems: string[] } {
  const header = new Map<CsvColumn, number>();
  const unknown: string[] = [];
  const repeated: string[] = [];
  fields.forEach((raw, index) => {
    const name = raw.trim();
    if (!isColumn(name)) unknown.push(raw);
    else if (header.has(name)) repeated.push(name);
    else header.set(name, index);
  });
  const problems: string[] = [];
  if (unknown.length > 0)
    problems.push(
      `unknown column(s) ${unknown.map((name) => JSON.stringify(name)).join(', ')}; the columns are ${CSV_COLUMNS.join(', ')}`,
    );
  if (repeated.length > 0) problems.push(`repeated column(s) ${repeated.join(', ')}`);
  const missing = REQUIRED_COLUMNS.filter((name) => !header.has(name));
  if (missing.length > 0) problems.push(`missing required column(s) ${missing.join(', ')}`);
  if (header.has('location') !== header.has('on_hand'))
    problems.push('location and on_hand go together: give both columns or neither');
  return { header, problems };
}

/**
 * The 1-based line a record starts on. csv-parse reports the line it ends on; a record spans more
 * than one line only through line breaks inside quoted fields, which the fields keep.
 */
export function recordStartLine(endLine: number, fields: string[]): number {
  let breaks = 0;
  for (const field of fields)
    for (let i = field.indexOf('\n'); i >= 0; i = field.indexOf('\n', i + 1)) breaks++;
  return endLine - breaks;
}

// Lists and maps inside one cell: `a=1;b=2` (attributes, option values), `size=S|M;colour=red`
// (options), `shirts|sale` (categories). A backslash makes the next character literal, so values may
// contain `;`, `=`, `|` and `\`.
const SPECIAL = /[\\;=|]/g;

export function escapeCellPart(value: string): string {
  return value.replace(SPECIAL, (char) => `\\${char}`);
}

/** Splits on unescaped `separator`, keeping escapes in the parts (they are removed by `unescape`). */
function splitUnescaped(text: string, separator: string, limit = Infinity): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === separator && parts.length < limit - 1) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function unescape(text: string): string {
  return text.replace(/\\(.)/gs, '$1');
}

/** `name=value;name=value` → ordered pairs; throws a message naming what is wrong. */
export function parsePairs(text: string, what: string): Array<[string, string]> {
  if (text === '') return [];
  return splitUnescaped(text, ';').map((entry) => {
    const [name, value] = splitUnescaped(entry, '=', 2);
    if (value === undefined || name.trim() === '')
      throw new CellFormatError(
        `${what} must be name=value pairs separated by ";" (got ${JSON.stringify(entry)})`,
      );
    return [unescape(name), unescape(value)];
  });
}

export function formatPairs(record: Record<string, string>): string {
  return Object.entries(record)
    .map(([name, value]) => `${escapeCellPart(name)}=${escapeCellPart(value)}`)
    .join(';');
}

/** `size=S|M|L;colour=red|blue` → options in that order. */
export function parseOptions(text: string): ProductOption[] {
  if (text === '') return [];
  return splitUnescaped(text, ';').map((entry) => {
    const [name, values] = splitUnescaped(entry, '=', 2);
    if (values === undefined || name.trim() === '' || values === '')
      throw new CellFormatError(
        `options must look like size=S|M|L;colour=red|blue (got ${JSON.stringify(entry)})`,
      );
    return { name: unescape(name), values: splitUnescaped(values, '|').map(unescape) };
  });
}

export function formatOptions(options: ProductOption[]): string {
  return options
    .map((option) => `${escapeCellPart(option.name)}=${option.values.map(escapeCellPart).join('|')}`)
    .join(';');
}

export function parseList(text: string): string[] {
  return text === '' ? [] : splitUnescaped(text, '|').map(unescape);
}

export function formatList(values: string[]): string {
  return values.map(escapeCellPart).join('|');
}

/** A cell that does not follow its column's format. */
export class CellFormatError extends Error {}
