import { DatabaseConfig, ReplicaConfig } from '@app/config';
import { MillisecondUpdateDates } from './millisecond-update-dates';
import { mysql2ForTypeOrm } from './mysql2-driver';
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
    driver: mysql2ForTypeOrm(),
    ...primaryCredentials(config),
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
    // mysql2's promise wrapper captured a stack trace before every statement (~6 % of the API's CPU
    // on the checkout path) to show its caller on a failed one. A failed statement still names its
    // caller: TypeORM throws a QueryFailedError from its own awaited call, whose stack has the async
    // frames of the repository and service that ran it; the driver error (errno, code, message)
    // that the problem mapping reads is unchanged. TypeORM passes this to every pool, replicas' too.
    trace: false,
    extra: {
      connectionLimit: config.poolSize,
      // Fail fast while MySQL is unreachable so readiness turns 503 within seconds.
      connectTimeout: 2_000,
      enableKeepAlive: true,
    },
    ...(config.replica ? { replication: replication(config, config.replica) } : {}),
    ...extra,
  };
}

function primaryCredentials(config: DatabaseConfig) {
  return {
    host: config.host,
    port: config.port,
    ...(config.socketPath ? { socketPath: config.socketPath } : {}),
    username: config.user,
    password: config.password,
    database: config.name,
  };
}

/**
 * With replicas, mysql2 keeps a pool per server (a PoolCluster). `defaultMode: 'master'`: TypeORM's
 * own default would send every find() and query builder read outside a transaction to a replica,
 * auth and cart reads included, which could then miss what the same client wrote a moment before.
 * Here a read reaches a replica only when its code asks for one (ReplicaReads), so read-your-writes
 * holds everywhere else without tracking who wrote what.
 */
function replication(
  config: DatabaseConfig,
  replica: ReplicaConfig,
): NonNullable<MysqlOptions['replication']> {
  return {
    master: primaryCredentials(config),
    slaves: replica.hosts.map(({ host, port }) => ({
      host,
      port,
      username: replica.user,
      password: replica.password,
      database: config.name,
    })),
    defaultMode: 'master',
    selector: 'RR',
    // mysql2 takes a node whose connections failed removeNodeErrorCount times offline — the primary
    // too: with its default (5, and removed for good) a restart of the primary would leave the API
    // without a database until it restarts. So no node is ever taken offline here; ReplicaReads
    // skips a replica that does not answer for a second itself.
    removeNodeErrorCount: Number.MAX_SAFE_INTEGER,
  };
}
