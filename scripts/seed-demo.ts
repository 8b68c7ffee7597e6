// The whole demo: the catalog (scripts/seed-catalog.ts) and then the shop around it
// (scripts/seed-shop.ts: accounts, shipping, taxes, promotions). `npm run seed` (scripts/seed.ts) is
// the command line around it; the tests call it in-process.
import { AppConfig } from '@app/config';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { redisOptions } from '../libs/common/src/redis/redis.module';
import {
  describeCounts,
  openSeedDataSource,
  seedCatalog,
  type SeedOptions,
  type SeedResult,
} from './seed-catalog';
import type { DataSource } from 'typeorm';
import type { ShopSeedResult } from './seed-shop';

/** Tables whose rows mean "somebody already set this shop up" (`--if-empty` leaves it alone then). */
export const SHOP_TABLES = ['users', 'shipping_zones', 'tax_rates', 'promotions'] as const;
export type ShopTable = (typeof SHOP_TABLES)[number];

export async function countShopRows(dataSource: DataSource): Promise<Record<ShopTable, number>> {
  const selects = SHOP_TABLES.map((table) => `(SELECT COUNT(*) FROM \`${table}\`) AS \`${table}\``);
  const [row] = await dataSource.query<Array<Record<ShopTable, string>>>(`SELECT ${selects.join(', ')}`);
  return Object.fromEntries(SHOP_TABLES.map((table) => [table, Number(row[table])])) as Record<
    ShopTable,
    number
  >;
}

/** `with`: catalog then shop (default); `only`: the shop alone, catalog untouched; `without`: catalog alone. */
export type ShopMode = 'with' | 'only' | 'without';

export interface DemoSeedOptions extends Omit<SeedOptions, 'currency'> {
  shop?: ShopMode;
}

export type DemoSeedResult =
  | { seeded: false; reason: string }
  | {
      seeded: true;
      catalog: Extract<SeedResult, { seeded: true }> | null;
      shop: ShopSeedResult | null;
      /** Why the shop was not seeded although asked for (production). */
      shopSkipped: string | null;
    };

/**
 * Seeds the demo into the configured database (created and migrated first when the config allows).
 * With `ifEmpty`, a database that has any catalog, inventory, account, shipping, tax or promotion
 * row is left alone. Otherwise the catalog part refuses a non-empty catalog (CatalogNotEmptyError)
 * unless `reset`, and the shop part adds only what is missing.
 */
export async function seedDemo(config: AppConfig, options: DemoSeedOptions = {}): Promise<DemoSeedResult> {
  const shop = options.shop ?? 'with';
  const dataSource = await openSeedDataSource(config.database);
  const redis = new Redis(
    redisOptions(config.redis, {
      keyPrefix: `${config.redis.prefix}:`,
      lazyConnect: true,
      connectTimeout: 2_000,
      maxRetriesPerRequest: 1,
    }),
  );
  try {
    if (options.ifEmpty) {
      const rows = await countShopRows(dataSource);
      const taken = Object.entries(rows).filter(([, count]) => count > 0);
      if (taken.length > 0)
        return {
          seeded: false,
          reason: `the database has rows (${taken.map(([table, count]) => `${table}: ${count}`).join(', ')})`,
        };
    }
    let catalog: Extract<SeedResult, { seeded: true }> | null = null;
    if (shop !== 'only') {
      const result = await seedCatalog(dataSource, redis, { ...options, currency: config.catalog.currency });
      if (!result.seeded)
        return { seeded: false, reason: `the catalog has rows (${describeCounts(result.existing)})` };
      catalog = result;
    }
    if (shop === 'without') return { seeded: true, catalog, shop: null, shopSkipped: null };
    if (config.isProduction)
      return {
        seeded: true,
        catalog,
        shop: null,
        shopSkipped: 'NODE_ENV=production: the demo accounts have public passwords',
      };
    // Loaded only now: the shop part boots the app's modules, which a skipped seed (every `npm start`
    // after the first) does not need.
    const { seedShop } = await import('./seed-shop');
    return { seeded: true, catalog, shop: await seedShop(config, `seed:${randomUUID()}`), shopSkipped: null };
  } finally {
    redis.disconnect();
    await dataSource.destroy();
  }
}
