import type { Product } from '../entities/product.entity';
import type { ProductVariant } from '../entities/product-variant.entity';
import { BatchSnapshot, ImportBatchPlan, levelKey } from './import-batch-plan';
import type { ImportRow, VariantRow } from './import-row';

const product = (overrides: Partial<Product> = {}): Product => ({
  id: 'p1',
  slug: 'shirt',
  title: 'Shirt',
  description: '<p>Soft</p>',
  searchText: 'Soft linen',
  status: 'active',
  attributes: { material: 'linen' },
  options: [{ name: 'size', values: ['S', 'M'] }],
  images: [],
  minPrice: 100,
  maxPrice: 100,
  version: 3,
  createdAt: new Date(),
  updatedAt: new Date(),
  ...overrides,
});

const variant = (overrides: Partial<ProductVariant> = {}): ProductVariant => ({
  id: 'v1',
  productId: 'p1',
  sku: 'SHIRT-S',
  title: 'S',
  optionValues: { size: 'S' },
  price: 100,
  compareAtPrice: null,
  weightGrams: null,
  barcode: null,
  position: 0,
  status: 'active',
  lowStockThreshold: null,
  version: 1,
  createdAt: new Date(),
  updatedAt: new Date(),
  ...overrides,
});

function snapshot(overrides: Partial<BatchSnapshot> = {}): BatchSnapshot {
  const stored = product();
  const stock = variant();
  return {
    products: new Map([[stored.slug, stored]]),
    categoryIdsByProduct: new Map([[stored.id, ['c1']]]),
    variantsByProduct: new Map([[stored.id, [stock]]]),
    variantsBySku: new Map([[stock.sku, { variant: stock, productSlug: stored.slug }]]),
    categoryIdBySlug: new Map([['shirts', 'c1']]),
    locationIdByCode: new Map([['main', 'l1']]),
    levels: new Map([[levelKey('v1', 'l1'), { onHand: 10, reserved: 4 }]]),
    ...overrides,
  };
}

/** The row an export of the stored product would hold (the first row of its slug). */
const sameAsStored = (overrides: Partial<VariantRow> = {}): VariantRow => ({
  kind: 'variant',
  line: 2,
  slug: 'shirt',
  product: {
    slug: 'shirt',
    title: 'Shirt',
    status: 'active',
    description: '<p>Soft</p>',
    categorySlugs: ['shirts'],
    attributes: { material: 'linen' },
    options: [{ name: 'size', values: ['S', 'M'] }],
  },
  variant: {
    sku: 'SHIRT-S',
    title: 'S',
    optionValues: { size: 'S' },
    price: 100,
    compareAtPrice: null,
    weightGrams: null,
    barcode: null,
    lowStockThreshold: null,
  },
  stock: { locationCode: 'main', onHand: 10 },
  ...overrides,
});

const plan = (rows: ImportRow[], base = snapshot()) => new ImportBatchPlan(base, () => 2).apply(rows);

describe('ImportBatchPlan', () => {
  it('changes nothing for a row equal to the stored product, variant and stock', () => {
    const result = plan([sameAsStored()]);
    expect(result.outcomes).toEqual([{ line: 2, result: 'unchanged' }]);
    expect(result.changesSomething).toBe(false);
    expect(result.stock).toEqual([]);
    const [stored] = result.products;
    expect(stored.changes).toEqual({});
    expect(stored.categoriesChanged).toBe(false);
    expect(stored.variantsChanged).toBe(false);
  });

  it('plans only the columns that differ (search text follows the description)', () => {
    const row = sameAsStored();
    row.product!.description = '<p>Softer</p>';
    row.variant.price = 150;
    row.stock = { locationCode: 'main', onHand: 7 };
    const result = plan([row]);
    expect(result.outcomes).toEqual([{ line: 2, result: 'updated' }]);
    expect(result.products[0].changes).toEqual({
      description: '<p>Softer</p>',
      searchText: 'Softer linen',
    });
    expect(result.products[0].variants[0].changes).toEqual({ price: 150 });
    expect(result.stock).toEqual([expect.objectContaining({ locationId: 'l1', from: 10, to: 7 })]);
  });

  it('creates a product from its first row and variants from the next, with default titles and positions', () => {
    const first: VariantRow = {
      kind: 'variant',
      line: 2,
      slug: 'new',
      product: { slug: 'new', title: 'New', options: [{ name: 'size', values: ['S', 'M'] }] },
      variant: { sku: 'NEW-S', optionValues: { size: 'S' }, price: 5 },
      stock: { locationCode: 'main', onHand: 0 },
    };
    const second: VariantRow = {
      ...first,
      line: 3,
      product: undefined,
      variant: { sku: 'NEW-M', optionValues: { size: 'M' }, price: 7 },
      stock: undefined,
    };
    const result = plan([first, second], snapshot({ products: new Map() }));
    expect(result.outcomes.map((outcome) => outcome.result)).toEqual(['created', 'created']);
    const [created] = result.products;
    expect(created).toEqual(
      expect.objectContaining({ id: null, status: 'draft', description: '', categoryIds: [] }),
    );
    expect(created.variants.map((v) => [v.values.title, v.values.position])).toEqual([
      ['S', 0],
      ['M', 1],
    ]);
    expect(result.stock).toEqual([expect.objectContaining({ from: null, to: 0 })]);
  });

  it.each([
    [
      'an unknown category',
      { product: { ...sameAsStored().product!, categorySlugs: ['nope'] } },
      'there is no category "nope"',
    ],
    [
      'an option value not among the options',
      { variant: { ...sameAsStored().variant, optionValues: { size: 'XL' } } },
      'is not a value of option size',
    ],
    [
      'a compare-at price not above the price',
      { variant: { ...sameAsStored().variant, compareAtPrice: 100 } },
      'compare-at price must be above',
    ],
    [
      'on-hand below what is reserved',
      { stock: { locationCode: 'main', onHand: 3 } },
      'on_hand below reserved',
    ],
    [
      'an unknown location',
      { stock: { locationCode: 'attic', onHand: 3 } },
      'there is no stock location "attic"',
    ],
    [
      'options the stored variants no longer fit',
      { product: { ...sameAsStored().product!, options: [{ name: 'colour', values: ['red'] }] } },
      'must give a value for each option',
    ],
  ])('refuses a row with %s, and applies nothing of it', (_name, overrides, reason) => {
    const row = sameAsStored(overrides);
    row.variant = { ...row.variant, title: 'changed too' };
    const result = plan([row]);
    expect(result.outcomes).toEqual([
      { line: 2, result: 'rejected', sku: 'SHIRT-S', reason: expect.stringContaining(reason) },
    ]);
    expect(result.changesSomething).toBe(false);
    expect(result.products.every((p) => Object.keys(p.changes).length === 0 && !p.variantsChanged)).toBe(
      true,
    );
  });

  it('refuses a second variant with the same option values, and a SKU of another product', () => {
    const result = plan([
      sameAsStored(),
      {
        ...sameAsStored(),
        line: 3,
        product: undefined,
        variant: { sku: 'SHIRT-S2', optionValues: { size: 'S' }, price: 1 },
      },
      { ...sameAsStored(), line: 4, slug: 'other', product: { slug: 'other', title: 'Other' } },
    ]);
    expect(result.outcomes.map((outcome) => outcome.result)).toEqual(['unchanged', 'rejected', 'rejected']);
    expect(result.outcomes[1]).toEqual(
      expect.objectContaining({ reason: expect.stringContaining('have the same option values') }),
    );
    expect(result.outcomes[2]).toEqual(
      expect.objectContaining({ reason: expect.stringContaining('belongs to another product (shirt)') }),
    );
  });

  it('refuses the rows of a product whose first row was refused', () => {
    const first = sameAsStored({ slug: 'new', product: { slug: 'new' } });
    const result = plan(
      [first, { ...first, line: 3, product: undefined }],
      snapshot({ products: new Map() }),
    );
    expect(result.outcomes.map((o) => (o.result === 'rejected' ? o.reason : o.result))).toEqual([
      'product_title is required to create product new',
      'product new is not in the catalog: its first row (line 2) was rejected',
    ]);
  });
});
