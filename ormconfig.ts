// The DataSource the TypeORM CLI uses (migration:generate|run|revert). Same validated config and
// same options as the app; entities are globbed here because the app registers them per feature.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { DatabaseConfig, loadConfigOrExit } from './libs/config/src';
import { buildDataSourceOptions } from './libs/database/src';
import { MIGRATIONS } from './src/database/migrations';

export const config = loadConfigOrExit();

export function createCliDataSource(database: DatabaseConfig = config.database): DataSource {
  return new DataSource(
    buildDataSourceOptions(database, {
      entities: [
        `${__dirname}/src/modules/**/entities/*.entity.{ts,js}`,
        // Entities of shared libraries (libs/common's idempotency keys).
        `${__dirname}/libs/*/src/**/*.entity.{ts,js}`,
      ],
      migrations: MIGRATIONS,
    }),
  );
}

export default createCliDataSource();
