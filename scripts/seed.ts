// Seeds the demo: a deterministic catalog (categories, products, variants, two stock locations with
// stock and its ledger) and the shop around it (demo admin and customer, shipping zones and methods,
// tax rates, two promotions) into the configured database.
//   npm run seed                          200 products and the demo shop into an empty database
//   npm run seed -- --products 10000      size of the catalog
//   npm run seed -- --seed 7              another (equally reproducible) catalog
//   npm run seed -- --reset               delete every catalog and inventory row first
//   npm run seed -- --if-empty            do nothing when the database has any data (what `npm start` runs)
//   npm run seed -- --shop-only           add what is missing of the demo shop; the catalog is not touched
//   npm run seed -- --no-shop             the catalog alone
//   npm run seed -- --demo-year           also a year of orders ending today (scripts/seed-demo-year.ts):
//                                         on a database with the catalog already, just the year is added;
//                                         once per database (a second run adds nothing)
//   npm run seed -- --demo-year --demo-days 90 --demo-orders-per-day 10   a shorter, thinner history
// The demo shop is never seeded with NODE_ENV=production (its accounts have public passwords), and
// nothing of it is written twice: an entry that exists (by zone name, country, code, email) is kept.
// `--if-empty` leaves a database with any data alone, except data that is only the demo seed's own
// unfinished work (a seed stopped half-way, or the demo catalog from before the demo shop): then it
// adds what is missing of the demo shop (scripts/seed-demo.ts).
// Exit codes: 0 seeded or skipped, 1 the catalog is not empty (or the seed failed), 2 bad arguments,
// 78 bad configuration.
import 'reflect-metadata';
import { type AppConfig, loadConfigOrExit } from '@app/config';
import { Logger } from '@nestjs/common';
import { parseArgs } from 'node:util';
import { nestLogLevels } from '../src/cli/log-levels';
import { CatalogNotEmptyError, DEFAULT_PRODUCTS, DEFAULT_SEED } from './seed-catalog';
import { type DemoSeedOptions, seedDemo } from './seed-demo';
import type { ShopSeedResult } from './seed-shop';
import type { DemoYearOptions, DemoYearResult } from './seed-demo-year';
import { DEFAULT_DEMO_DAYS, DEFAULT_ORDERS_PER_DAY } from './seed/demo-year';

const USAGE =
  'usage: npm run seed -- [--products N] [--seed S] [--reset | --if-empty] [--shop-only | --no-shop]\n' +
  '                      [--demo-year [--demo-days D] [--demo-orders-per-day N]]';
const MAX_PRODUCTS = 1_000_000;

const print = (line: string) => process.stdout.write(`seed: ${line}\n`);
const fail = (line: string) => process.stderr.write(`seed: ${line}\n`);

class UsageError extends Error {}

function wholeNumber(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) > max)
    throw new UsageError(`--${name} must be a whole number 0-${max}`);
  return Number(raw);
}

interface Options extends DemoSeedOptions {
  /** The demo year's options; null without --demo-year. */
  year: DemoYearOptions | null;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      products: { type: 'string' },
      seed: { type: 'string' },
      reset: { type: 'boolean', default: false },
      'if-empty': { type: 'boolean', default: false },
      'shop-only': { type: 'boolean', default: false },
      'no-shop': { type: 'boolean', default: false },
      'demo-year': { type: 'boolean', default: false },
      'demo-days': { type: 'string' },
      'demo-orders-per-day': { type: 'string' },
    },
    strict: true,
  });
  if (values.reset && values['if-empty']) throw new UsageError('--reset and --if-empty exclude each other');
  if (values['shop-only'] && values['no-shop'])
    throw new UsageError('--shop-only and --no-shop exclude each other');
  if (
    values['shop-only'] &&
    (values.reset || values.products !== undefined || (values.seed !== undefined && !values['demo-year']))
  )
    throw new UsageError('--shop-only leaves the catalog alone: --reset, --products and --seed do not apply');
  if (
    !values['demo-year'] &&
    (values['demo-days'] !== undefined || values['demo-orders-per-day'] !== undefined)
  )
    throw new UsageError('--demo-days and --demo-orders-per-day go with --demo-year');
  if (values['demo-year'] && values['no-shop'])
    throw new UsageError('--demo-year sells through the demo shop: not with --no-shop');
  const seed = wholeNumber('seed', values.seed, DEFAULT_SEED, 0xffffffff);
  return {
    year: values['demo-year']
      ? {
          seed,
          days: Math.max(1, wholeNumber('demo-days', values['demo-days'], DEFAULT_DEMO_DAYS, 3_660)),
          ordersPerDay: wholeNumber(
            'demo-orders-per-day',
            values['demo-orders-per-day'],
            DEFAULT_ORDERS_PER_DAY,
            10_000,
          ),
        }
      : null,
    products: wholeNumber('products', values.products, DEFAULT_PRODUCTS, MAX_PRODUCTS),
    seed,
    reset: values.reset,
    ifEmpty: values['if-empty'],
    shop: values['shop-only'] ? 'only' : values['no-shop'] ? 'without' : 'with',
  };
}

function printShop(shop: ShopSeedResult): void {
  const made = [
    shop.zones.length > 0 ? `${shop.zones.length} shipping zones (${shop.methods} methods)` : null,
    shop.taxRates.length > 0 ? `${shop.taxRates.length} tax rates` : null,
    shop.promotions.length > 0 ? `promotions ${shop.promotions.join(', ')}` : null,
    shop.location ? `stock location ${shop.location}` : null,
  ].filter((part) => part !== null);
  print(`demo shop: ${made.length > 0 ? made.join(', ') : 'nothing new'} in ${shop.seconds.toFixed(1)} s`);
  // Entries that exist are the normal case of a second run: counted. One that could not be created
  // (its countries are in a zone of the shop's own) is worth a line each.
  const conflicts = shop.kept.filter((line) => line.includes('not created'));
  const existing = shop.kept.length - conflicts.length;
  if (existing > 0) print(`  ${existing} demo entries exist already and were left as they are`);
  for (const line of conflicts) print(`  ${line}`);
  if (shop.accounts.length === 0) return;
  // Printed once, when they are created: the same fixed, public values as in the README.
  print('demo accounts (public passwords, for development only):');
  const width = Math.max(...shop.accounts.map((account) => account.role.length));
  for (const account of shop.accounts)
    print(`  ${account.role.padEnd(width)}  ${account.email}  password: ${account.password}`);
}

function printYear(year: DemoYearResult): void {
  const reconciled =
    `sales rollups reconciled over ${year.from.toISOString().slice(0, 10)}..${year.to.toISOString().slice(0, 10)}: ` +
    `${year.reconcile.bucketsCorrected} of ${year.reconcile.bucketsChecked} hourly buckets and ` +
    `${year.reconcile.productBucketsCorrected} of ${year.reconcile.productBucketsChecked} product buckets written ` +
    `in ${year.reconcile.seconds.toFixed(1)} s`;
  if (!year.seeded) {
    print(`demo year skipped: ${year.reason}; ${reconciled}`);
    return;
  }
  const counts = year.counts!;
  print(
    `demo year: ${counts.orders} orders (${counts.cancelled} cancelled, ${counts.refunded} refunded), ` +
      `${counts.customers} customer accounts, ${counts.carts} carts in ${year.writeSeconds.toFixed(1)} s; ${reconciled}`,
  );
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const config = loadConfigOrExit();
  Logger.overrideLogger(nestLogLevels(config.logLevel));
  if (options.reset && config.isProduction) {
    fail('--reset deletes the whole catalog and inventory; refused with NODE_ENV=production.');
    return 1;
  }

  try {
    const result = await seedCatalogAndShop(config, options);
    if (!result.seeded) {
      print(`skipped: ${result.reason}.`);
      // --if-empty leaves a database with data alone, the year included.
      if (options.year)
        print('demo year not added either; `npm run seed -- --demo-year` adds it to any database');
      return 0;
    }
    if (result.resumed)
      print('the database holds only what the demo seed wrote, without a complete demo shop: finishing it');
    if (result.catalog) {
      const { counts, seconds } = result.catalog;
      print(
        `${counts.categories} categories, ${counts.products} products, ${counts.variants} variants, ` +
          `${counts.levels} inventory levels (${counts.movements} movements) in ${config.database.name} ` +
          `(seed ${options.seed}) in ${seconds.toFixed(1)} s`,
      );
    }
    if (result.shop) printShop(result.shop);
    if (result.shopSkipped) print(`demo shop skipped: ${result.shopSkipped}.`);
    if (options.year && !config.isProduction) printYear(await seedYear(config, options.year));
    return 0;
  } catch (error) {
    if (error instanceof CatalogNotEmptyError) {
      fail(`refused: ${error.message} (or --shop-only to add just the demo shop).`);
      return 1;
    }
    throw error;
  }
}

/**
 * The catalog and the shop, as asked. With --demo-year a catalog that is there already is kept (the
 * year is added to it), where `npm run seed` alone refuses.
 */
async function seedCatalogAndShop(config: AppConfig, options: Options) {
  try {
    return await seedDemo(config, options);
  } catch (error) {
    if (!(error instanceof CatalogNotEmptyError) || !options.year) throw error;
    print('the catalog has rows: kept as it is; adding what is missing of the demo shop and the year');
    return seedDemo(config, { ...options, shop: 'only' });
  }
}

async function seedYear(config: AppConfig, options: DemoYearOptions): Promise<DemoYearResult> {
  // Loaded only when asked for: it boots the app's analytics and audit modules.
  const { seedDemoYear } = await import('./seed-demo-year');
  return seedDemoYear(config, options);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    fail(`failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
