import { DatabaseConfig } from '@app/config';
import { MillisecondUpdateDates } from './millisecond-update-dates';
import { TypeOrmLogger } from './typeorm-logger';
import type { MysqlDataSourceOptions } from 'typeorm/driver/mysql/MysqlDataSourceOptions';

type MysqlOptions = MysqlDataSourceOptions;

/**
 * The TypeORM options every process and the migration CLI share, so they can never disagree.
 * `synchronize` is off for good: the schema comes from migrations only.
 */
export function buildDataSourceOptions(
  config: DatabaseConfig,
  extra: Pick<MysqlOptions, 'entities' | 'migrations'> = {},
): MysqlOptions {
  return {
    type: config.type,
    host: config.host,
    port: config.port,
    ...(config.socketPath ? { socketPath: config.socketPath } : {}),
    username: config.user,
    password: config.password,
    database: config.name,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    synchronize: false,
    migrationsRun: false,
    subscribers: [MillisecondUpdateDates],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    bigNumberStrings: true,
    supportBigNumbers: true,
    logger: new TypeOrmLogger(config.logQueries),
    maxQueryExecutionTime: 1_000,
    poolSize: config.poolSize,
    extra: {
      connectionLimit: config.poolSize,
      // Fail fast while MySQL is unreachable so readiness turns 503 within seconds.
      connectTimeout: 2_000,
      enableKeepAlive: true,
    },
    ...extra,
  };
}
