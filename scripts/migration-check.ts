// Exits 1 when the configured database has pending migrations, or when the entities differ from
// the schema the migrations produce (a forgotten migration:generate). CI runs it after migration:run.
import 'reflect-metadata';
import dataSource from '../ormconfig';

async function main(): Promise<number> {
  await dataSource.initialize();
  try {
    const pending = await dataSource.showMigrations();
    if (pending) {
      process.stderr.write('migration:check: there are pending migrations (run `npm run migration:run`).\n');
      return 1;
    }
    const drift = await dataSource.driver.createSchemaBuilder().log();
    if (drift.upQueries.length > 0) {
      process.stderr.write(
        'migration:check: the entities differ from the migrated schema; run `npm run migration:generate -- <Name>`.\n' +
          drift.upQueries.map((query) => `  ${query.query}`).join('\n') +
          '\n',
      );
      return 1;
    }
    process.stdout.write('migration:check: schema is up to date with the entities.\n');
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `migration:check failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(2);
  },
);
