import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { resolve } from 'node:path';
import {
  DbType,
  DEV_ENCRYPTION_KEYS,
  DEV_JWT_SECRET,
  EnvironmentVariables,
  LogLevel,
  NodeEnv,
} from './environment';

const REQUIRED_IN_PRODUCTION = [
  'DB_HOST',
  'DB_NAME',
  'REDIS_HOST',
  // Its default, 127.0.0.1:1025, is the dev mail catcher: production mail would go nowhere.
  'SMTP_HOST',
  'AUTH_JWT_SECRET',
  'ENCRYPTION_KEYS',
] as const;

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** Retries of a failed webhook delivery: 10 attempts over about 2.6 days (README "Webhooks"). */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS: number[] = [
  5_000,
  5 * MINUTE_MS,
  30 * MINUTE_MS,
  2 * HOUR_MS,
  5 * HOUR_MS,
  10 * HOUR_MS,
  10 * HOUR_MS,
  14 * HOUR_MS,
  20 * HOUR_MS,
];

export type Environment = Record<string, string | undefined>;

export interface HttpConfig {
  host: string;
  port: number;
  bodyLimitBytes: number;
  corsOrigins: string[] | '*' | false;
  shutdownTimeoutMs: number;
  /** On SIGTERM: serve this long with `Connection: close` and readiness 503 before closing. */
  drainDelayMs: number;
  trustProxy: boolean;
  docsEnabled: boolean;
  /** The staff dashboard's built files (absolute path): its page and hashed assets. */
  dashboardDir: string;
  /** What /metrics asks of a scraper: a bearer token, nothing (dev and test), or it is not served. */
  metrics: { access: 'token'; token: string } | { access: 'open' } | { access: 'off' };
}
export interface RateLimitConfig {
  ttlSeconds: number;
  max: number;
}
export interface DatabaseConfig {
  type: DbType;
  host: string;
  port: number;
  /** Unix socket of a local server; wins over host/port when set. */
  socketPath: string | undefined;
  user: string;
  password: string;
  name: string;
  poolSize: number;
  createIfMissing: boolean;
  migrationsRun: boolean;
  logQueries: boolean;
  /** Read replicas of this server; undefined: none (every statement goes to the primary). */
  replica: ReplicaConfig | undefined;
}
export interface ReplicaConfig {
  hosts: Array<{ host: string; port: number }>;
  user: string;
  password: string;
  /** How long a read that must be current waits for the replica before it reads the primary. */
  catchUpWaitMs: number;
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
export interface AuthConfig {
  jwtSecret: string;
  jwtIssuer: string;
  jwtAudience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  mfaChallengeTtlSeconds: number;
  /** argon2id parameters for new hashes; older hashes are upgraded at the next login. */
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  /** Failures per (account, client IP) and window. */
  loginMaxFailures: number;
  /** Failures per client IP (across accounts) and window. */
  ipMaxFailures: number;
  /** Failures per account (across IPs) and window before each IP is held to two attempts. */
  accountMaxFailures: number;
  loginWindowSeconds: number;
  /** Per-IP requests per minute on the credential routes. */
  credentialRouteLimitPerMinute: number;
  /** Base URL of the storefront, for links in emails. */
  publicAppUrl: string;
}
export interface EncryptionConfig {
  /** Id of the key new envelopes are sealed with. */
  activeKeyId: string;
  /** Every key that may open an envelope, by id. */
  keys: ReadonlyMap<string, Buffer>;
}
export interface MailConfig {
  host: string;
  port: number;
  secure: boolean;
  user: string | undefined;
  password: string | undefined;
  from: string;
  /** The shop's name and postal address (lines split on `\n`), printed in every mail. */
  shopName: string;
  shopAddress: string;
}
export interface CatalogConfig {
  currency: string;
  cacheEnabled: boolean;
  cacheTtlSeconds: number;
  localCacheBytes: number;
  httpMaxAgeSeconds: number;
  importMaxBytes: number;
  staffAlertEmail: string;
}
export interface IdempotencyConfig {
  /** How long a key's response is kept and replayed. */
  ttlHours: number;
  /** How long an in-flight claim holds its key before another request may take it over. */
  lockSeconds: number;
}
export interface CheckoutConfig {
  priceMode: 'tax_exclusive' | 'tax_inclusive';
  reservationTtlSeconds: number;
  maxCartLines: number;
  orderNumberPrefix: string;
}
export interface PaymentsConfig {
  provider: 'sandbox' | 'stripe';
  captureMethod: 'automatic' | 'manual';
  reconcileAfterSeconds: number;
  reconcileEverySeconds: number;
  sandboxWebhookSecret: string;
  sandboxWebhookUrl: string;
  sandboxSettleDelayMs: number;
  stripeSecretKey: string;
  stripeWebhookSecret: string;
  stripeApiBaseUrl: string;
  /** Days an unpaid bank-transfer order is held before it is cancelled. */
  bankTransferHoldDays: number;
  /** Hours before that deadline the customer is reminded (0: never). */
  bankTransferReminderHours: number;
  /** Bank details printed in the reminder; empty when the shop has set none. */
  bankTransferInstructions: string;
}
export interface WebhooksConfig {
  allowHttp: boolean;
  /** Host names and IP addresses (lower case) the SSRF guard lets through. */
  allowedHosts: string[];
  secretGraceMs: number;
  /** Delay before each retry; attempts in all = length + 1. */
  retryScheduleMs: number[];
  timeoutMs: number;
  /** How much of a receiver's answer is read and logged. */
  responseBodyLimitBytes: number;
  disableAfterFailingMs: number;
}
export interface RealtimeConfig {
  heartbeatSeconds: number;
  maxStreamsPerUser: number;
  historyHours: number;
  ticketTtlSeconds: number;
}
export interface AnalyticsConfig {
  /** The store's IANA time zone: where its days, weeks and months begin (reports sum UTC hours). */
  storeTimeZone: string;
  /** Days of hourly rollups the nightly reconciliation recomputes from the orders. */
  reconcileDays: number;
}
export interface WorkerConfig {
  shutdownTimeoutMs: number;
  runInApiProcess: boolean;
  /** Bull's lockDuration, stalledInterval and maxStalledCount: how jobs of a dead worker are rerun. */
  jobLockMs: number;
  stalledCheckIntervalMs: number;
  maxStalledCount: number;
}

/** The validated configuration, in typed namespaces; injected as a class so it needs no token. */
export interface AppConfigValues {
  env: NodeEnv;
  logLevel: LogLevel;
  logPretty: boolean;
  http: HttpConfig;
  rateLimit: RateLimitConfig;
  database: DatabaseConfig;
  redis: RedisConfig;
  outbox: OutboxConfig;
  worker: WorkerConfig;
  idempotency: IdempotencyConfig;
  auth: AuthConfig;
  encryption: EncryptionConfig;
  mail: MailConfig;
  catalog: CatalogConfig;
  checkout: CheckoutConfig;
  payments: PaymentsConfig;
  webhooks: WebhooksConfig;
  realtime: RealtimeConfig;
  analytics: AnalyticsConfig;
}
/** The namespaces a test or tool may change with `withOverrides`. */
export type ConfigNamespace = Exclude<keyof AppConfigValues, 'env' | 'logLevel' | 'logPretty'>;

/** The validated configuration, in typed namespaces; injected as a class so it needs no token. */
export class AppConfig implements AppConfigValues {
  readonly env: NodeEnv;
  readonly logLevel: LogLevel;
  readonly logPretty: boolean;
  readonly http: HttpConfig;
  readonly rateLimit: RateLimitConfig;
  readonly database: DatabaseConfig;
  readonly redis: RedisConfig;
  readonly outbox: OutboxConfig;
  readonly worker: WorkerConfig;
  readonly idempotency: IdempotencyConfig;
  readonly auth: AuthConfig;
  readonly encryption: EncryptionConfig;
  readonly mail: MailConfig;
  readonly catalog: CatalogConfig;
  readonly checkout: CheckoutConfig;
  readonly payments: PaymentsConfig;
  readonly webhooks: WebhooksConfig;
  readonly realtime: RealtimeConfig;
  readonly analytics: AnalyticsConfig;

  constructor(values: AppConfigValues) {
    this.env = values.env;
    this.logLevel = values.logLevel;
    this.logPretty = values.logPretty;
    this.http = values.http;
    this.rateLimit = values.rateLimit;
    this.database = values.database;
    this.redis = values.redis;
    this.outbox = values.outbox;
    this.worker = values.worker;
    this.idempotency = values.idempotency;
    this.auth = values.auth;
    this.encryption = values.encryption;
    this.mail = values.mail;
    this.catalog = values.catalog;
    this.checkout = values.checkout;
    this.payments = values.payments;
    this.webhooks = values.webhooks;
    this.realtime = values.realtime;
    this.analytics = values.analytics;
  }

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

function parseEncryptionKeys(raw: string): EncryptionConfig {
  const keys = new Map<string, Buffer>();
  for (const pair of raw.split(',')) {
    const [id, key] = pair.split(':');
    keys.set(id, Buffer.from(key, 'base64'));
  }
  return { activeKeyId: raw.split(':')[0], keys };
}

function parseCorsOrigins(raw: string): HttpConfig['corsOrigins'] {
  const origins = raw
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  if (origins.length === 0) return false;
  return origins.includes('*') ? '*' : origins;
}

function parseReplica(variables: EnvironmentVariables, problems: string[]): ReplicaConfig | undefined {
  if (!variables.DB_REPLICA_HOSTS) return undefined;
  const hosts = variables.DB_REPLICA_HOSTS.split(',').map((entry) => {
    const [, host, port] = /^\s*\[?([^\]]*?)\]?(?::(\d+))?\s*$/.exec(entry)!;
    return { host, port: port === undefined ? variables.DB_PORT : Number(port) };
  });
  for (const { port } of hosts)
    if (port < 1 || port > 65535) problems.push(`DB_REPLICA_HOSTS: port ${port} is not between 1 and 65535`);
  return {
    hosts,
    user: variables.DB_REPLICA_USER ?? variables.DB_USER,
    password: variables.DB_REPLICA_PASSWORD ?? variables.DB_PASSWORD,
    catchUpWaitMs: variables.DB_REPLICA_WAIT_MS,
  };
}

/**
 * Validates the environment once and returns the typed configuration. Unset or empty variables
 * take their dev defaults; a malformed one throws a ConfigValidationError naming every bad variable.
 */
export function loadConfig(environment: Environment = process.env): AppConfig {
  const defaults = new EnvironmentVariables();
  const known = Object.keys(defaults).concat([
    'DB_CREATE_IF_MISSING',
    'DB_MIGRATIONS_RUN',
    'DB_REPLICA_HOSTS',
    'DB_REPLICA_USER',
    'DB_REPLICA_PASSWORD',
    'DOCS_ENABLED',
    'METRICS_TOKEN',
  ]);
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
    if (variables.AUTH_JWT_SECRET === DEV_JWT_SECRET)
      problems.push('AUTH_JWT_SECRET is the public dev secret: set a secret of your own in production');
    if (variables.ENCRYPTION_KEYS === DEV_ENCRYPTION_KEYS)
      problems.push('ENCRYPTION_KEYS is the public dev key: set keys of your own in production');
    if (variables.WEBHOOKS_ALLOW_HTTP)
      problems.push(
        'WEBHOOKS_ALLOW_HTTP=true: not allowed when NODE_ENV=production (webhooks go over https)',
      );
    if (variables.WEBHOOKS_ALLOWED_HOSTS.trim())
      problems.push(
        'WEBHOOKS_ALLOWED_HOSTS is set: not allowed when NODE_ENV=production (it opens the SSRF guard)',
      );
    if (variables.DB_CREATE_IF_MISSING) {
      problems.push(
        'DB_CREATE_IF_MISSING=true: not allowed when NODE_ENV=production (create the database yourself)',
      );
    }
  }
  if (variables.PAYMENTS_PROVIDER === 'stripe') {
    if (!variables.STRIPE_SECRET_KEY)
      problems.push('STRIPE_SECRET_KEY is missing: required when PAYMENTS_PROVIDER=stripe');
    if (!variables.STRIPE_WEBHOOK_SECRET)
      problems.push('STRIPE_WEBHOOK_SECRET is missing: required when PAYMENTS_PROVIDER=stripe');
  }
  if (variables.PAYMENT_BANK_TRANSFER_REMINDER_HOURS >= variables.PAYMENT_BANK_TRANSFER_HOLD_DAYS * 24)
    problems.push(
      `PAYMENT_BANK_TRANSFER_REMINDER_HOURS must be shorter than the hold (PAYMENT_BANK_TRANSFER_HOLD_DAYS=${variables.PAYMENT_BANK_TRANSFER_HOLD_DAYS}, ${variables.PAYMENT_BANK_TRANSFER_HOLD_DAYS * 24} hours), or 0 for no reminder`,
    );
  const replica = parseReplica(variables, problems);
  if (problems.length > 0) throw new ConfigValidationError(problems);

  return new AppConfig({
    env: variables.NODE_ENV,
    logLevel: variables.LOG_LEVEL,
    logPretty: variables.LOG_PRETTY,
    http: {
      host: variables.HOST,
      port: variables.PORT,
      bodyLimitBytes: variables.HTTP_BODY_LIMIT_BYTES,
      corsOrigins: parseCorsOrigins(variables.CORS_ORIGINS),
      shutdownTimeoutMs: variables.HTTP_SHUTDOWN_TIMEOUT_MS,
      drainDelayMs: variables.HTTP_DRAIN_DELAY_MS,
      trustProxy: variables.HTTP_TRUST_PROXY,
      docsEnabled: variables.DOCS_ENABLED ?? !isProduction,
      dashboardDir: resolve(variables.DASHBOARD_DIR),
      metrics: variables.METRICS_TOKEN
        ? { access: 'token', token: variables.METRICS_TOKEN }
        : { access: isProduction ? 'off' : 'open' },
    },
    rateLimit: { ttlSeconds: variables.RATE_LIMIT_TTL_SECONDS, max: variables.RATE_LIMIT_MAX },
    database: {
      type: variables.DB_TYPE,
      host: variables.DB_HOST,
      port: variables.DB_PORT,
      socketPath: variables.DB_SOCKET_PATH,
      user: variables.DB_USER,
      password: variables.DB_PASSWORD,
      name: variables.DB_NAME,
      poolSize: variables.DB_POOL_SIZE,
      createIfMissing: variables.DB_CREATE_IF_MISSING ?? !isProduction,
      migrationsRun: variables.DB_MIGRATIONS_RUN ?? !isProduction,
      logQueries: variables.DB_LOG_QUERIES,
      replica,
    },
    redis: {
      host: variables.REDIS_HOST,
      port: variables.REDIS_PORT,
      password: variables.REDIS_PASSWORD || undefined,
      db: variables.REDIS_DB,
      prefix: variables.REDIS_PREFIX,
    },
    outbox: {
      pollIntervalMs: variables.OUTBOX_POLL_INTERVAL_MS,
      batchSize: variables.OUTBOX_BATCH_SIZE,
      retentionHours: variables.OUTBOX_RETENTION_HOURS,
    },
    worker: {
      shutdownTimeoutMs: variables.WORKER_SHUTDOWN_TIMEOUT_MS,
      runInApiProcess: variables.API_WITH_WORKER,
      jobLockMs: variables.WORKER_JOB_LOCK_MS,
      stalledCheckIntervalMs: variables.WORKER_STALLED_CHECK_INTERVAL_MS,
      maxStalledCount: variables.WORKER_MAX_STALLED_COUNT,
    },
    idempotency: {
      ttlHours: variables.IDEMPOTENCY_TTL_HOURS,
      lockSeconds: variables.IDEMPOTENCY_LOCK_SECONDS,
    },
    auth: {
      jwtSecret: variables.AUTH_JWT_SECRET,
      jwtIssuer: variables.AUTH_JWT_ISSUER,
      jwtAudience: variables.AUTH_JWT_AUDIENCE,
      accessTokenTtlSeconds: variables.AUTH_ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: variables.AUTH_REFRESH_TOKEN_TTL_DAYS,
      mfaChallengeTtlSeconds: variables.AUTH_MFA_CHALLENGE_TTL_SECONDS,
      argon2: {
        memoryCost: variables.AUTH_ARGON2_MEMORY_KIB,
        timeCost: variables.AUTH_ARGON2_TIME_COST,
        parallelism: variables.AUTH_ARGON2_PARALLELISM,
      },
      loginMaxFailures: variables.AUTH_LOGIN_MAX_FAILURES,
      ipMaxFailures: variables.AUTH_IP_MAX_FAILURES,
      accountMaxFailures: variables.AUTH_ACCOUNT_MAX_FAILURES,
      loginWindowSeconds: variables.AUTH_LOGIN_WINDOW_SECONDS,
      credentialRouteLimitPerMinute: variables.AUTH_ROUTE_RATE_LIMIT_PER_MINUTE,
      publicAppUrl: variables.PUBLIC_APP_URL.replace(/\/+$/, ''),
    },
    encryption: parseEncryptionKeys(variables.ENCRYPTION_KEYS),
    mail: {
      host: variables.SMTP_HOST,
      port: variables.SMTP_PORT,
      secure: variables.SMTP_SECURE,
      user: variables.SMTP_USER || undefined,
      password: variables.SMTP_PASSWORD || undefined,
      from: variables.MAIL_FROM,
      shopName: variables.SHOP_NAME,
      // Env files cannot hold a newline: a literal `\n` separates the address lines.
      shopAddress: variables.SHOP_ADDRESS.replace(/\\n/g, '\n').trim(),
    },
    catalog: {
      currency: variables.CATALOG_CURRENCY,
      cacheEnabled: variables.CATALOG_CACHE_ENABLED,
      cacheTtlSeconds: variables.CATALOG_CACHE_TTL_SECONDS,
      localCacheBytes: variables.CATALOG_LOCAL_CACHE_BYTES,
      httpMaxAgeSeconds: variables.CATALOG_HTTP_MAX_AGE_SECONDS,
      importMaxBytes: variables.CATALOG_IMPORT_MAX_BYTES,
      staffAlertEmail: variables.STAFF_ALERT_EMAIL,
    },
    checkout: {
      priceMode: variables.CHECKOUT_PRICE_MODE,
      reservationTtlSeconds: variables.CHECKOUT_RESERVATION_TTL_SECONDS,
      maxCartLines: variables.CART_MAX_LINES,
      orderNumberPrefix: variables.ORDER_NUMBER_PREFIX,
    },
    payments: {
      provider: variables.PAYMENTS_PROVIDER,
      captureMethod: variables.PAYMENTS_CAPTURE_METHOD,
      reconcileAfterSeconds: variables.PAYMENTS_RECONCILE_AFTER_SECONDS,
      reconcileEverySeconds: variables.PAYMENTS_RECONCILE_EVERY_SECONDS,
      sandboxWebhookSecret: variables.SANDBOX_WEBHOOK_SECRET,
      sandboxWebhookUrl: variables.SANDBOX_WEBHOOK_URL,
      sandboxSettleDelayMs: variables.SANDBOX_SETTLE_DELAY_MS,
      stripeSecretKey: variables.STRIPE_SECRET_KEY,
      stripeWebhookSecret: variables.STRIPE_WEBHOOK_SECRET,
      stripeApiBaseUrl: variables.STRIPE_API_BASE_URL,
      bankTransferHoldDays: variables.PAYMENT_BANK_TRANSFER_HOLD_DAYS,
      bankTransferReminderHours: variables.PAYMENT_BANK_TRANSFER_REMINDER_HOURS,
      bankTransferInstructions: variables.PAYMENT_BANK_TRANSFER_INSTRUCTIONS.trim(),
    },
    webhooks: {
      allowHttp: variables.WEBHOOKS_ALLOW_HTTP,
      allowedHosts: variables.WEBHOOKS_ALLOWED_HOSTS.split(',')
        .map((host) =>
          host
            .trim()
            .toLowerCase()
            .replace(/^\[|\]$/g, ''),
        )
        .filter(Boolean),
      secretGraceMs: variables.WEBHOOKS_SECRET_GRACE_HOURS * 3600_000,
      retryScheduleMs: variables.WEBHOOKS_RETRY_SCHEDULE_MS
        ? variables.WEBHOOKS_RETRY_SCHEDULE_MS.split(',').map(Number)
        : DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS,
      timeoutMs: variables.WEBHOOKS_TIMEOUT_MS,
      responseBodyLimitBytes: 4096,
      disableAfterFailingMs: variables.WEBHOOKS_DISABLE_AFTER_DAYS * 24 * 3600_000,
    },
    realtime: {
      heartbeatSeconds: variables.EVENTS_HEARTBEAT_SECONDS,
      maxStreamsPerUser: variables.EVENTS_MAX_STREAMS_PER_USER,
      historyHours: variables.EVENTS_HISTORY_HOURS,
      ticketTtlSeconds: variables.EVENTS_TICKET_TTL_SECONDS,
    },
    analytics: {
      storeTimeZone: variables.STORE_TIME_ZONE,
      reconcileDays: variables.ANALYTICS_RECONCILE_DAYS,
    },
  });
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
  overrides: { [K in ConfigNamespace]?: Partial<AppConfig[K]> },
): AppConfig {
  return new AppConfig({
    env: config.env,
    logLevel: config.logLevel,
    logPretty: config.logPretty,
    http: { ...config.http, ...overrides.http },
    rateLimit: { ...config.rateLimit, ...overrides.rateLimit },
    database: { ...config.database, ...overrides.database },
    redis: { ...config.redis, ...overrides.redis },
    outbox: { ...config.outbox, ...overrides.outbox },
    worker: { ...config.worker, ...overrides.worker },
    idempotency: { ...config.idempotency, ...overrides.idempotency },
    auth: { ...config.auth, ...overrides.auth },
    encryption: { ...config.encryption, ...overrides.encryption },
    mail: { ...config.mail, ...overrides.mail },
    catalog: { ...config.catalog, ...overrides.catalog },
    checkout: { ...config.checkout, ...overrides.checkout },
    payments: { ...config.payments, ...overrides.payments },
    webhooks: { ...config.webhooks, ...overrides.webhooks },
    realtime: { ...config.realtime, ...overrides.realtime },
    analytics: { ...config.analytics, ...overrides.analytics },
  });
}
