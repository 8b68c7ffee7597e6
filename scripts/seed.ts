// Seeds a deterministic demo catalog (categories, products, variants, two stock locations with
// stock and its ledger) into the configured database.
//   npm run seed                          200 products into an empty catalog
//   npm run seed -- --products 10000      size of the catalog
//   npm run seed -- --seed 7              another (equally reproducible) catalog
//   npm run seed -- --reset               delete every catalog and inventory row first
//   npm run seed -- --if-empty            do nothing when the catalog has rows (what `npm start` runs)
// Exit codes: 0 seeded or skipped, 1 the catalog is not empty (or the seed failed), 2 bad arguments,
// 78 bad configuration.
import 'reflect-metadata';
import { loadConfigOrExit, LogLevel } from '@app/config';
import { Logger, LogLevel as NestLogLevel } from '@nestjs/common';
import Redis from 'ioredis';
import { parseArgs } from 'node:util';
import { redisOptions } from '../libs/common/src/redis/redis.module';
import {
  CatalogNotEmptyError,
  DEFAULT_PRODUCTS,
  DEFAULT_SEED,
  describeCounts,
  openSeedDataSource,
  seedCatalog,
  SeedOptions,
} from './seed-catalog';

const USAGE = 'usage: npm run seed -- [--products N] [--seed S] [--reset | --if-empty]';
const MAX_PRODUCTS = 1_000_000;

const print = (line: string) => process.stdout.write(`seed: ${line}\n`);
const fail = (line: string) => process.stderr.write(`seed: ${line}\n`);

class UsageError extends Error {}

/** Nest's console logger (migrations, TypeORM) at the configured LOG_LEVEL. */
function nestLogLevels(level: LogLevel): NestLogLevel[] | false {
  const ordered: Array<[LogLevel, NestLogLevel[]]> = [
    ['fatal', ['fatal']],
    ['error', ['error']],
    ['warn', ['warn']],
    ['info', ['log']],
    ['debug', ['debug']],
    ['trace', ['verbose']],
  ];
  const upTo = ordered.findIndex(([name]) => name === level);
  return upTo < 0 ? false : ordered.slice(0, upTo + 1).flatMap(([, levels]) => levels);
}

function wholeNumber(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) > max)
    throw new UsageError(`--${name} must be a whole number 0-${max}`);
  return Number(raw);
}

function parseOptions(argv: string[]): SeedOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      products: { type: 'string' },
      seed: { type: 'string' },
      reset: { type: 'boolean', default: false },
      'if-empty': { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.reset && values['if-empty']) throw new UsageError('--reset and --if-empty exclude each other');
  return {
    products: wholeNumber('products', values.products, DEFAULT_PRODUCTS, MAX_PRODUCTS),
    seed: wholeNumber('seed', values.seed, DEFAULT_SEED, 0xffffffff),
    reset: values.reset,
    ifEmpty: values['if-empty'],
  };
}

async function main(): Promise<number> {
  let options: SeedOptions;
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
    const result = await seedCatalog(dataSource, redis, { ...options, currency: config.catalog.currency });
    if (!result.seeded) {
      print(`skipped: the catalog already has rows (${describeCounts(result.existing)}).`);
      return 0;
    }
    const { counts, seconds } = result;
    print(
      `${counts.categories} categories, ${counts.products} products, ${counts.variants} variants, ` +
        `${counts.levels} inventory levels (${counts.movements} movements) in ${config.database.name} ` +
        `(seed ${options.seed}) in ${seconds.toFixed(1)} s`,
    );
    return 0;
  } catch (error) {
    if (error instanceof CatalogNotEmptyError) {
      fail(`refused: ${error.message}.`);
      return 1;
    }
    throw error;
  } finally {
    redis.disconnect();
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    fail(`failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
