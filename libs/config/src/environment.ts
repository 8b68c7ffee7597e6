import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DB_TYPES = ['mariadb', 'mysql'] as const;
export type DbType = (typeof DB_TYPES)[number];

const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const normalized = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(normalized)) return true;
  if (['false', '0', 'no', 'off'].includes(normalized)) return false;
  return value;
};
const toInteger = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

/**
 * Every environment variable Storekeep reads, with its dev default. Validated once at start by
 * `loadConfig`; nothing else in the code base reads `process.env`.
 */
export class EnvironmentVariables {
  @IsIn(NODE_ENVS)
  NODE_ENV: NodeEnv = 'development';

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  @IsNotEmpty()
  HOST = '0.0.0.0';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  @Transform(toBoolean)
  @IsBoolean()
  LOG_PRETTY = false;

  /** Comma-separated origins allowed by CORS; empty disables CORS, `*` allows any origin. */
  @IsString()
  CORS_ORIGINS = '';

  @Transform(toInteger)
  @IsInt()
  @Min(1024)
  @Max(100 * 1024 * 1024)
  HTTP_BODY_LIMIT_BYTES = 1024 * 1024;

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  HTTP_SHUTDOWN_TIMEOUT_MS = 10_000;

  /** Trust X-Forwarded-* from a proxy in front (nginx in docker-compose). */
  @Transform(toBoolean)
  @IsBoolean()
  HTTP_TRUST_PROXY = false;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  RATE_LIMIT_TTL_SECONDS = 60;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  RATE_LIMIT_MAX = 300;

  @Transform(toBoolean)
  @IsBoolean()
  DOCS_ENABLED = true;

  /** `mariadb` or `mysql`: TypeORM reads schema metadata differently for each (drift checks need it right). */
  @IsIn(DB_TYPES)
  DB_TYPE: DbType = 'mariadb';

  @IsString()
  @IsNotEmpty()
  DB_HOST = '127.0.0.1';

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(65535)
  DB_PORT = 3306;

  @IsString()
  @IsNotEmpty()
  DB_USER = 'root';

  @IsString()
  DB_PASSWORD = '';

  @Matches(/^[A-Za-z0-9_]{1,64}$/, { message: 'DB_NAME must be 1-64 letters, digits or underscores' })
  DB_NAME = 'storekeep';

  /** At least 2: running migrations holds one connection for the lock and needs another. */
  @Transform(toInteger)
  @IsInt()
  @Min(2)
  @Max(500)
  DB_POOL_SIZE = 10;

  /** Create the database when it does not exist (refused in production). */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  DB_CREATE_IF_MISSING?: boolean;

  /** Run pending migrations when a process starts. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  DB_MIGRATIONS_RUN?: boolean;

  @Transform(toBoolean)
  @IsBoolean()
  DB_LOG_QUERIES = false;

  @IsString()
  @IsNotEmpty()
  REDIS_HOST = '127.0.0.1';

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(65535)
  REDIS_PORT = 6379;

  @IsString()
  REDIS_PASSWORD = '';

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(15)
  REDIS_DB = 0;

  /** Prefix of every Redis key and Bull queue, so several deployments or test runs share one Redis. */
  @Matches(/^[A-Za-z0-9_:.-]{1,64}$/, { message: 'REDIS_PREFIX must be 1-64 of A-Z a-z 0-9 _ : . -' })
  REDIS_PREFIX = 'sk';

  @Transform(toInteger)
  @IsInt()
  @Min(10)
  OUTBOX_POLL_INTERVAL_MS = 250;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(1000)
  OUTBOX_BATCH_SIZE = 100;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  OUTBOX_RETENTION_HOURS = 72;

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  WORKER_SHUTDOWN_TIMEOUT_MS = 25_000;

  /** Single-process dev mode: the API process also runs the worker. */
  @Transform(toBoolean)
  @IsBoolean()
  API_WITH_WORKER = false;
}
