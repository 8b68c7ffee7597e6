// Where the bench runs: its paths, the services it uses, the app's environment and the run-wide constants.
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MEMORY_BUDGET_MB = 250;
export const WARMUP_SECONDS = 2;
export const PIPELINING = 1;
// Measured seconds per side and round. Bare and app runs alternate, round after round, and the ratio
// is the median of the rounds' ratios: on a shared 2-core VM the machine's speed drifts by ±30% over
// a minute, and pairing runs that are seconds apart cancels most of that drift.
export const DEFAULT_DURATION_SECONDS = 3;
export const DEFAULT_ROUNDS = 5;
export const DEFAULT_CONNECTIONS = 10;
export const READY_TIMEOUT_MS = 60_000;
export const RSS_SAMPLE_INTERVAL_MS = 100;
export const STOP_GRACE_MS = 5_000;
// Above this share of the CPU busy with other processes, the numbers (and so the ratio budget) are not reliable.
export const BUSY_MACHINE_SHARE = 0.2;

export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT_DIR = join(BENCH_DIR, '..');
export const APP_ENTRY = join(ROOT_DIR, 'dist/src/main.js');
export const WORKER_ENTRY = join(ROOT_DIR, 'dist/src/worker.js');
/** The app's own command that makes a staff or admin account (`npm run admin:create`, built). */
export const ADMIN_CREATE_ENTRY = join(ROOT_DIR, 'dist/src/cli/admin-create.js');
export const RESULTS_FILE = join(BENCH_DIR, 'results/latest.json');

export const DATABASE = {
  host: '127.0.0.1',
  port: 3306,
  user: 'root',
  password: '',
  name: 'storekeep_bench',
};
export const REDIS = { host: '127.0.0.1', port: 6379, prefix: 'sk_bench' };

// Production refuses to start without secrets of its own. Fresh ones per run: the database is fresh too.
const BENCH_SECRETS = {
  AUTH_JWT_SECRET: randomBytes(48).toString('base64url'),
  ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
};

/** The variables that point a process of the app (or one of its tools) at the bench database and Redis prefix. */
export function serviceEnvironment() {
  return {
    DB_HOST: DATABASE.host,
    DB_PORT: String(DATABASE.port),
    DB_USER: DATABASE.user,
    DB_PASSWORD: DATABASE.password,
    DB_NAME: DATABASE.name,
    DB_MIGRATIONS_RUN: 'true',
    REDIS_HOST: REDIS.host,
    REDIS_PORT: String(REDIS.port),
    REDIS_PREFIX: REDIS.prefix,
  };
}

/**
 * The app's whole environment. Nothing is inherited from the shell (bar PATH) so a stray variable cannot skew a
 * run. `overrides` are added for one start (the login section trusts X-Forwarded-For).
 */
export function appEnvironment(port, overrides) {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    ...serviceEnvironment(),
    // Production requires it; nothing a benchmark measures waits for a mail.
    SMTP_HOST: '127.0.0.1',
    // High enough that the limiter never answers 429, while throttled routes still pay for its Redis round trip.
    RATE_LIMIT_MAX: '100000000',
    // As production runs it (Dockerfile, npm start): V8's old space capped.
    NODE_OPTIONS: '--max-old-space-size=192 --max-semi-space-size=16',
    ...BENCH_SECRETS,
    ...overrides,
  };
}
