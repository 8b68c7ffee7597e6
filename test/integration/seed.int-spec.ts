import { TestEnvironment } from '../support/test-environment';
import Redis from 'ioredis';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  CatalogNotEmptyError,
  openSeedDataSource,
  seedCatalog,
  SeedResult,
} from '../../scripts/seed-catalog';
import { CATALOG_GENERATION_KEY } from '../../src/modules/catalog/cache/catalog-cache.keys';
import { buildSearchText, sanitizeDescription } from '../../src/modules/catalog/rich-text';

const PRODUCTS = 300;
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Every seeded table with a total order of its rows. */
const ORDERED_TABLES: Array<[table: string, orderBy: string]> = [
  ['stock_locations', 'id'],
  ['categories', 'id'],
  ['products', 'id'],
  ['product_categories', 'product_id, category_id'],
  ['product_variants', 'id'],
  ['variant_option_values', 'variant_id, name'],
  ['inventory_levels', 'variant_id, location_id'],
  ['inventory_movements', 'id'],
];

/** SHA-256 of each table's rows in order, every column included (ids, timestamps, JSON as stored). */
async function checksums(dataSource: DataSource): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const [table, orderBy] of ORDERED_TABLES) {
    const rows = await dataSource.query<unknown[]>(`SELECT * FROM \`${table}\` ORDER BY ${orderBy}`);
    sums[table] = `${rows.length}:${createHash('sha256').update(JSON.stringify(rows)).digest('hex')}`;
  }
  return sums;
}

/** JSON columns come back as text from MariaDB and as objects from MySQL. */
const json = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

const counted = (result: SeedResult) => {
  if (!result.seeded) throw new Error('expected the seed to run');
  return result.counts;
};

describe('npm run seed: the demo catalog (real MySQL and Redis)', () => {
  const envs: TestEnvironment[] = [];
  const dataSources: DataSource[] = [];
  const redises: Redis[] = [];
  let first: DataSource;
  let second: DataSource;
  let redis: Redis;

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const env = await TestEnvironment.create();
      envs.push(env);
      dataSources.push(await openSeedDataSource(env.config.database));
      redises.push(
        new Redis({
          host: env.config.redis.host,
          port: env.config.redis.port,
          password: env.config.redis.password,
          db: env.config.redis.db,
          keyPrefix: `${env.config.redis.prefix}:`,
        }),
      );
    }
    [first, second] = dataSources;
    [redis] = redises;
  }, 60_000);

  afterAll(async () => {
    for (const dataSource of dataSources) if (dataSource.isInitialized) await dataSource.destroy();
    for (const client of redises) client.disconnect();
    for (const env of envs) await env.cleanup();
  });

  it('writes identical rows, ids and timestamps included, into two fresh databases', async () => {
    const generationBefore = Number((await redis.get(CATALOG_GENERATION_KEY)) ?? 0);
    const [a, b] = await Promise.all([
      seedCatalog(first, redis, { products: PRODUCTS, seed: 42 }),
      seedCatalog(second, redises[1], { products: PRODUCTS, seed: 42 }),
    ]);
    expect(counted(a).products).toBe(PRODUCTS);
    expect(counted(a)).toEqual(counted(b));
    const [sumsA, sumsB] = [await checksums(first), await checksums(second)];
    expect(sumsA).toEqual(sumsB);
    expect(sumsA.products.startsWith(`${PRODUCTS}:`)).toBe(true);

    // The storefront cache generation was raised once, after the commit.
    expect(a.seeded && a.cacheGeneration).toBe(generationBefore + 1);
    expect(Number(await redis.get(CATALOG_GENERATION_KEY))).toBe(generationBefore + 1);
  });

  it('refuses to seed over a catalog, skips it with ifEmpty, and leaves it unchanged', async () => {
    const before = await checksums(first);
    await expect(seedCatalog(first, null, { products: 5 })).rejects.toBeInstanceOf(CatalogNotEmptyError);
    const skipped = await seedCatalog(first, null, { products: 5, ifEmpty: true });
    expect(skipped.seeded).toBe(false);
    expect(!skipped.seeded && skipped.existing.products).toBe(PRODUCTS);
    expect(await checksums(first)).toEqual(before);
  });

  it('reset replaces the catalog: another seed gives other rows, the same seed the same rows again', async () => {
    const original = await checksums(first);
    // Reset also empties what the seed never writes: reservations a running shop made.
    await second.query(
      "INSERT INTO inventory_reservations (id, reference, status) VALUES ('r1', 'order:1', 'active')",
    );
    await second.query(
      `INSERT INTO inventory_reservation_lines (reservation_id, variant_id, location_id, quantity)
       SELECT 'r1', variant_id, location_id, 1 FROM inventory_levels WHERE on_hand > 0 LIMIT 1`,
    );
    await seedCatalog(second, null, { products: PRODUCTS, seed: 7, reset: true });
    const other = await checksums(second);
    expect(other.products).not.toEqual(original.products);
    expect(other.product_variants).not.toEqual(original.product_variants);

    await seedCatalog(second, null, { products: PRODUCTS, seed: 42, reset: true });
    expect(await checksums(second)).toEqual(original);
    const [left] = await second.query<Array<{ reservations: string; lines: string }>>(
      `SELECT (SELECT COUNT(*) FROM inventory_reservations) AS reservations,
              (SELECT COUNT(*) FROM inventory_reservation_lines) AS \`lines\``,
    );
    expect([Number(left.reservations), Number(left.lines)]).toEqual([0, 0]);
  });

  it('gives unique, well-formed ids, slugs and SKUs; ids sort in creation order', async () => {
    const products = await first.query<Array<{ id: string; slug: string; created_at: Date }>>(
      'SELECT id, slug, created_at FROM products ORDER BY id',
    );
    const variants = await first.query<Array<{ id: string; sku: string; barcode: string }>>(
      'SELECT id, sku, barcode FROM product_variants ORDER BY id',
    );
    expect(products).toHaveLength(PRODUCTS);
    expect(new Set(products.map((p) => p.slug)).size).toBe(PRODUCTS);
    expect(new Set(variants.map((v) => v.sku)).size).toBe(variants.length);
    for (const product of products) {
      expect(product.id).toMatch(UUID_V7);
      expect(product.slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(product.slug.length).toBeLessThanOrEqual(120);
    }
    for (const variant of variants) {
      expect(variant.id).toMatch(UUID_V7);
      expect(variant.sku).toMatch(/^SK-\d{6}(-[A-Z0-9]+)*$/);
      expect(variant.barcode).toMatch(/^\d{13}$/);
    }
    const createdOrder = [...products].sort((x, y) => x.created_at.getTime() - y.created_at.getTime());
    expect(createdOrder.map((p) => p.id)).toEqual(products.map((p) => p.id));
  });

  it("keeps every product's min_price and max_price equal to its active variants' prices", async () => {
    const mismatches = await first.query<unknown[]>(
      `SELECT p.id, p.min_price, p.max_price, MIN(v.price) AS lo, MAX(v.price) AS hi
         FROM products p JOIN product_variants v ON v.product_id = p.id AND v.status = 'active'
        GROUP BY p.id, p.min_price, p.max_price
       HAVING NOT (p.min_price <=> MIN(v.price)) OR NOT (p.max_price <=> MAX(v.price))`,
    );
    expect(mismatches).toEqual([]);
    const shape = await first.query<Array<Record<string, string>>>(
      `SELECT COUNT(*) AS products, SUM(min_price IS NULL) AS unpriced,
              (SELECT MIN(price) FROM product_variants) AS lowest, (SELECT MAX(price) FROM product_variants) AS highest,
              (SELECT COUNT(*) FROM product_variants WHERE compare_at_price IS NOT NULL AND compare_at_price <= price) AS bad_compare,
              (SELECT COUNT(*) FROM product_variants WHERE compare_at_price IS NOT NULL) AS on_sale
         FROM products`,
    );
    expect(Number(shape[0].unpriced)).toBe(0);
    expect(Number(shape[0].lowest)).toBeGreaterThanOrEqual(500);
    expect(Number(shape[0].highest)).toBeLessThanOrEqual(25_000);
    expect(Number(shape[0].bad_compare)).toBe(0);
    expect(Number(shape[0].on_sale)).toBeGreaterThan(0);

    const perProduct = await first.query<Array<{ variants: string; links: string }>>(
      `SELECT (SELECT COUNT(*) FROM product_variants v WHERE v.product_id = p.id) AS variants,
              (SELECT COUNT(*) FROM product_categories pc WHERE pc.product_id = p.id) AS links
         FROM products p`,
    );
    for (const { variants, links } of perProduct) {
      expect(Number(variants)).toBeGreaterThanOrEqual(1);
      expect(Number(variants)).toBeLessThanOrEqual(6);
      expect(Number(links)).toBeGreaterThanOrEqual(1);
      expect(Number(links)).toBeLessThanOrEqual(3);
    }
    const statuses = await first.query<Array<{ status: string; n: string }>>(
      'SELECT status, COUNT(*) AS n FROM products GROUP BY status',
    );
    const active = Number(statuses.find((row) => row.status === 'active')?.n ?? 0);
    expect(active / PRODUCTS).toBeGreaterThan(0.9);
  });

  it("keeps every level's on_hand equal to the sum of its movements", async () => {
    const mismatches = await first.query<unknown[]>(
      `SELECT l.variant_id, l.location_id, l.on_hand, l.reserved, SUM(m.on_hand_delta) AS on_hand_sum
         FROM inventory_levels l
         LEFT JOIN inventory_movements m ON m.variant_id = l.variant_id AND m.location_id = l.location_id
        GROUP BY l.variant_id, l.location_id, l.on_hand, l.reserved
       HAVING l.on_hand <> COALESCE(SUM(m.on_hand_delta), 0)
           OR l.reserved <> COALESCE(SUM(m.reserved_delta), 0)`,
    );
    expect(mismatches).toEqual([]);
    const [ledger] = await first.query<Array<Record<string, string>>>(
      `SELECT (SELECT COUNT(*) FROM inventory_levels WHERE on_hand > 0) AS stocked,
              (SELECT COUNT(*) FROM inventory_levels WHERE on_hand = 0) AS empty,
              (SELECT MAX(on_hand) FROM inventory_levels) AS most,
              (SELECT COUNT(*) FROM inventory_movements) AS movements,
              (SELECT COUNT(*) FROM inventory_movements
                WHERE reason = 'received' AND reserved_delta = 0 AND actor = 'system'
                  AND reference = 'seed' AND note = 'demo catalog') AS seed_movements,
              (SELECT COUNT(*) FROM inventory_movements m LEFT JOIN inventory_levels l
                 ON l.variant_id = m.variant_id AND l.location_id = m.location_id WHERE l.variant_id IS NULL) AS orphans,
              (SELECT COUNT(*) FROM product_variants v
                WHERE NOT EXISTS (SELECT 1 FROM inventory_levels l WHERE l.variant_id = v.id)) AS unstocked,
              (SELECT GROUP_CONCAT(code, ':', priority ORDER BY priority) FROM stock_locations) AS locations`,
    );
    expect(Number(ledger.stocked)).toBeGreaterThan(0);
    expect(Number(ledger.empty)).toBeGreaterThan(0);
    expect(Number(ledger.most)).toBeLessThanOrEqual(50);
    expect(Number(ledger.movements)).toBe(Number(ledger.stocked));
    expect(Number(ledger.seed_movements)).toBe(Number(ledger.movements));
    expect(Number(ledger.orphans)).toBe(0);
    expect(Number(ledger.unstocked)).toBe(0);
    expect(ledger.locations).toBe('main:0,outlet:1');
  });

  it("keeps every variant's option_values equal to its option rows and within its product's options", async () => {
    const variants = await first.query<
      Array<{ id: string; title: string; option_values: unknown; options: unknown }>
    >(
      `SELECT v.id, v.title, v.option_values, p.options
         FROM product_variants v JOIN products p ON p.id = v.product_id ORDER BY v.id`,
    );
    const rows = await first.query<Array<{ variant_id: string; name: string; value: string }>>(
      'SELECT variant_id, name, value FROM variant_option_values',
    );
    const rowsByVariant = new Map<string, Record<string, string>>();
    for (const row of rows) {
      rowsByVariant.set(row.variant_id, { ...rowsByVariant.get(row.variant_id), [row.name]: row.value });
    }
    let optionRows = 0;
    for (const variant of variants) {
      const values = json<Record<string, string>>(variant.option_values);
      const options = json<Array<{ name: string; values: string[] }>>(variant.options);
      expect({ id: variant.id, values: rowsByVariant.get(variant.id) ?? {} }).toEqual({
        id: variant.id,
        values,
      });
      expect(Object.keys(values)).toEqual(options.map((option) => option.name));
      for (const option of options) expect(option.values).toContain(values[option.name]);
      expect(variant.title).toBe(options.length ? Object.values(values).join(' / ') : 'Default');
      optionRows += Object.keys(values).length;
    }
    expect(rows).toHaveLength(optionRows);
    expect(optionRows).toBeGreaterThan(variants.length); // most variants have two options
  });

  it('builds a three-level category tree whose paths extend their parents’ paths', async () => {
    const broken = await first.query<unknown[]>(
      `SELECT c.id, c.path FROM categories c LEFT JOIN categories parent ON parent.id = c.parent_id
        WHERE (c.parent_id IS NULL AND c.path <> CONCAT('/', c.id, '/'))
           OR (c.parent_id IS NOT NULL AND (parent.id IS NULL OR c.path <> CONCAT(parent.path, c.id, '/')))`,
    );
    expect(broken).toEqual([]);
    const categories = await first.query<
      Array<{ slug: string; path: string; position: number; version: number }>
    >('SELECT slug, path, position, version FROM categories');
    expect(categories.length).toBeGreaterThanOrEqual(50);
    expect(categories.length).toBeLessThanOrEqual(80);
    const depths = new Set(categories.map((c) => c.path.split('/').filter(Boolean).length));
    expect([...depths].sort()).toEqual([1, 2, 3]);
    expect(new Set(categories.map((c) => c.slug)).size).toBe(categories.length);
    for (const category of categories) expect(category.slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);

    // Products are listed mostly in leaves.
    const [links] = await first.query<Array<{ total: string; in_leaves: string }>>(
      `SELECT COUNT(*) AS total,
              SUM(NOT EXISTS (SELECT 1 FROM categories child WHERE child.parent_id = pc.category_id)) AS in_leaves
         FROM product_categories pc`,
    );
    expect(Number(links.in_leaves) / Number(links.total)).toBeGreaterThan(0.8);
  });

  it('stores descriptions already sanitised, with the search text the app would build', async () => {
    const products = await first.query<
      Array<{ title: string; description: string; search_text: string; attributes: unknown; images: unknown }>
    >('SELECT title, description, search_text, attributes, images FROM products ORDER BY id LIMIT 50');
    for (const product of products) {
      const attributes = json<Record<string, string>>(product.attributes);
      expect(Object.keys(attributes).sort()).toEqual(['care', 'material', 'origin']);
      expect(sanitizeDescription(product.description)).toBe(product.description);
      expect(product.description).toContain(`<strong>${product.title}</strong>`);
      expect(product.description).toContain('<ul>');
      expect(product.search_text).toBe(buildSearchText(product.description, attributes));
      expect(product.search_text).not.toMatch(/<[a-z]/);
      const images = json<Array<{ url: string; alt: string }>>(product.images);
      expect(images.length).toBeGreaterThanOrEqual(1);
      for (const image of images)
        expect(image.url).toMatch(/^https:\/\/images\.example\.com\/[a-z0-9-]+-\d\.jpg$/);
    }
  });
});
