import { DomainError } from '@app/common';
import type { Product, ProductOption, ProductStatus } from '../entities/product.entity';
import type { ProductVariant, VariantStatus } from '../entities/product-variant.entity';
import type { NewVariant, ProductChanges, VariantChanges } from '../products.repository';
import { buildSearchText } from '../rich-text';
import {
  assertDistinctCombinations,
  assertOptionValues,
  assertPrices,
  variantTitle,
} from '../admin/variant-rules';
import type { ImportRow, StockInput, StockRow, VariantRow } from './import-row';

/** What a batch reads, under lock, before it decides anything. */
export interface BatchSnapshot {
  /** The batch's products, by slug. */
  products: ReadonlyMap<string, Product>;
  categoryIdsByProduct: ReadonlyMap<string, string[]>;
  /** Every variant of the batch's products, in position order. */
  variantsByProduct: ReadonlyMap<string, ProductVariant[]>;
  /** The batch's SKUs wherever they are, with their product's slug (a SKU may be another product's). */
  variantsBySku: ReadonlyMap<string, { variant: ProductVariant; productSlug: string }>;
  categoryIdBySlug: ReadonlyMap<string, string>;
  locationIdByCode: ReadonlyMap<string, string>;
  /** Stock levels of the batch's existing variants, by `levelKey(variantId, locationId)`. */
  levels: ReadonlyMap<string, { onHand: number; reserved: number }>;
}

export const levelKey = (variantId: string, locationId: string): string => `${variantId}|${locationId}`;

export interface PlannedProduct {
  slug: string;
  /** Null until the writer inserts it. */
  id: string | null;
  existing: Product | null;
  title: string;
  status: ProductStatus;
  description: string;
  searchText: string;
  attributes: Record<string, string>;
  options: ProductOption[];
  categoryIds: string[];
  /** For an existing product: the columns to write (empty: none). */
  changes: ProductChanges;
  categoriesChanged: boolean;
  /** A variant was created or changed: the product's version and price range follow. */
  variantsChanged: boolean;
  variants: PlannedVariant[];
}

export interface PlannedVariant {
  sku: string;
  /** Null until the writer inserts it. */
  id: string | null;
  existing: ProductVariant | null;
  product: PlannedProduct;
  values: NewVariant;
  status: VariantStatus;
  /** For an existing variant: the columns to write (empty: none). */
  changes: VariantChanges;
}

export interface PlannedStock {
  variant: PlannedVariant;
  locationId: string;
  locationCode: string;
  /** The level's on-hand before the import; null when the level does not exist yet. */
  from: number | null;
  to: number;
}

export type RowOutcome =
  | { line: number; result: 'created' | 'updated' | 'unchanged' }
  | { line: number; result: 'rejected'; sku: string | null; reason: string };

/** A bad row found only against the catalog (unknown category, option value, reserved stock…). */
class RowRejection extends Error {}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
/** Option values are a set of name → value: their order means nothing. */
const sameValues = (a: Record<string, string>, b: Record<string, string>): boolean =>
  sameJson(
    Object.entries(a).sort(([x], [y]) => (x < y ? -1 : 1)),
    Object.entries(b).sort(([x], [y]) => (x < y ? -1 : 1)),
  );
const sameSet = (a: string[], b: string[]): boolean =>
  a.length === b.length && new Set([...a, ...b]).size === a.length && new Set(a).size === a.length;

const VARIANT_FIELDS = [
  'title',
  'price',
  'compareAtPrice',
  'weightGrams',
  'barcode',
  'lowStockThreshold',
] as const;

/**
 * Decides what one batch of rows does to the catalog, against a snapshot read under lock. Rows are
 * applied in file order to a working copy, so later rows see earlier ones (a product created by its
 * first row, a SKU's stock at a second location). A row is all or nothing: every check runs before
 * it touches the working copy. A row whose values equal the stored ones leaves no change at all —
 * which is what makes re-importing a file a no-op.
 */
export class ImportBatchPlan {
  readonly products: PlannedProduct[] = [];
  readonly stock: PlannedStock[] = [];
  readonly outcomes: RowOutcome[] = [];
  private readonly productBySlug = new Map<string, PlannedProduct>();
  private readonly variantBySku = new Map<string, PlannedVariant>();
  private readonly levels = new Map<string, { onHand: number; reserved: number; exists: boolean }>();

  constructor(
    private readonly snapshot: BatchSnapshot,
    /** The line of a slug's first row, for rows whose product could not be created. */
    private readonly firstLineOf: (slug: string) => number | undefined,
  ) {}

  /** True when the batch writes anything (so it must invalidate the storefront cache). */
  get changesSomething(): boolean {
    return this.outcomes.some((outcome) => outcome.result === 'created' || outcome.result === 'updated');
  }

  apply(rows: ImportRow[]): this {
    for (const row of rows) {
      if (row.kind === 'rejected') {
        this.outcomes.push({ line: row.line, result: 'rejected', sku: row.sku, reason: row.reason });
        continue;
      }
      const sku = row.kind === 'variant' ? row.variant.sku : row.sku;
      try {
        const result = row.kind === 'variant' ? this.applyVariantRow(row) : this.applyStockRow(row);
        this.outcomes.push({ line: row.line, result });
      } catch (error) {
        if (!(error instanceof RowRejection || error instanceof DomainError)) throw error;
        const reason = error instanceof DomainError ? error.detail : error.message;
        this.outcomes.push({ line: row.line, result: 'rejected', sku, reason });
      }
    }
    return this;
  }

  private applyVariantRow(row: VariantRow): 'created' | 'updated' | 'unchanged' {
    const current = this.product(row.slug);
    // The slug's first row defines the product: a new one, or `current` with changes (a copy, adopted
    // only when the whole row passes). Later rows of the slug use the product as it is.
    const product = row.product ? this.defineProduct(row, current) : current;
    if (!product) throw this.missingProduct(row.slug);

    const input = row.variant;
    const variant = this.variant(input.sku);
    if (variant && variant.product.slug !== row.slug)
      throw new RowRejection(`SKU ${input.sku} belongs to another product (${variant.product.slug})`);
    const base: NewVariant = variant?.values ?? {
      sku: input.sku,
      title: '',
      optionValues: {},
      price: -1,
      compareAtPrice: null,
      weightGrams: null,
      barcode: null,
      position: product.variants.length,
      lowStockThreshold: null,
    };
    const optionValues = input.optionValues ?? base.optionValues;
    const values: NewVariant = {
      ...base,
      optionValues,
      title:
        input.title === null || (input.title === undefined && !variant)
          ? variantTitle(optionValues, product.title)
          : (input.title ?? base.title),
      price: input.price ?? base.price,
      compareAtPrice: input.compareAtPrice !== undefined ? input.compareAtPrice : base.compareAtPrice,
      weightGrams: input.weightGrams !== undefined ? input.weightGrams : base.weightGrams,
      barcode: input.barcode !== undefined ? input.barcode : base.barcode,
      lowStockThreshold:
        input.lowStockThreshold !== undefined ? input.lowStockThreshold : base.lowStockThreshold,
    };
    if (values.price < 0) throw new RowRejection(`price is required to create SKU ${input.sku}`);
    const changes: VariantChanges = {};
    if (variant) {
      for (const field of VARIANT_FIELDS)
        if (values[field] !== base[field]) Object.assign(changes, { [field]: values[field] });
      if (!sameValues(values.optionValues, base.optionValues)) changes.optionValues = values.optionValues;
    }
    const status = variant?.status ?? 'active';
    // As in the admin API: archived variants are held to the options only when their values change,
    // and only active variants must differ from each other.
    if (status === 'active' || changes.optionValues)
      assertOptionValues(product.options, values.optionValues, input.sku);
    if (status === 'active')
      assertDistinctCombinations([
        ...product.variants
          .filter((other) => other.status === 'active' && other.sku !== input.sku)
          .map((other) => ({ sku: other.sku, optionValues: other.values.optionValues })),
        { sku: input.sku, optionValues: values.optionValues },
      ]);
    assertPrices(values.price, values.compareAtPrice, input.sku);
    const stock = row.stock ? this.planStock(variant, row.stock) : null;

    // Every check passed: apply the row to the working copy.
    const productChanged = product !== current;
    if (productChanged) this.adopt(product);
    let planned = variant;
    if (!planned) {
      planned = { sku: input.sku, id: null, existing: null, product, values, status, changes: {} };
      product.variants.push(planned);
      this.variantBySku.set(input.sku, planned);
      product.variantsChanged = true;
    } else if (Object.keys(changes).length > 0) {
      planned.values = values;
      planned.changes = { ...planned.changes, ...changes };
      product.variantsChanged = true;
    }
    const stockChanged = this.commitStock(planned, stock);
    if (!variant) return 'created';
    return productChanged || Object.keys(changes).length > 0 || stockChanged ? 'updated' : 'unchanged';
  }

  private applyStockRow(row: StockRow): 'updated' | 'unchanged' {
    const variant = this.variant(row.sku);
    if (!variant)
      throw new RowRejection(
        `SKU ${row.sku} is not in the catalog: its first row (line ${row.variantLine}) was rejected`,
      );
    if (variant.product.slug !== row.slug)
      throw new RowRejection(`SKU ${row.sku} belongs to another product (${variant.product.slug})`);
    return this.commitStock(variant, this.planStock(variant, row.stock)) ? 'updated' : 'unchanged';
  }

  /**
   * The product as the row defines it: a new planned product, or `current` with the row's changes
   * (returned as a copy, adopted only when the whole row passes).
   */
  private defineProduct(row: VariantRow, current: PlannedProduct | undefined): PlannedProduct {
    const input = row.product!;
    const categoryIds = input.categorySlugs?.map((slug) => {
      const id = this.snapshot.categoryIdBySlug.get(slug);
      if (id === undefined)
        throw new RowRejection(`categories: there is no category ${JSON.stringify(slug)}`);
      return id;
    });
    if (!current) {
      if (input.title === undefined)
        throw new RowRejection(`product_title is required to create product ${input.slug}`);
      const description = input.description ?? '';
      const attributes = input.attributes ?? {};
      return {
        slug: input.slug,
        id: null,
        existing: null,
        title: input.title,
        status: input.status ?? 'draft',
        description,
        searchText: buildSearchText(description, attributes),
        attributes,
        options: input.options ?? [],
        categoryIds: categoryIds ?? [],
        changes: {},
        categoriesChanged: false,
        variantsChanged: false,
        variants: [],
      };
    }
    const changes: ProductChanges = {};
    if (input.title !== undefined && input.title !== current.title) changes.title = input.title;
    if (input.status !== undefined && input.status !== current.status) changes.status = input.status;
    if (input.description !== undefined && input.description !== current.description)
      changes.description = input.description;
    if (input.attributes !== undefined && !sameJson(input.attributes, current.attributes))
      changes.attributes = input.attributes;
    if (changes.description !== undefined || changes.attributes !== undefined)
      changes.searchText = buildSearchText(
        changes.description ?? current.description,
        changes.attributes ?? current.attributes,
      );
    if (input.options !== undefined && !sameJson(input.options, current.options)) {
      // Every active variant must still name valid values, as when staff change the options.
      for (const variant of current.variants)
        if (variant.status === 'active' && variant.sku !== row.variant.sku)
          assertOptionValues(input.options, variant.values.optionValues, variant.sku);
      changes.options = input.options;
    }
    const categoriesChanged = categoryIds !== undefined && !sameSet(categoryIds, current.categoryIds);
    if (Object.keys(changes).length === 0 && !categoriesChanged) return current;
    return {
      ...current,
      ...changes,
      categoryIds: categoriesChanged ? categoryIds : current.categoryIds,
      changes: { ...current.changes, ...changes },
      categoriesChanged: current.categoriesChanged || categoriesChanged,
    };
  }

  /** Puts a product defined by an accepted row in place of the working copy it was built from. */
  private adopt(product: PlannedProduct): void {
    const previous = this.productBySlug.get(product.slug);
    if (previous) {
      Object.assign(previous, product);
      for (const variant of previous.variants) variant.product = previous;
    } else {
      this.productBySlug.set(product.slug, product);
      this.products.push(product);
    }
  }

  private planStock(variant: PlannedVariant | undefined, input: StockInput): PlannedStock | null {
    const locationId = this.snapshot.locationIdByCode.get(input.locationCode);
    if (locationId === undefined)
      throw new RowRejection(`there is no stock location ${JSON.stringify(input.locationCode)}`);
    const level = variant ? this.level(variant, locationId) : undefined;
    if (level && input.onHand < level.reserved)
      throw new RowRejection(
        `on_hand below reserved: ${input.onHand} at ${input.locationCode}, where ${level.reserved} are reserved`,
      );
    if (level?.exists && level.onHand === input.onHand) return null;
    return {
      variant: variant!,
      locationId,
      locationCode: input.locationCode,
      from: level?.exists ? level.onHand : null,
      to: input.onHand,
    };
  }

  /** Records a planned stock change on the working copy; true when it changes something. */
  private commitStock(variant: PlannedVariant, stock: PlannedStock | null): boolean {
    if (!stock) return false;
    stock.variant = variant;
    const key = levelKey(variant.sku, stock.locationId);
    const earlier = this.stock.find(
      (other) => other.variant === variant && other.locationId === stock.locationId,
    );
    if (earlier) earlier.to = stock.to;
    else this.stock.push(stock);
    this.levels.set(key, { onHand: stock.to, reserved: this.levels.get(key)?.reserved ?? 0, exists: true });
    return true;
  }

  private level(
    variant: PlannedVariant,
    locationId: string,
  ): { onHand: number; reserved: number; exists: boolean } {
    const key = levelKey(variant.sku, locationId);
    let level = this.levels.get(key);
    if (!level) {
      const stored = variant.existing
        ? this.snapshot.levels.get(levelKey(variant.existing.id, locationId))
        : undefined;
      level = stored ? { ...stored, exists: true } : { onHand: 0, reserved: 0, exists: false };
      this.levels.set(key, level);
    }
    return level;
  }

  /** The working copy of a stored product, loaded on first use. */
  private product(slug: string): PlannedProduct | undefined {
    let planned = this.productBySlug.get(slug);
    if (planned) return planned;
    const stored = this.snapshot.products.get(slug);
    if (!stored) return undefined;
    planned = {
      slug,
      id: stored.id,
      existing: stored,
      title: stored.title,
      status: stored.status,
      description: stored.description,
      searchText: stored.searchText,
      attributes: stored.attributes,
      options: stored.options,
      categoryIds: this.snapshot.categoryIdsByProduct.get(stored.id) ?? [],
      changes: {},
      categoriesChanged: false,
      variantsChanged: false,
      variants: [],
    };
    for (const variant of this.snapshot.variantsByProduct.get(stored.id) ?? []) {
      const plannedVariant: PlannedVariant = {
        sku: variant.sku,
        id: variant.id,
        existing: variant,
        product: planned,
        values: {
          sku: variant.sku,
          title: variant.title,
          optionValues: variant.optionValues,
          price: variant.price,
          compareAtPrice: variant.compareAtPrice,
          weightGrams: variant.weightGrams,
          barcode: variant.barcode,
          position: variant.position,
          lowStockThreshold: variant.lowStockThreshold,
        },
        status: variant.status,
        changes: {},
      };
      planned.variants.push(plannedVariant);
      this.variantBySku.set(variant.sku, plannedVariant);
    }
    this.productBySlug.set(slug, planned);
    this.products.push(planned);
    return planned;
  }

  /** The working copy of a variant by SKU: this batch's, or a stored one (of any product). */
  private variant(sku: string): PlannedVariant | undefined {
    const planned = this.variantBySku.get(sku);
    if (planned) return planned;
    const stored = this.snapshot.variantsBySku.get(sku);
    if (!stored) return undefined;
    // Loading its product registers the variant (unless the SKU belongs to a product of another slug
    // that this batch does not name: then it is only reported).
    this.product(stored.productSlug);
    return this.variantBySku.get(sku);
  }

  private missingProduct(slug: string): RowRejection {
    const line = this.firstLineOf(slug);
    return new RowRejection(
      `product ${slug} is not in the catalog` +
        (line === undefined ? '' : `: its first row (line ${line}) was rejected`),
    );
  }
}
