import {
  CSV_COLUMNS,
  formatOptions,
  formatPairs,
  parseOptions,
  parsePairs,
  readHeader,
  readHeaderFields,
  recordStartLine,
} from './csv-format';
import { ImportRowReader, type RejectedRow, type StockRow, type VariantRow } from './import-row';

const FULL: Record<(typeof CSV_COLUMNS)[number], string> = {
  product_slug: 'linen-shirt',
  product_title: 'Linen shirt',
  product_status: 'active',
  description: '<p onclick="x()">Soft <script>alert(1)</script>linen</p>',
  categories: 'shirts|summer',
  attributes: 'material=linen;care=wash\\=30\\;cold',
  options: 'size=S|M;colour=white|blue',
  sku: 'LIN-S-W',
  variant_title: '',
  option_values: 'size=S;colour=white',
  price: '4990',
  compare_at_price: '5990',
  weight_grams: '220',
  barcode: '4006381333931',
  low_stock_threshold: '',
  location: 'main',
  on_hand: '12',
};

/** A reader over a header of `columns`, and a function giving a row's fields from overrides. */
function setup(columns: readonly (typeof CSV_COLUMNS)[number][] = CSV_COLUMNS) {
  const { header, problems } = readHeader([...columns]);
  expect(problems).toEqual([]);
  const reader = new ImportRowReader(header);
  const fields = (overrides: Partial<typeof FULL> = {}) =>
    columns.map((column) => ({ ...FULL, ...overrides })[column]);
  return { reader, fields };
}

const reasonOf = (row: unknown): string => {
  expect(row).toEqual(expect.objectContaining({ kind: 'rejected' }));
  return (row as RejectedRow).reason;
};

describe('readHeader', () => {
  it('accepts every column in any order and maps each to its position', () => {
    const columns = [...CSV_COLUMNS].reverse();
    const { header, problems } = readHeader(columns);
    expect(problems).toEqual([]);
    expect(header.get('sku')).toBe(columns.indexOf('sku'));
    expect(header.size).toBe(CSV_COLUMNS.length);
  });

  it('names unknown, repeated and missing columns, and a location without on_hand', () => {
    const { problems } = readHeader(['sku', 'colour', 'sku', 'location']);
    expect(problems).toEqual([
      expect.stringContaining('unknown column(s) "colour"'),
      'repeated column(s) sku',
      'missing required column(s) product_slug',
      'location and on_hand go together: give both columns or neither',
    ]);
  });

  it('reads only the first line of a file, BOM removed; null for an empty file', async () => {
    await expect(readHeaderFields(Buffer.from('\ufeffsku,product_slug\n1,"unclosed'))).resolves.toEqual([
      'sku',
      'product_slug',
    ]);
    await expect(readHeaderFields(Buffer.from(''))).resolves.toBeNull();
    await expect(readHeaderFields(Buffer.from('"sku,product_slug\n'))).rejects.toThrow();
  });
});

describe('cell formats', () => {
  it('round-trips pairs and options whose values contain the separators', () => {
    const record = { note: 'a=b; c|d \\ e', 'odd=key': '' };
    expect(Object.fromEntries(parsePairs(formatPairs(record), 'attributes'))).toEqual(record);
    const options = [
      { name: 'fit', values: ['slim|tall', 'a;b', 'c=d'] },
      { name: 'size', values: ['S'] },
    ];
    expect(parseOptions(formatOptions(options))).toEqual(options);
    expect(parsePairs('', 'attributes')).toEqual([]);
  });

  it('refuses pairs without a name or a value', () => {
    expect(() => parsePairs('material', 'attributes')).toThrow('attributes must be name=value pairs');
    expect(() => parsePairs('=linen', 'attributes')).toThrow('attributes must be name=value pairs');
    expect(() => parseOptions('size=')).toThrow('options must look like');
  });

  it('gives the line a record starts on, from the line it ends on and its quoted line breaks', () => {
    expect(recordStartLine(7, ['a', 'b'])).toBe(7);
    expect(recordStartLine(7, ['a\nb\nc', 'd\r\ne'])).toBe(4);
  });
});

describe('ImportRowReader', () => {
  it('reads a full row: product (first row of its slug), variant and stock, description sanitised', () => {
    const { reader, fields } = setup();
    const row = reader.read(fields(), 2) as VariantRow;
    expect(row).toEqual({
      kind: 'variant',
      line: 2,
      slug: 'linen-shirt',
      product: {
        slug: 'linen-shirt',
        title: 'Linen shirt',
        status: 'active',
        description: '<p>Soft linen</p>',
        categorySlugs: ['shirts', 'summer'],
        attributes: { material: 'linen', care: 'wash=30;cold' },
        options: [
          { name: 'size', values: ['S', 'M'] },
          { name: 'colour', values: ['white', 'blue'] },
        ],
      },
      variant: {
        sku: 'LIN-S-W',
        title: null,
        optionValues: { size: 'S', colour: 'white' },
        price: 4990,
        compareAtPrice: 5990,
        weightGrams: 220,
        barcode: '4006381333931',
        lowStockThreshold: null,
      },
      stock: { locationCode: 'main', onHand: 12 },
    });
    expect(reader.firstLineOf('linen-shirt')).toBe(2);
  });

  it('takes the product from the first row of a slug only', () => {
    const { reader, fields } = setup();
    reader.read(fields(), 2);
    const second = reader.read(
      fields({ sku: 'LIN-M-W', product_title: 'Ignored', product_status: 'bogus' }),
      3,
    );
    expect(second).toEqual(expect.objectContaining({ kind: 'variant', product: undefined }));
  });

  it('leaves absent columns untouched and blank nullable cells cleared', () => {
    const { reader, fields } = setup(['sku', 'product_slug', 'price', 'barcode']);
    const row = reader.read(fields({ price: '', barcode: '' }), 2) as VariantRow;
    expect(row.product).toEqual({ slug: 'linen-shirt' });
    expect(row.variant).toEqual({ sku: 'LIN-S-W', barcode: null });
    expect(row.stock).toBeUndefined();
  });

  it.each([
    [{ price: '-5' }, 'price must be a whole number from 0 to 1000000000 (got "-5")'],
    [{ price: '12.50' }, 'price must be a whole number'],
    [{ price: '1000000001' }, 'price must be a whole number'],
    [{ compare_at_price: 'x' }, 'compare_at_price must be a whole number'],
    [{ weight_grams: '1e3' }, 'weight_grams must be a whole number'],
    [{ low_stock_threshold: '1000001' }, 'low_stock_threshold must be a whole number'],
    [{ on_hand: 'lots' }, 'on_hand must be a whole number'],
    [{ on_hand: '' }, 'location and on_hand go together'],
    [{ sku: 'bad sku!' }, 'sku must be 1-64 letters'],
    [{ sku: '' }, 'sku must be 1-64 letters'],
    [{ product_slug: 'Linen Shirt' }, 'product_slug must be lower-case'],
    [{ barcode: 'no spaces' }, 'barcode must be 1-64 letters'],
    [{ product_status: 'published' }, 'product_status must be one of draft, active, archived'],
    [{ product_title: 'x'.repeat(201) }, 'product_title must be 1-200 characters'],
    [{ variant_title: 'x'.repeat(201) }, 'variant_title must be 1-200 characters'],
    [{ description: 'x'.repeat(100_001) }, 'description must be 0-100000 characters'],
    [{ categories: 'shirts|shirts' }, 'categories lists a category twice'],
    [{ categories: 'Shirts' }, 'is not a category slug'],
    [{ attributes: 'material' }, 'attributes must be name=value pairs'],
    [{ attributes: 'a=1;a=2' }, 'attributes gives a twice'],
    [{ option_values: 'a=1;b=2;c=3;d=4;e=5;f=6' }, 'option_values may have at most 5 entries'],
    [{ options: 'size=S|S' }, 'options: size lists a value twice'],
    [{ options: 'size=S;size=M' }, 'Each option of a product needs its own name'],
    [{ options: 'a=1;b=1;c=1;d=1;e=1;f=1' }, 'options may define at most 5 options'],
  ])('refuses %j: %s', (overrides, reason) => {
    const { reader, fields } = setup();
    expect(reasonOf(reader.read(fields(overrides), 5))).toContain(reason);
  });

  it('reports the SKU cell of a bad row, and refuses a row with the wrong number of fields', () => {
    const { reader, fields } = setup();
    expect(reader.read(fields({ price: '-1' }), 9)).toEqual({
      kind: 'rejected',
      line: 9,
      sku: 'LIN-S-W',
      reason: expect.any(String),
    });
    expect(reasonOf(reader.read([...fields(), 'extra'], 10))).toBe(
      `the row has ${CSV_COLUMNS.length + 1} fields; the header has ${CSV_COLUMNS.length}`,
    );
  });

  it('accepts a repeated SKU only to add stock at another location, with its other columns unchanged', () => {
    const { reader, fields } = setup();
    reader.read(fields(), 2);
    const stock = reader.read(fields({ location: 'shop', on_hand: '3' }), 3) as StockRow;
    expect(stock).toEqual({
      kind: 'stock',
      line: 3,
      slug: 'linen-shirt',
      sku: 'LIN-S-W',
      variantLine: 2,
      stock: { locationCode: 'shop', onHand: 3 },
    });
    expect(reasonOf(reader.read(fields({ location: 'shop', on_hand: '4' }), 4))).toBe(
      'SKU LIN-S-W is already on line 2; a SKU may repeat only to give its stock at another location, with its other columns unchanged',
    );
    expect(reasonOf(reader.read(fields({ location: 'depot', price: '1' }), 5))).toContain(
      'already on line 2',
    );
    expect(reasonOf(reader.read(fields({ location: '', on_hand: '' }), 6))).toContain('already on line 2');
  });

  it('keeps the first row of a SKU as its row even when that row is bad', () => {
    const { reader, fields } = setup();
    expect(reader.read(fields({ price: 'x' }), 2).kind).toBe('rejected');
    expect(reasonOf(reader.read(fields({ price: '5' }), 3))).toContain('already on line 2');
  });
});
