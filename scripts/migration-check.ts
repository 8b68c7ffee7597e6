// Exits 1 when the database has pending migrations, or when the entities differ from the schema the
// migrations produce (a forgotten migration:generate).
//   npm run migration:check              checks the configured database (after migration:run)
//   npm run migration:check -- --fresh   builds a scratch database from nothing: runs every migration,
//                                        checks for drift, reverts every migration, then drops it (CI)
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dropDatabase, ensureDatabase } from '../libs/database/src';
import dataSource, { config, createCliDataSource } from '../ormconfig';

const fail = (message: string): number => {
  process.stderr.write(`migration:check: ${message}\n`);
  return 1;
};

async function driftOf(source: DataSource): Promise<string[]> {
  const drift = await source.driver.createSchemaBuilder().log();
  return drift.upQueries.map((query) => query.query);
}

async function checkConfigured(): Promise<number> {
  await dataSource.initialize();
  try {
    if (await dataSource.showMigrations())
      return fail('there are pending migrations (run `npm run migration:run`).');
    const drift = await driftOf(dataSource);
    if (drift.length > 0) {
      return fail(
        `the entities differ from the migrated schema; run \`npm run migration:generate -- <Name>\`:\n  ${drift.join('\n  ')}`,
      );
    }
    process.stdout.write('migration:check: no pending migration, no drift.\n');
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

async function checkFresh(): Promise<number> {
  const target = { ...config.database, name: `sk_migcheck_${randomBytes(4).toString('hex')}` };
  await ensureDatabase(target);
  const scratch = createCliDataSource(target);
  try {
    await scratch.initialize();
    const applied = await scratch.runMigrations({ transaction: 'each' });
    const drift = await driftOf(scratch);
    if (drift.length > 0) {
      return fail(`the entities differ from the schema the migrations build:\n  ${drift.join('\n  ')}`);
    }
    for (let i = 0; i < applied.length; i++) await scratch.undoLastMigration({ transaction: 'each' });
    const [{ tables }] = await scratch.query<Array<{ tables: string }>>(
      "SELECT COUNT(*) AS tables FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name <> 'migrations'",
    );
    if (Number(tables) !== 0) return fail(`reverting every migration left ${tables} table(s) behind.`);
    process.stdout.write(
      `migration:check: ${applied.length} migration(s) apply and revert cleanly; no drift.\n`,
    );
    return 0;
  } finally {
    if (scratch.isInitialized) await scratch.destroy();
    await dropDatabase(target);
  }
}

(process.argv.includes('--fresh') ? checkFresh() : checkConfigured()).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `migration:check failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(2);
  },
);
