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
import { ConsoleLogger, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../database/migrations';
import { nestLogLevels } from './log-levels';

const print = (line: string) => process.stdout.write(`migrate: ${line}\n`);

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  // The lock's and TypeORM's lines (which migrations ran) as JSON at LOG_LEVEL, like the processes'
  // logs, for a log collector reading the Job's pod; no colour codes.
  const levels = nestLogLevels(config.logLevel);
  Logger.overrideLogger(levels === false ? false : new ConsoleLogger({ json: true, logLevels: levels }));
  // Two connections: one holds the lock, the other runs the migrations.
  const dataSource = new DataSource(
    buildDataSourceOptions({ ...config.database, poolSize: 2 }, { migrations: MIGRATIONS }),
  );
  await dataSource.initialize();
  try {
    // Whether anything was pending is asked under the lock, by the run itself: a showMigrations()
    // before it would create the migrations table outside the lock, racing a concurrent run.
    const applied = await runMigrationsLocked(dataSource);
    print(
      applied > 0
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
