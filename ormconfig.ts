// The DataSource the TypeORM CLI uses (migration:generate|run|revert). Same validated config and
// same options as the app; entities are globbed here because the app registers them per feature.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfigOrExit } from './libs/config/src';
import { buildDataSourceOptions } from './libs/database/src';
import { MIGRATIONS } from './src/database/migrations';

const config = loadConfigOrExit();

export default new DataSource(
  buildDataSourceOptions(config.database, {
    entities: [`${__dirname}/src/modules/**/entities/*.entity.{ts,js}`],
    migrations: MIGRATIONS,
  }),
);
