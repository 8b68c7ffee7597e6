import { DomainError } from '@app/common';
import { createHash } from 'node:crypto';
import { MAX_DESCRIPTION_LENGTH, MAX_PRICE, SKU_PATTERN, SLUG_PATTERN } from '../dto/admin-product.dto';
import { PRODUCT_STATUSES, type ProductOption, type ProductStatus } from '../entities/product.entity';
import { sanitizeDescription } from '../rich-text';
import { assertUniqueOptionNames } from '../admin/variant-rules';
import { CellFormatError, CsvColumn, CsvHeader, parseList, parseOptions, parsePairs } from './csv-format';

/**
 * A product as its first row in the file defines it. A field is undefined when its column is absent
 * (or, for title and status, blank): the stored value is kept, or the default used for a new product.
 */
export interface ProductInput {
  slug: string;
  title?: string;
  status?: ProductStatus;
  /** Already sanitised. */
  description?: string;
  categorySlugs?: string[];
  attributes?: Record<string, string>;
  options?: ProductOption[];
}

/** A variant's columns; undefined = column absent (keep), null = cleared. */
export interface VariantInput {
  sku: string;
  /** null: the default title, the option values joined by " / ". */
  title?: string | null;
  optionValues?: Record<string, string>;
  price?: number;
  compareAtPrice?: number | null;
  weightGrams?: number | null;
  barcode?: string | null;
  lowStockThreshold?: number | null;
}

/** The absolute on-hand count at a location. */
export interface StockInput {
  locationCode: string;
  onHand: number;
}

/** A row that creates or updates a variant (and, when it is the slug's first row, the product). */
export interface VariantRow {
  kind: 'variant';
  line: number;
  slug: string;
  /** Set on the first row of its slug only: that row defines the product. */
  product?: ProductInput;
  variant: VariantInput;
  stock?: StockInput;
}

/** A SKU repeated with identical columns to give its stock at another location (as exports write it). */
export interface StockRow {
  kind: 'stock';
  line: number;
  slug: string;
  sku: string;
  /** The line of the SKU's first row, which defines the variant. */
  variantLine: number;
  stock: StockInput;
}

export interface RejectedRow {
  kind: 'rejected';
  line: number;
  sku: string | null;
  reason: string;
}

export type ImportRow = VariantRow | StockRow | RejectedRow;

const MAX_ON_HAND = 2_147_483_647;
const STOCK_COLUMNS: readonly CsvColumn[] = ['location', 'on_hand'];

/** A row the file itself shows to be bad (no database needed to tell). */
class RowError extends Error {}

/**
 * Reads an import file's data rows in order and checks each one on its own, with the admin API's
 * rules: formats, ranges and limits. It remembers, for the whole file, the first row of each slug
 * (it defines the product) and of each SKU (a SKU may repeat only to give stock at another location).
 * What needs the database (categories, option values, SKUs of other products, reserved stock) is
 * checked when the batch is applied.
 */
export class ImportRowReader {
  private readonly firstLineOfSlug = new Map<string, number>();
  private readonly firstRowOfSku = new Map<string, { line: number; signature: string; locations: string }>();
  private readonly width: number;
  private readonly signatureIndexes: number[];

  constructor(private readonly header: CsvHeader) {
    this.width = header.size;
    this.signatureIndexes = [...header.entries()]
      .filter(([column]) => !STOCK_COLUMNS.includes(column))
      .map(([, index]) => index);
  }

  /** The line of the first row of `slug` (the row that defines the product). */
  firstLineOf(slug: string): number | undefined {
    return this.firstLineOfSlug.get(slug);
  }

  read(fields: string[], line: number): ImportRow {
    const skuCell = this.cell(fields, 'sku') || null;
    try {
      return this.parse(fields, line);
    } catch (error) {
      if (error instanceof RowError || error instanceof CellFormatError || error instanceof DomainError)
        return {
          kind: 'rejected',
          line,
          sku: skuCell,
          reason: error instanceof DomainError ? error.detail : error.message,
        };
      throw error;
    }
  }

  private parse(fields: string[], line: number): VariantRow | StockRow {
    if (fields.length !== this.width)
      throw new RowError(`the row has ${fields.length} fields; the header has ${this.width}`);
    const slug = this.cell(fields, 'product_slug') ?? '';
    const sku = this.cell(fields, 'sku') ?? '';
    if (!SLUG_PATTERN.test(slug) || slug.length > 120)
      throw new RowError(
        `product_slug must be lower-case letters and digits separated by single dashes, at most 120 (got ${JSON.stringify(slug)})`,
      );
    if (!SKU_PATTERN.test(sku))
      throw new RowError(
        `sku must be 1-64 letters, digits, dots, dashes or underscores (got ${JSON.stringify(sku)})`,
      );
    const defines = !this.firstLineOfSlug.has(slug);
    if (defines) this.firstLineOfSlug.set(slug, line);

    const signature = this.signature(fields);
    const first = this.firstRowOfSku.get(sku);
    if (first) {
      const repeated = () =>
        new RowError(
          `SKU ${sku} is already on line ${first.line}; a SKU may repeat only to give its stock at another location, with its other columns unchanged`,
        );
      if (first.signature !== signature) throw repeated();
      const stock = this.stock(fields);
      if (stock === undefined || first.locations.split('\n').includes(stock.locationCode)) throw repeated();
      first.locations += `\n${stock.locationCode}`;
      return { kind: 'stock', line, slug, sku, variantLine: first.line, stock };
    }
    // Registered before anything else is checked: the first row of a SKU is its row, good or bad.
    const seen = { line, signature, locations: '' };
    this.firstRowOfSku.set(sku, seen);
    const stock = this.stock(fields);
    seen.locations = stock?.locationCode ?? '';

    return {
      kind: 'variant',
      line,
      slug,
      product: defines ? this.product(fields, slug) : undefined,
      variant: this.variant(fields, sku),
      stock,
    };
  }

  private product(fields: string[], slug: string): ProductInput {
    const product: ProductInput = { slug };
    const title = this.cell(fields, 'product_title');
    if (title) product.title = text(title, 'product_title', 200);
    const status = this.cell(fields, 'product_status');
    if (status) {
      if (!(PRODUCT_STATUSES as readonly string[]).includes(status))
        throw new RowError(
          `product_status must be one of ${PRODUCT_STATUSES.join(', ')} (got ${JSON.stringify(status)})`,
        );
      product.status = status as ProductStatus;
    }
    const description = this.cell(fields, 'description');
    if (description !== undefined)
      product.description = sanitizeDescription(text(description, 'description', MAX_DESCRIPTION_LENGTH, 0));
    const categories = this.cell(fields, 'categories');
    if (categories !== undefined) {
      const slugs = parseList(categories);
      if (slugs.length > 20) throw new RowError('categories may list at most 20 category slugs');
      if (new Set(slugs).size !== slugs.length) throw new RowError('categories lists a category twice');
      const bad = slugs.find((category) => !SLUG_PATTERN.test(category));
      if (bad !== undefined) throw new RowError(`categories: ${JSON.stringify(bad)} is not a category slug`);
      product.categorySlugs = slugs;
    }
    const attributes = this.cell(fields, 'attributes');
    if (attributes !== undefined)
      product.attributes = record(parsePairs(attributes, 'attributes'), 'attributes', 50, 50, 500);
    const options = this.cell(fields, 'options');
    if (options !== undefined) product.options = checkedOptions(parseOptions(options));
    return product;
  }

  private variant(fields: string[], sku: string): VariantInput {
    const variant: VariantInput = { sku };
    const title = this.cell(fields, 'variant_title');
    if (title !== undefined) variant.title = title === '' ? null : text(title, 'variant_title', 200);
    const optionValues = this.cell(fields, 'option_values');
    if (optionValues !== undefined)
      variant.optionValues = record(parsePairs(optionValues, 'option_values'), 'option_values', 5, 50, 100);
    const price = this.cell(fields, 'price');
    if (price) variant.price = integer(price, 'price', MAX_PRICE);
    const nullable = (column: CsvColumn, max: number): number | null | undefined => {
      const value = this.cell(fields, column);
      return value === undefined ? undefined : value === '' ? null : integer(value, column, max);
    };
    variant.compareAtPrice = nullable('compare_at_price', MAX_PRICE);
    variant.weightGrams = nullable('weight_grams', 1_000_000_000);
    variant.lowStockThreshold = nullable('low_stock_threshold', 1_000_000);
    const barcode = this.cell(fields, 'barcode');
    if (barcode !== undefined) {
      if (barcode !== '' && !/^[0-9A-Za-z-]{1,64}$/.test(barcode))
        throw new RowError(`barcode must be 1-64 letters, digits or dashes (got ${JSON.stringify(barcode)})`);
      variant.barcode = barcode === '' ? null : barcode;
    }
    for (const key of Object.keys(variant) as Array<keyof VariantInput>)
      if (variant[key] === undefined) delete variant[key];
    return variant;
  }

  private stock(fields: string[]): StockInput | undefined {
    const location = this.cell(fields, 'location') ?? '';
    const onHand = this.cell(fields, 'on_hand') ?? '';
    if (location === '' && onHand === '') return undefined;
    if (location === '' || onHand === '')
      throw new RowError('location and on_hand go together: give both (or neither, to leave stock alone)');
    if (location.length > 50) throw new RowError('location must be a stock location code (at most 50)');
    return { locationCode: location, onHand: integer(onHand, 'on_hand', MAX_ON_HAND) };
  }

  private cell(fields: string[], column: CsvColumn): string | undefined {
    const index = this.header.get(column);
    return index === undefined ? undefined : (fields[index] ?? '');
  }

  /** Identifies every column but the stock ones: the rows of one SKU must agree on all of them. */
  private signature(fields: string[]): string {
    const hash = createHash('sha1');
    for (const index of this.signatureIndexes) hash.update(fields[index] ?? '').update('\u0000');
    return hash.digest('base64');
  }
}

function text(value: string, column: string, max: number, min = 1): string {
  if (value.length < min || value.length > max)
    throw new RowError(`${column} must be ${min}-${max} characters (got ${value.length})`);
  return value;
}

function integer(value: string, column: string, max: number): number {
  const number = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!(number <= max))
    throw new RowError(`${column} must be a whole number from 0 to ${max} (got ${JSON.stringify(value)})`);
  return number;
}

/** The admin API's IsStringRecord limits, plus: a name given twice is a mistake, not an override. */
function record(
  pairs: Array<[string, string]>,
  column: string,
  maxKeys: number,
  maxKeyLength: number,
  maxValueLength: number,
): Record<string, string> {
  if (pairs.length > maxKeys) throw new RowError(`${column} may have at most ${maxKeys} entries`);
  const result: Record<string, string> = {};
  for (const [name, value] of pairs) {
    if (name.trim() === '' || name.length > maxKeyLength)
      throw new RowError(
        `${column}: names must be 1-${maxKeyLength} characters (got ${JSON.stringify(name)})`,
      );
    if (value.length > maxValueLength)
      throw new RowError(`${column}: the value of ${name} is longer than ${maxValueLength} characters`);
    if (Object.hasOwn(result, name)) throw new RowError(`${column} gives ${name} twice`);
    result[name] = value;
  }
  return result;
}

/** The admin API's ProductOptionDto rules and at most 5 options. */
function checkedOptions(options: ProductOption[]): ProductOption[] {
  if (options.length > 5) throw new RowError('options may define at most 5 options');
  for (const option of options) {
    if (option.name.length > 50) throw new RowError(`options: the name ${option.name} is longer than 50`);
    if (option.values.length > 100) throw new RowError(`options: ${option.name} has more than 100 values`);
    if (option.values.some((value) => value.length < 1 || value.length > 100))
      throw new RowError(`options: every value of ${option.name} must be 1-100 characters`);
    if (new Set(option.values).size !== option.values.length)
      throw new RowError(`options: ${option.name} lists a value twice`);
  }
  assertUniqueOptionNames(options);
  return options;
}
