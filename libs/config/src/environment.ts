import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  Validate,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DB_TYPES = ['mariadb', 'mysql'] as const;
export type DbType = (typeof DB_TYPES)[number];

/** `host[:port]` entries separated by commas (a host name, IPv4 address or [IPv6] address). */
const REPLICA_HOSTS =
  /^\s*(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?\s*(?:,\s*(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?\s*)*$/;

/** Dev-only secrets: known to everyone, so production refuses to start with them. */
export const DEV_JWT_SECRET = 'dev-only-jwt-secret-never-use-in-production';
export const DEV_ENCRYPTION_KEYS = 'dev:ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZSE=';

const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const normalized = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(normalized)) return true;
  if (['false', '0', 'no', 'off'].includes(normalized)) return false;
  return value;
};
const toInteger = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

/** An IANA time zone name this Node knows (`Europe/Berlin`, `UTC`). */
@ValidatorConstraint({ name: 'ianaTimeZone' })
class IanaTimeZone implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string' || value.trim() === '') return false;
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
      return true;
    } catch {
      return false;
    }
  }

  defaultMessage(): string {
    return '$property must be an IANA time zone such as Europe/Berlin or UTC';
  }
}

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

  /**
   * On SIGTERM, how long the API keeps serving before it stops accepting: readiness answers 503 and
   * every response says `Connection: close`, so a proxy stops reusing its kept-alive connections
   * (set it above the proxy's upstream keepalive timeout; 0 closes at once, as in development).
   */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(60_000)
  HTTP_DRAIN_DELAY_MS = 0;

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

  /**
   * Where the staff dashboard's built page and assets are (`npm run build` writes them to dist/dashboard);
   * relative to the working directory, which is the app's root for every npm script and the image.
   */
  @IsString()
  @IsNotEmpty()
  DASHBOARD_DIR = 'dist/dashboard';

  /** Swagger UI at /docs and the OpenAPI document at /docs-json. Default: off in production, on otherwise. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  DOCS_ENABLED?: boolean;

  /**
   * Bearer token Prometheus sends to scrape /metrics (`Authorization: Bearer <token>`), at least 32
   * characters. Unset: /metrics is open in development and test, and not served (404) in production.
   */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'METRICS_TOKEN must be at least 32 characters' })
  @Matches(/^[\x21-\x7e]+$/, { message: 'METRICS_TOKEN must be printable ASCII without spaces' })
  METRICS_TOKEN?: string;

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

  /**
   * A local server's unix socket (e.g. /run/mysqld/mysqld.sock): used instead of DB_HOST/DB_PORT when
   * set. Each statement then costs the API about a third less CPU than over loopback TCP.
   */
  @IsOptional()
  @IsString()
  @Matches(/^\//, { message: 'DB_SOCKET_PATH must be an absolute path' })
  DB_SOCKET_PATH?: string;

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

  /**
   * Read replicas of DB_HOST, `host[:port]` separated by commas (port default DB_PORT). Unset: every
   * statement goes to DB_HOST. Set: storefront catalog reads and staff reports read a replica; all
   * else stays on the primary (README "Read replica").
   */
  @IsOptional()
  @Matches(REPLICA_HOSTS, {
    message: 'DB_REPLICA_HOSTS must be host[:port] entries separated by commas, e.g. db-replica-1:3306',
  })
  DB_REPLICA_HOSTS?: string;

  /** The replica's user and password; unset: DB_USER / DB_PASSWORD. */
  @IsOptional()
  @IsString()
  DB_REPLICA_USER?: string;

  @IsOptional()
  @IsString()
  DB_REPLICA_PASSWORD?: string;

  /**
   * How long a storefront read waits for the replica to reach the primary's position before it reads
   * the primary instead (a replica that lags more sends those reads to the primary for a second).
   */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(10_000)
  DB_REPLICA_WAIT_MS = 200;

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

  /**
   * How long a running job's lock lasts (Bull's lockDuration; renewed at half of it while the job
   * runs). A worker that dies without shutting down leaves its jobs locked, untouched, this long.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(1000)
  WORKER_JOB_LOCK_MS = 30_000;

  /** How often a worker looks for jobs whose worker died (their lock expired) to run them again. */
  @Transform(toInteger)
  @IsInt()
  @Min(500)
  WORKER_STALLED_CHECK_INTERVAL_MS = 30_000;

  /**
   * How many times a job may be found abandoned by a dead worker and run again before it is failed.
   * Bull's default of 1 fails a job whose worker was killed twice while running it — e.g. an innocent
   * job that shared a worker with one that crashed it twice — and a capture or refund then never
   * happens; jobs are idempotent, so running one again is safe.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(100)
  WORKER_MAX_STALLED_COUNT = 5;

  /** How long an Idempotency-Key is remembered (its response replayed) after its first use. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(24 * 30)
  IDEMPOTENCY_TTL_HOURS = 24;

  /**
   * How long a request holding an Idempotency-Key may run before another may take the key over
   * (the first one is presumed crashed). Longer than any request should take.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(5)
  @Max(3600)
  IDEMPOTENCY_LOCK_SECONDS = 60;

  /** HMAC key of access and MFA-challenge JWTs (HS256 only). At least 32 characters; required in production. */
  @IsString()
  @MinLength(32, { message: 'AUTH_JWT_SECRET must be at least 32 characters' })
  AUTH_JWT_SECRET = DEV_JWT_SECRET;

  @IsString()
  @IsNotEmpty()
  AUTH_JWT_ISSUER = 'storekeep';

  @IsString()
  @IsNotEmpty()
  AUTH_JWT_AUDIENCE = 'storekeep-api';

  @Transform(toInteger)
  @IsInt()
  @Min(60)
  @Max(24 * 3600)
  AUTH_ACCESS_TOKEN_TTL_SECONDS = 900;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(365)
  AUTH_REFRESH_TOKEN_TTL_DAYS = 30;

  @Transform(toInteger)
  @IsInt()
  @Min(30)
  @Max(3600)
  AUTH_MFA_CHALLENGE_TTL_SECONDS = 300;

  /** argon2id memory in KiB; OWASP's floor is 19 MiB (19456). */
  @Transform(toInteger)
  @IsInt()
  @Min(19456)
  AUTH_ARGON2_MEMORY_KIB = 19456;

  @Transform(toInteger)
  @IsInt()
  @Min(2)
  AUTH_ARGON2_TIME_COST = 2;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(16)
  AUTH_ARGON2_PARALLELISM = 1;

  /**
   * Failed logins of one account from one client IP (IPv6: its /64) within the window before that
   * pair answers 429. The same account from another IP is not affected.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  AUTH_LOGIN_MAX_FAILURES = 10;

  /** Failed logins from one IP within the window (across accounts) before the IP answers 429. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  AUTH_IP_MAX_FAILURES = 100;

  /**
   * Failed logins of one account across all IPs within the window before it is slowed down: each IP
   * then gets 2 attempts at it per window (its owner still signs in; a botnet's guesses drop 5-fold).
   */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  AUTH_ACCOUNT_MAX_FAILURES = 50;

  @Transform(toInteger)
  @IsInt()
  @Min(10)
  AUTH_LOGIN_WINDOW_SECONDS = 900;

  /** Requests per minute per IP on the credential routes (login, register, MFA, password reset). */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  AUTH_ROUTE_RATE_LIMIT_PER_MINUTE = 30;

  /**
   * Keys that encrypt secrets at rest (AES-256-GCM): comma-separated `keyId:base64key` with 32-byte
   * keys. The first encrypts; all of them decrypt, so a key can be rotated in. Required in production.
   */
  @Matches(/^[A-Za-z0-9_-]{1,16}:[A-Za-z0-9+/]{43}=(,[A-Za-z0-9_-]{1,16}:[A-Za-z0-9+/]{43}=)*$/, {
    message: 'ENCRYPTION_KEYS must be comma-separated keyId:base64 pairs of 32-byte keys',
  })
  ENCRYPTION_KEYS = DEV_ENCRYPTION_KEYS;

  /** Base URL of the storefront: links in emails (verification, password reset) point there. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  PUBLIC_APP_URL = 'http://localhost:3000';

  @IsString()
  @IsNotEmpty()
  SMTP_HOST = '127.0.0.1';

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(65535)
  SMTP_PORT = 1025;

  /** TLS from the first byte (port 465); otherwise STARTTLS is used when the server offers it. */
  @Transform(toBoolean)
  @IsBoolean()
  SMTP_SECURE = false;

  @IsString()
  SMTP_USER = '';

  @IsString()
  SMTP_PASSWORD = '';

  @IsString()
  @IsNotEmpty()
  MAIL_FROM = 'Storekeep <no-reply@storekeep.local>';

  /** The shop's name, as customers read it in every mail (subject lines, signature). */
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  SHOP_NAME = 'Storekeep';

  /** The shop's postal address printed at the foot of order mail (`\n` separates lines; may be empty). */
  @IsString()
  @MaxLength(500)
  SHOP_ADDRESS = '';

  /** ISO 4217 currency of every catalog price (prices are integer minor units of it). */
  @Matches(/^[A-Z]{3}$/, { message: 'CATALOG_CURRENCY must be an ISO 4217 code such as EUR' })
  CATALOG_CURRENCY = 'EUR';

  /** Storefront reads are cached in Redis (shared by every replica); off only to measure without it. */
  @Transform(toBoolean)
  @IsBoolean()
  CATALOG_CACHE_ENABLED = true;

  /** Upper bound on a cached storefront read's life; writes invalidate at once regardless. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(86400)
  CATALOG_CACHE_TTL_SECONDS = 300;

  /**
   * Bytes of storefront responses each API process also keeps in memory (0: none). A copy is used
   * only under the catalog generation it was made for, which the process holds while Redis reports
   * every raise to it (and drops when that link is lost).
   */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(512 * 1024 * 1024)
  CATALOG_LOCAL_CACHE_BYTES = 8 * 1024 * 1024;

  /** `max-age` sent to browsers and CDNs on storefront reads (they revalidate with ETag after it). */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(86400)
  CATALOG_HTTP_MAX_AGE_SECONDS = 30;

  /** Largest CSV accepted by `POST /v1/admin/imports`. */
  @Transform(toInteger)
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  CATALOG_IMPORT_MAX_BYTES = 16 * 1024 * 1024;

  /** Where staff alerts (low stock) are mailed. */
  @IsEmail()
  STAFF_ALERT_EMAIL = 'staff@storekeep.local';

  /** Whether catalog prices (and shipping rates) include tax (EU style) or have it added (US style). */
  @IsIn(['tax_exclusive', 'tax_inclusive'])
  CHECKOUT_PRICE_MODE: 'tax_exclusive' | 'tax_inclusive' = 'tax_inclusive';

  /** How long an unpaid order holds its stock before it is cancelled and the stock released. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(7 * 24 * 3600)
  CHECKOUT_RESERVATION_TTL_SECONDS = 1800;

  /** Most distinct lines a cart may hold. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(500)
  CART_MAX_LINES = 100;

  /** Prefix of human-friendly order numbers (`SK-10042`). */
  @Matches(/^[A-Z0-9]{0,8}-?$/, {
    message: 'ORDER_NUMBER_PREFIX must be up to 8 upper-case letters or digits, optionally ending in -',
  })
  ORDER_NUMBER_PREFIX = 'SK-';

  /** The card provider for `POST /v1/orders/{id}/payments`: the built-in sandbox or Stripe. */
  @IsIn(['sandbox', 'stripe'])
  PAYMENTS_PROVIDER: 'sandbox' | 'stripe' = 'sandbox';

  /** `automatic`: card payments are captured at once; `manual`: authorized, captured by a job later. */
  @IsIn(['automatic', 'manual'])
  PAYMENTS_CAPTURE_METHOD: 'automatic' | 'manual' = 'automatic';

  /**
   * A payment still pending or authorized this long is asked of its provider by the reconciliation
   * job. At least 5 minutes: a payment the provider has no record of yet is failed, and Stripe's
   * search (how a payment whose answer was lost is found) can lag about a minute behind.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(300)
  @Max(30 * 24 * 3600)
  PAYMENTS_RECONCILE_AFTER_SECONDS = 900;

  /** How often the worker's reconciliation job runs. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(24 * 3600)
  PAYMENTS_RECONCILE_EVERY_SECONDS = 300;

  /**
   * How long an unpaid bank-transfer order is held (its stock reserved) before it is cancelled:
   * money sent by transfer takes days, not minutes. Card orders keep CHECKOUT_RESERVATION_TTL_SECONDS.
   * At most 30 days (the deadline's delayed job must fit the outbox's delay).
   */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(30)
  PAYMENT_BANK_TRANSFER_HOLD_DAYS = 7;

  /**
   * The customer is reminded by email this many hours before an unpaid bank-transfer order expires
   * (0: no reminder). Must be shorter than the hold.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(30 * 24)
  PAYMENT_BANK_TRANSFER_REMINDER_HOURS = 48;

  /**
   * Where bank-transfer customers send the money (account holder, IBAN, BIC, bank), as the payment
   * reminder prints it; the order number is the payment reference. Empty: the mail asks the customer
   * to contact the shop for the details.
   */
  @IsString()
  @MaxLength(1000)
  PAYMENT_BANK_TRANSFER_INSTRUCTIONS = '';

  /** Signs the sandbox provider's webhooks (HMAC-SHA256, Stripe's scheme). A public dev value. */
  @IsString()
  @MinLength(16)
  SANDBOX_WEBHOOK_SECRET = 'whsec_sandbox_development_only_secret';

  /** Where the sandbox delivers its signed webhooks: this API's `/v1/payments/webhooks/sandbox`. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  SANDBOX_WEBHOOK_URL = 'http://127.0.0.1:3000/v1/payments/webhooks/sandbox';

  /** How long the sandbox's "succeeds after a delay" card stays processing. */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(600_000)
  SANDBOX_SETTLE_DELAY_MS = 3000;

  /** Stripe secret API key (`sk_test_…`/`sk_live_…`); required when PAYMENTS_PROVIDER=stripe. */
  @IsString()
  STRIPE_SECRET_KEY = '';

  /** Stripe webhook endpoint secret (`whsec_…`). */
  @IsString()
  STRIPE_WEBHOOK_SECRET = '';

  /** Where the Stripe SDK sends requests (tests point it at a local Stripe-compatible server). */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  STRIPE_API_BASE_URL = 'https://api.stripe.com';

  /** Outgoing webhooks may target plain `http://` URLs (dev only; refused when NODE_ENV=production). */
  @Transform(toBoolean)
  @IsBoolean()
  WEBHOOKS_ALLOW_HTTP = false;

  /**
   * Hosts (names or IP addresses, comma-separated) webhooks may reach although the SSRF guard would
   * refuse them, e.g. `127.0.0.1,localhost` for local receivers. Refused when NODE_ENV=production.
   */
  @IsString()
  @Matches(/^[A-Za-z0-9.:_\-[\], ]*$/, {
    message: 'WEBHOOKS_ALLOWED_HOSTS must be host names or IPs, comma-separated',
  })
  WEBHOOKS_ALLOWED_HOSTS = '';

  /** How long the previous secret still signs deliveries after a rotation. */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(30 * 24)
  WEBHOOKS_SECRET_GRACE_HOURS = 24;

  /**
   * Delays (ms, comma-separated) before each retry of a failed delivery; empty: the built-in schedule
   * (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, 14 h, 20 h). Tests use milliseconds.
   */
  @Matches(/^(\d+(,\d+)*)?$/, { message: 'WEBHOOKS_RETRY_SCHEDULE_MS must be comma-separated integers' })
  WEBHOOKS_RETRY_SCHEDULE_MS = '';

  /** Time allowed for one delivery attempt (connect, send, read the answer). */
  @Transform(toInteger)
  @IsInt()
  @Min(100)
  @Max(60_000)
  WEBHOOKS_TIMEOUT_MS = 10_000;

  /** An endpoint whose deliveries have all failed for this many days is disabled (staff are mailed). */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(365)
  WEBHOOKS_DISABLE_AFTER_DAYS = 5;

  /** Real-time events (SSE): seconds between `: ping` comments, which also re-check the caller. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(300)
  EVENTS_HEARTBEAT_SECONDS = 15;

  /** Real-time events: open streams per person (or per guest order); one more gets 429. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(100)
  EVENTS_MAX_STREAMS_PER_USER = 5;

  /** Real-time events: hours of history kept in the Redis stream for `Last-Event-ID` replay. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(720)
  EVENTS_HISTORY_HOURS = 24;

  /** Real-time events: seconds a stream ticket (`POST /v1/events/tickets`) stays usable. */
  @Transform(toInteger)
  @IsInt()
  @Min(5)
  @Max(600)
  EVENTS_TICKET_TTL_SECONDS = 60;

  /** The store's IANA time zone: reports' days begin at its midnight (DST included). */
  @Validate(IanaTimeZone)
  STORE_TIME_ZONE = 'UTC';

  /** Days of hourly sales rollups the nightly reconciliation recomputes from the orders. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(90)
  ANALYTICS_RECONCILE_DAYS = 3;

  /** Single-process dev mode: the API process also runs the worker. */
  @Transform(toBoolean)
  @IsBoolean()
  API_WITH_WORKER = false;
}
