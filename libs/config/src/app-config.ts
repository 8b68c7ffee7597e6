import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { DbType, EnvironmentVariables, LogLevel, NodeEnv } from './environment';

const REQUIRED_IN_PRODUCTION = ['DB_HOST', 'DB_NAME', 'REDIS_HOST'] as const;

export type Environment = Record<string, string | undefined>;

export interface HttpConfig {
  host: string;
  port: number;
  bodyLimitBytes: number;
  corsOrigins: string[] | '*' | false;
  shutdownTimeoutMs: number;
  trustProxy: boolean;
  docsEnabled: boolean;
}
export interface RateLimitConfig {
  ttlSeconds: number;
  max: number;
}
export interface DatabaseConfig {
  type: DbType;
  host: string;
  port: number;
  user: string;
  password: string;
  name: string;
  poolSize: number;
  createIfMissing: boolean;
  migrationsRun: boolean;
  logQueries: boolean;
}
export interface RedisConfig {
  host: string;
  port: number;
  password: string | undefined;
  db: number;
  prefix: string;
}
export interface OutboxConfig {
  pollIntervalMs: number;
  batchSize: number;
  retentionHours: number;
}
export interface WorkerConfig {
  shutdownTimeoutMs: number;
  runInApiProcess: boolean;
}

/** The validated configuration, in typed namespaces; injected as a class so it needs no token. */
export class AppConfig {
  constructor(
    readonly env: NodeEnv,
    readonly logLevel: LogLevel,
    readonly logPretty: boolean,
    readonly http: HttpConfig,
    readonly rateLimit: RateLimitConfig,
    readonly database: DatabaseConfig,
    readonly redis: RedisConfig,
    readonly outbox: OutboxConfig,
    readonly worker: WorkerConfig,
  ) {}

  get isProduction(): boolean {
    return this.env === 'production';
  }
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

function describe(errors: ValidationError[]): string[] {
  return errors.map((error) => {
    const reasons = Object.values(error.constraints ?? {}).join('; ');
    return `${error.property}=${JSON.stringify(error.value)}: ${reasons}`;
  });
}

function parseCorsOrigins(raw: string): HttpConfig['corsOrigins'] {
  const origins = raw
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  if (origins.length === 0) return false;
  return origins.includes('*') ? '*' : origins;
}

/**
 * Validates the environment once and returns the typed configuration. Unset or empty variables
 * take their dev defaults; a malformed one throws a ConfigValidationError naming every bad variable.
 */
export function loadConfig(environment: Environment = process.env): AppConfig {
  const defaults = new EnvironmentVariables();
  const known = Object.keys(defaults).concat(['DB_CREATE_IF_MISSING', 'DB_MIGRATIONS_RUN']);
  const provided: Record<string, string> = {};
  for (const name of known) {
    const value = environment[name];
    if (value !== undefined && value !== '') provided[name] = value;
  }
  const variables = plainToInstance(EnvironmentVariables, provided);
  const errors = validateSync(variables, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) throw new ConfigValidationError(describe(errors));

  const isProduction = variables.NODE_ENV === 'production';
  const problems: string[] = [];
  if (isProduction) {
    // Production never falls back to the local dev services silently.
    for (const name of REQUIRED_IN_PRODUCTION) {
      if (provided[name] === undefined)
        problems.push(`${name} is missing: required when NODE_ENV=production`);
    }
    if (variables.DB_CREATE_IF_MISSING) {
      problems.push(
        'DB_CREATE_IF_MISSING=true: not allowed when NODE_ENV=production (create the database yourself)',
      );
    }
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);

  return new AppConfig(
    variables.NODE_ENV,
    variables.LOG_LEVEL,
    variables.LOG_PRETTY,
    {
      host: variables.HOST,
      port: variables.PORT,
      bodyLimitBytes: variables.HTTP_BODY_LIMIT_BYTES,
      corsOrigins: parseCorsOrigins(variables.CORS_ORIGINS),
      shutdownTimeoutMs: variables.HTTP_SHUTDOWN_TIMEOUT_MS,
      trustProxy: variables.HTTP_TRUST_PROXY,
      docsEnabled: variables.DOCS_ENABLED,
    },
    { ttlSeconds: variables.RATE_LIMIT_TTL_SECONDS, max: variables.RATE_LIMIT_MAX },
    {
      type: variables.DB_TYPE,
      host: variables.DB_HOST,
      port: variables.DB_PORT,
      user: variables.DB_USER,
      password: variables.DB_PASSWORD,
      name: variables.DB_NAME,
      poolSize: variables.DB_POOL_SIZE,
      createIfMissing: variables.DB_CREATE_IF_MISSING ?? !isProduction,
      migrationsRun: variables.DB_MIGRATIONS_RUN ?? !isProduction,
      logQueries: variables.DB_LOG_QUERIES,
    },
    {
      host: variables.REDIS_HOST,
      port: variables.REDIS_PORT,
      password: variables.REDIS_PASSWORD || undefined,
      db: variables.REDIS_DB,
      prefix: variables.REDIS_PREFIX,
    },
    {
      pollIntervalMs: variables.OUTBOX_POLL_INTERVAL_MS,
      batchSize: variables.OUTBOX_BATCH_SIZE,
      retentionHours: variables.OUTBOX_RETENTION_HOURS,
    },
    {
      shutdownTimeoutMs: variables.WORKER_SHUTDOWN_TIMEOUT_MS,
      runInApiProcess: variables.API_WITH_WORKER,
    },
  );
}

/** For entry points: load the configuration or print one message naming each bad variable and exit. */
export function loadConfigOrExit(environment: Environment = process.env): AppConfig {
  try {
    return loadConfig(environment);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

/** A copy of the configuration with some namespaces changed (tests, tools). */
export function withOverrides(
  config: AppConfig,
  overrides: {
    [K in 'http' | 'rateLimit' | 'database' | 'redis' | 'outbox' | 'worker']?: Partial<AppConfig[K]>;
  },
): AppConfig {
  return new AppConfig(
    config.env,
    config.logLevel,
    config.logPretty,
    { ...config.http, ...overrides.http },
    { ...config.rateLimit, ...overrides.rateLimit },
    { ...config.database, ...overrides.database },
    { ...config.redis, ...overrides.redis },
    { ...config.outbox, ...overrides.outbox },
    { ...config.worker, ...overrides.worker },
  );
}
