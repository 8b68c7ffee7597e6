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
import { SEED_MOVEMENT } from './seed/demo-catalog';
import { DEMO_SHOP_SEEDED, SEED_ACTOR } from './seed/demo-shop';
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
      /** `ifEmpty` found only the demo seed's own, unfinished work, and finished the shop. */
      resumed: boolean;
      /** Why the shop was not seeded although asked for (production). */
      shopSkipped: string | null;
    };

/** What the demo seed has left in a database: from the audit log and the catalog's own ledger rows. */
async function demoSeedState(
  dataSource: DataSource,
): Promise<{ shop: 'none' | 'unfinished' | 'complete'; demoCatalog: boolean }> {
  const [row] = await dataSource.query<Array<Record<'complete' | 'started' | 'catalog', string>>>(
    `SELECT EXISTS (SELECT 1 FROM audit_log WHERE actor_type = 'system' AND actor_id = ? AND action = ?) AS complete,
            EXISTS (SELECT 1 FROM audit_log WHERE actor_type = 'system' AND actor_id = ?) AS started,
            EXISTS (SELECT 1 FROM inventory_movements WHERE actor = ? AND reference = ? AND note = ?) AS catalog`,
    [
      SEED_ACTOR,
      DEMO_SHOP_SEEDED,
      SEED_ACTOR,
      SEED_MOVEMENT.actor,
      SEED_MOVEMENT.reference,
      SEED_MOVEMENT.note,
    ],
  );
  const shop = Number(row.complete) ? 'complete' : Number(row.started) ? 'unfinished' : 'none';
  return { shop, demoCatalog: Number(row.catalog) === 1 };
}

/**
 * Seeds the demo into the configured database (created and migrated first when the config allows).
 * Without `ifEmpty`, the catalog part refuses a non-empty catalog (CatalogNotEmptyError)
 * unless `reset`, and the shop part adds only what is missing.
 *
 * With `ifEmpty` (what `npm start` runs) a database with data is left alone — with one exception, so
 * that a stopped first start (Ctrl-C while seeding) or a database seeded before the demo shop existed
 * still ends up a shop that can sell: when everything in it is the demo seed's own work (the demo
 * catalog and no account, zone, tax rate or promotion; or a demo shop whose seed never finished), the
 * missing part of the demo shop is added.
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
    let resume = false;
    if (options.ifEmpty) {
      const rows = await countShopRows(dataSource);
      const taken = Object.entries(rows).filter(([, count]) => count > 0);
      const state = await demoSeedState(dataSource);
      if (state.shop === 'complete') return { seeded: false, reason: 'the demo shop is seeded already' };
      resume =
        shop !== 'without' && (state.shop === 'unfinished' || (taken.length === 0 && state.demoCatalog));
      if (!resume && taken.length > 0)
        return {
          seeded: false,
          reason: `the database has rows (${taken.map(([table, count]) => `${table}: ${count}`).join(', ')})`,
        };
    }
    let catalog: Extract<SeedResult, { seeded: true }> | null = null;
    if (shop !== 'only' && !resume) {
      const result = await seedCatalog(dataSource, redis, { ...options, currency: config.catalog.currency });
      if (!result.seeded)
        return { seeded: false, reason: `the catalog has rows (${describeCounts(result.existing)})` };
      catalog = result;
    }
    if (shop === 'without') return { seeded: true, catalog, shop: null, resumed: false, shopSkipped: null };
    if (config.isProduction)
      return {
        seeded: true,
        catalog,
        shop: null,
        resumed: resume,
        shopSkipped: 'NODE_ENV=production: the demo accounts have public passwords',
      };
    // Loaded only now: the shop part boots the app's modules, which a skipped seed (every `npm start`
    // after the first) does not need.
    const { seedShop } = await import('./seed-shop');
    const seeded = await seedShop(config, `seed:${randomUUID()}`);
    return { seeded: true, catalog, shop: seeded, resumed: resume, shopSkipped: null };
  } finally {
    redis.disconnect();
    await dataSource.destroy();
  }
}
