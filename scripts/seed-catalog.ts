// Writes the demo catalog (scripts/seed/demo-catalog.ts) into a migrated database, in one
// transaction of multi-row INSERTs, then raises the storefront cache generation. `npm run seed`
// (scripts/seed.ts) is the command line around it; the integration test calls it in-process.
import { DatabaseConfig } from '@app/config';
import { buildDataSourceOptions, ensureDatabase, runMigrationsLocked } from '@app/database';
import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { DataSource, QueryRunner } from 'typeorm';
import { MIGRATIONS } from '../src/database/migrations';
import { CATALOG_GENERATION_KEY } from '../src/modules/catalog/cache/catalog-cache.keys';
import { StorefrontMapping } from '../src/modules/catalog/storefront/storefront-mapping';
import { refreshStorefront } from '../src/modules/catalog/storefront/storefront-projection.service';
import { StorefrontRepository } from '../src/modules/catalog/storefront/storefront.repository';
import { insertRows } from './seed/bulk-insert';
import { DemoCatalog, demoCatalogParts, SEED_MOVEMENT } from './seed/demo-catalog';

/** Every table the seed writes or `reset` empties, children first. */
export const CATALOG_TABLES = [
  'product_search_terms',
  'storefront_products',
  'inventory_reservation_lines',
  'inventory_reservations',
  'inventory_movements',
  'inventory_levels',
  'stock_locations',
  'variant_option_values',
  'product_variants',
  'product_categories',
  'products',
  'categories',
] as const;
export type CatalogTable = (typeof CATALOG_TABLES)[number];
export type TableCounts = Record<CatalogTable, number>;

export interface SeedOptions {
  /** Number of products (default 200). */
  products?: number;
  /** PRNG seed (default 42): the same seed and product count give identical rows. */
  seed?: number;
  /** Delete every catalog and inventory row first. */
  reset?: boolean;
  /** Currency of the storefront read model's prices (the app's CATALOG_CURRENCY; default EUR). */
  currency?: string;
  /** Do nothing when the catalog already has rows (instead of refusing). */
  ifEmpty?: boolean;
}

export interface SeedCounts {
  locations: number;
  categories: number;
  products: number;
  variants: number;
  optionValues: number;
  levels: number;
  movements: number;
}

export type SeedResult =
  | { seeded: true; counts: SeedCounts; seconds: number; cacheGeneration: number | null }
  | { seeded: false; existing: TableCounts };

export class CatalogNotEmptyError extends Error {
  constructor(readonly existing: TableCounts) {
    super(
      `the catalog is not empty (${describeCounts(existing)}); ` +
        'pass --reset to replace it, or --if-empty to leave it alone',
    );
    this.name = 'CatalogNotEmptyError';
  }
}

export const DEFAULT_PRODUCTS = 200;
export const DEFAULT_SEED = 42;

/** Two seeds started at once (two `npm start`s) must not both find the catalog empty. */
const SEED_LOCK_WAIT_SECONDS = 60;

export function describeCounts(counts: Partial<TableCounts>): string {
  return [...CATALOG_TABLES]
    .reverse()
    .filter((table) => (counts[table] ?? 0) > 0)
    .map((table) => `${table}: ${counts[table]}`)
    .join(', ');
}

/**
 * A DataSource for the configured database, prepared the way the app prepares it on start: the
 * database is created when missing (if the config allows it, i.e. not in production) and pending
 * migrations run under the migration lock (if the config says so); otherwise pending migrations are
 * an error, because the catalog tables may not exist yet.
 */
export async function openSeedDataSource(
  database: DatabaseConfig,
  logger = new Logger('Seed'),
): Promise<DataSource> {
  if (database.createIfMissing) await ensureDatabase(database);
  const dataSource = await new DataSource(
    buildDataSourceOptions(database, { migrations: MIGRATIONS }),
  ).initialize();
  try {
    if (database.migrationsRun) await runMigrationsLocked(dataSource, logger);
    else if (await dataSource.showMigrations())
      throw new Error('the database has pending migrations: run `npm run migration:run` first');
    return dataSource;
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}

async function countRows(runner: QueryRunner): Promise<TableCounts> {
  const selects = CATALOG_TABLES.map((table) => `(SELECT COUNT(*) FROM \`${table}\`) AS \`${table}\``);
  const [row] = (await runner.query(`SELECT ${selects.join(', ')}`)) as Array<Record<CatalogTable, string>>;
  return Object.fromEntries(CATALOG_TABLES.map((table) => [table, Number(row[table])])) as TableCounts;
}

async function writeCatalog(runner: QueryRunner, catalog: DemoCatalog): Promise<void> {
  await insertRows(
    runner,
    'stock_locations',
    ['id', 'code', 'name', 'priority', 'active', 'version', 'created_at', 'updated_at'],
    catalog.locations,
    (l) => [l.id, l.code, l.name, l.priority, 1, 1, l.createdAt, l.createdAt],
  );
  await insertRows(
    runner,
    'categories',
    ['id', 'parent_id', 'slug', 'name', 'position', 'path', 'version', 'created_at', 'updated_at'],
    catalog.categories,
    (c) => [c.id, c.parentId, c.slug, c.name, c.position, c.path, 1, c.createdAt, c.createdAt],
  );
  await insertRows(
    runner,
    'products',
    [
      'id',
      'slug',
      'title',
      'description',
      'search_text',
      'status',
      'attributes',
      'options',
      'images',
      'min_price',
      'max_price',
      'version',
      'created_at',
      'updated_at',
    ],
    catalog.products,
    (p) => [
      p.id,
      p.slug,
      p.title,
      p.description,
      p.searchText,
      p.status,
      JSON.stringify(p.attributes),
      JSON.stringify(p.options),
      JSON.stringify(p.images),
      p.minPrice,
      p.maxPrice,
      1,
      p.createdAt,
      p.createdAt,
    ],
  );
  await insertRows(
    runner,
    'product_categories',
    ['product_id', 'category_id'],
    catalog.productCategories,
    (pc) => [pc.productId, pc.categoryId],
  );
  await insertRows(
    runner,
    'product_variants',
    [
      'id',
      'product_id',
      'sku',
      'title',
      'option_values',
      'price',
      'compare_at_price',
      'weight_grams',
      'barcode',
      'position',
      'status',
      'low_stock_threshold',
      'version',
      'created_at',
      'updated_at',
    ],
    catalog.variants,
    (v) => [
      v.id,
      v.productId,
      v.sku,
      v.title,
      JSON.stringify(v.optionValues),
      v.price,
      v.compareAtPrice,
      v.weightGrams,
      v.barcode,
      v.position,
      'active',
      v.lowStockThreshold,
      1,
      v.createdAt,
      v.createdAt,
    ],
  );
  await insertRows(
    runner,
    'variant_option_values',
    ['variant_id', 'name', 'value'],
    catalog.optionValues,
    (o) => [o.variantId, o.name, o.value],
  );
  await insertRows(
    runner,
    'inventory_levels',
    ['variant_id', 'location_id', 'on_hand', 'reserved', 'updated_at'],
    catalog.levels,
    (l) => [l.variantId, l.locationId, l.onHand, 0, l.updatedAt],
  );
  // Explicit ids (1, 2, ...): the table is empty here, and the ledger is then identical on every run.
  await insertRows(
    runner,
    'inventory_movements',
    [
      'id',
      'variant_id',
      'location_id',
      'reason',
      'on_hand_delta',
      'reserved_delta',
      'reference',
      'note',
      'actor',
      'created_at',
    ],
    catalog.movements,
    (m) => [
      m.id,
      m.variantId,
      m.locationId,
      SEED_MOVEMENT.reason,
      m.onHandDelta,
      0,
      SEED_MOVEMENT.reference,
      SEED_MOVEMENT.note,
      SEED_MOVEMENT.actor,
      m.createdAt,
    ],
  );
}

/**
 * Seeds the demo catalog into a migrated database. Refuses (CatalogNotEmptyError) when any catalog
 * or inventory table has rows, unless `reset` (empty them first, in the same transaction) or
 * `ifEmpty` (do nothing). After the commit, raises the storefront cache generation in `redis`
 * (a client with the deployment's key prefix, as the app's), so running replicas drop cached reads.
 */
export async function seedCatalog(
  dataSource: DataSource,
  redis: Redis | null,
  options: SeedOptions = {},
): Promise<SeedResult> {
  const started = process.hrtime.bigint();
  const productCount = options.products ?? DEFAULT_PRODUCTS;
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(productCount) || productCount < 0)
    throw new Error('products must be a whole number ≥ 0');
  if (!Number.isInteger(seed)) throw new Error('seed must be a whole number');
  if (options.reset && options.ifEmpty) throw new Error('reset and ifEmpty exclude each other');

  const lockName = `sk:seed:${String(dataSource.options.database)}`.slice(0, 64);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const counts: SeedCounts = {
    locations: 0,
    categories: 0,
    products: 0,
    variants: 0,
    optionValues: 0,
    levels: 0,
    movements: 0,
  };
  try {
    const [{ acquired }] = (await runner.query('SELECT GET_LOCK(?, ?) AS acquired', [
      lockName,
      SEED_LOCK_WAIT_SECONDS,
    ])) as Array<{ acquired: number | string | null }>;
    if (Number(acquired) !== 1) throw new Error(`another seed held the lock for ${SEED_LOCK_WAIT_SECONDS}s`);
    try {
      const existing = await countRows(runner);
      const empty = Object.values(existing).every((count) => count === 0);
      if (!empty && options.ifEmpty) return { seeded: false, existing };
      if (!empty && !options.reset) throw new CatalogNotEmptyError(existing);

      await runner.startTransaction();
      try {
        // DELETE, not TRUNCATE: it is part of the transaction, so a failed reseed keeps the old catalog.
        if (!empty) for (const table of CATALOG_TABLES) await runner.query(`DELETE FROM \`${table}\``);
        const storefront = new StorefrontRepository();
        const mapping = new StorefrontMapping(options.currency ?? 'EUR');
        for (const part of demoCatalogParts(productCount, seed)) {
          await writeCatalog(runner, part);
          // The storefront read model, built by the app's own code, in the same transaction.
          await refreshStorefront(
            runner.manager,
            storefront,
            mapping,
            part.products.map((product) => product.id),
          );
          for (const key of Object.keys(counts) as Array<keyof SeedCounts>) counts[key] += part[key].length;
        }
        await runner.commitTransaction();
      } catch (error) {
        await runner.rollbackTransaction();
        throw error;
      }
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [lockName]);
    }
  } finally {
    await runner.release();
  }

  let cacheGeneration: number | null = null;
  if (redis) {
    try {
      cacheGeneration = await redis.incr(CATALOG_GENERATION_KEY);
    } catch (error) {
      throw new Error(
        `the catalog was seeded, but raising the cache generation in Redis failed (${(error as Error).message}): ` +
          'running API replicas may serve cached reads until they expire',
        { cause: error },
      );
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seeded: true, counts, seconds, cacheGeneration };
}
