// Applies the pending migrations and exits: the release step that runs before a new version's
// processes start (the Kubernetes migrations Job, deploy/kubernetes/migrations-job.yaml; docs/operations.md).
//   node dist/src/cli/migrate.js        built, as the Docker image runs it (no ts-node, no ormconfig.ts)
//   npm run migration:run               the TypeORM CLI from source, in a checkout
// The same migrations and advisory lock as a process started with DB_MIGRATIONS_RUN=true, so it never
// races one that starts meanwhile. Uses the app's validated configuration (production too); only MySQL
// is touched. Exit codes: 0 applied or nothing pending; 1 failed; 78 bad configuration.
import '@app/config/runtime';
import 'reflect-metadata';
import { loadConfigOrExit } from '@app/config';
import { buildDataSourceOptions, runMigrationsLocked } from '@app/database';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../database/migrations';

const print = (line: string) => process.stdout.write(`migrate: ${line}\n`);

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  // Two connections: one holds the lock, the other runs the migrations.
  const dataSource = new DataSource(
    buildDataSourceOptions({ ...config.database, poolSize: 2 }, { migrations: MIGRATIONS }),
  );
  await dataSource.initialize();
  try {
    const pendingBefore = await dataSource.showMigrations();
    await runMigrationsLocked(dataSource);
    print(
      pendingBefore
        ? `done: the schema has all ${MIGRATIONS.length} migrations`
        : `nothing pending: the schema has all ${MIGRATIONS.length} migrations`,
    );
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`migrate: failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
