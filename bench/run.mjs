// HTTP benchmark of the real API against a bare Fastify ceiling (`npm run bench`).
//
// For each scenario: learn the app's exact response, start a bare Fastify server serving a body of that size and
// content type on the same route, load both with autocannon under the same settings, and compare. The ratio
// (app req/s / bare req/s) is what most budgets hold, because absolute numbers depend on the machine while the
// ratio mostly measures what the app's stack adds; a scenario may also hold an absolute floor (req/s) or a latency
// ceiling (p99). Also samples the app's peak RSS during each measured run.
//
// The catalog scenarios run against the deterministic demo catalog of 10,000 products (`npm run seed -- --products
// 10000 --reset`, seeded into the bench database before them), with the Redis read cache on, and two of them again
// in a second app process started with CATALOG_CACHE_ENABLED=false.
//
// Then the login section: argon2id makes a login deliberately slow, so no bare ceiling applies. It reports logins/s
// and latency, and checks that 200 concurrent logins neither exhaust the app's memory nor starve a light stream
// of other requests (`GET /health/live`) running at the same time.
//
// Usage: npm run bench [-- --duration 3 --rounds 5 --connections 10 --login-duration 20 --no-login --no-build
//                         --only GROUP[,GROUP] --scenarios ID[,ID] --keep-db --app-env NAME=value ...]
//        (or BENCH_DURATION / BENCH_ROUNDS / BENCH_CONNECTIONS / BENCH_LOGIN_DURATION in the environment; flags win)
//   --duration, --rounds   measured seconds per side and round, and the number of alternating rounds
//   --connections          default connection count (a scenario may set its own: the cold search uses 50)
//   --only                 run only these groups (repeatable or comma-separated): core (/health/live, /docs-json),
//                          auth (/v1/me and the login section), catalog (every catalog scenario)
//   --scenarios            run only these scenario ids (repeatable or comma-separated; `login` is the login
//                          section); combined with --only, a scenario runs when either selects it. Ids: health,
//                          docs, me, login, catalog-list, catalog-detail, catalog-304, catalog-search-cold,
//                          catalog-list-nocache, catalog-detail-nocache
//   --no-login             skip the login section (whatever --only or --scenarios say)
//   --no-build             use the existing dist/ instead of running `nest build` first
//   --keep-db              keep the bench database instead of recreating it, and skip the catalog seed when the
//                          database still holds exactly the catalog the last seed wrote (same seed sources and
//                          migrations, same table checksums; see bench/results/catalog-fingerprint.json)
//   --app-env NAME=value   (repeatable) adds a variable to every app process's environment, to measure a setting
//                          before adopting it; a scenario's own variables (CATALOG_CACHE_ENABLED=false) win
// Examples: npm run bench -- --no-build --only catalog --no-login
//           npm run bench -- --no-build --scenarios catalog-list,catalog-304 --rounds 3 --keep-db
import { fork, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import Redis from 'ioredis';
import mysql from 'mysql2/promise';

/** The account behind the authenticated scenarios, registered through the API at the start of each run. */
const BENCH_ACCOUNT = { email: 'bench-me@example.com', password: 'bench-me-password-5f2c', name: 'Bench Me' };

/** The catalog the catalog scenarios run against: `npm run seed -- --products 10000 --seed 42` (DESIGN.md). */
const CATALOG = { products: 10_000, seed: 42 };
/** The storefront list page of the budgets: the first 20 active products, newest first. */
const LIST_PAGE = '/v1/products?limit=20';
/** The second app process of the catalog scenarios that measure without the Redis read cache. */
const CACHE_DISABLED = { CATALOG_CACHE_ENABLED: 'false' };
/**
 * The cold search: request n asks for word n mod W (W words from the seeded titles) under a price ceiling of
 * PRICE_FLOOR + (n mod PRICE_STEPS) minor units. PRICE_STEPS is prime, so (word, ceiling) only repeats after
 * W × PRICE_STEPS requests (≥ 200k for any W ≥ 20), far more than any run sends: every request is a new cache key.
 */
const SEARCH = {
  priceFloor: 2_000,
  priceSteps: 10_007,
  minProductsPerWord: 20,
  connections: 50,
  sampleSize: 25,
};

/**
 * What gets measured. Each entry: { id, group, name, method, path, headers?, body?, connections?, appEnv?,
 * expectedStatus?, minRatio?, minRps?, maxP99Ms?, coldCache?, prepare? }.
 * - Budgets: `minRatio` (app req/s at least that fraction of the bare server's), `minRps` (app req/s, absolute),
 *   `maxP99Ms` (p99 over every measured app request of the scenario); without any the scenario is only reported.
 * - `connections` overrides --connections; `appEnv` runs the scenario in an app process started with these
 *   variables (one process per distinct `appEnv`, in order of first use); `expectedStatus` is the status every
 *   answer must have (default: any 2xx).
 * - `prepare(app, context)` runs just before the scenario and returns fields to add to it (e.g. headers, or the
 *   path). `context.catalog` holds facts read from the seeded catalog (see readCatalogFacts). A returned
 *   `nextPath()` makes the path vary per request (autocannon asks it for every request it sends); the bare server
 *   then answers with the median size of a sample of the app's responses.
 * - `coldCache`: checks that every app request of the scenario wrote a new storefront cache entry (i.e. missed).
 */
const SCENARIOS = [
  {
    id: 'health',
    group: 'core',
    name: 'GET /health/live',
    method: 'GET',
    path: '/health/live',
    minRatio: 0.6,
  },
  { id: 'docs', group: 'core', name: 'GET /docs-json', method: 'GET', path: '/docs-json' },
  {
    id: 'me',
    group: 'auth',
    name: 'GET /v1/me (bearer)',
    method: 'GET',
    path: '/v1/me',
    minRatio: 0.45,
    // Signed in right before the scenario: the access token (15 min) outlives it by far.
    prepare: async (app) => {
      await register(app.baseUrl, BENCH_ACCOUNT);
      const { accessToken } = await signIn(app.baseUrl, BENCH_ACCOUNT);
      return { headers: { authorization: `Bearer ${accessToken}` } };
    },
  },
  {
    id: 'catalog-list',
    group: 'catalog',
    name: `GET ${LIST_PAGE} (warm cache)`,
    method: 'GET',
    path: LIST_PAGE,
    minRatio: 0.5,
  },
  {
    id: 'catalog-detail',
    group: 'catalog',
    name: 'GET /v1/products/{slug} (warm cache)',
    method: 'GET',
    minRatio: 0.5,
    prepare: async (app, { catalog }) => ({ path: `/v1/products/${catalog.detailSlug}` }),
  },
  {
    id: 'catalog-304',
    group: 'catalog',
    name: `GET ${LIST_PAGE}, If-None-Match (304)`,
    method: 'GET',
    path: LIST_PAGE,
    expectedStatus: 304,
    minRatio: 0.6,
    // The ETag of the page as it is now: the catalog does not change during the run, so it stays current.
    prepare: async (app) => {
      const page = await request(app.baseUrl, { method: 'GET', path: LIST_PAGE });
      if (page.status !== 200 || typeof page.headers.etag !== 'string') {
        throw new Error(`GET ${LIST_PAGE} answered ${page.status} without an ETag: cannot revalidate`);
      }
      return { headers: { 'if-none-match': page.headers.etag } };
    },
  },
  {
    id: 'catalog-search-cold',
    group: 'catalog',
    name: 'GET /v1/products?q={word}&maxPrice={n}&limit=20 (cold cache)',
    method: 'GET',
    path: '/v1/products',
    connections: SEARCH.connections,
    maxP99Ms: 50,
    coldCache: true,
    prepare: async (app, { catalog }) => ({ nextPath: searchPaths(catalog.searchWords) }),
  },
  {
    id: 'catalog-list-nocache',
    group: 'catalog',
    name: `GET ${LIST_PAGE} (cache disabled)`,
    method: 'GET',
    path: LIST_PAGE,
    appEnv: CACHE_DISABLED,
    minRps: 1_500,
  },
  {
    id: 'catalog-detail-nocache',
    group: 'catalog',
    name: 'GET /v1/products/{slug} (cache disabled)',
    method: 'GET',
    appEnv: CACHE_DISABLED,
    minRps: 3_000,
    prepare: async (app, { catalog }) => ({ path: `/v1/products/${catalog.detailSlug}` }),
  },
];
const SCENARIO_GROUPS = ['core', 'auth', 'catalog'];
/** The login section's id and group for --scenarios and --only. */
const LOGIN_ID = 'login';
const LOGIN_GROUP = 'auth';

/** The cold search's paths, one new (word, price ceiling) pair per call. */
function searchPaths(words) {
  if (words.length === 0 || words.length % SEARCH.priceSteps === 0) {
    throw new Error(`the cold search needs 1 to ${SEARCH.priceSteps - 1} words, got ${words.length}`);
  }
  let next = 0;
  return () => {
    const n = next++;
    const word = encodeURIComponent(words[n % words.length]);
    return `/v1/products?q=${word}&maxPrice=${SEARCH.priceFloor + (n % SEARCH.priceSteps)}&limit=20`;
  };
}

/**
 * The login section. Each of `users` accounts is one client: its own email and its own address, sent as
 * X-Forwarded-For to an app started with HTTP_TRUST_PROXY=true (as behind the nginx of docker-compose), taken
 * round robin. That keeps every per-account and per-IP limit (the 10-failure account counter, which counts an
 * attempt before the check, so it also caps concurrent logins of one account; the per-IP counter; the
 * 30/min per-IP route throttle) far from its threshold while all of them still run, without any bench-only
 * switch in the app. The addresses are from 198.18.0.0/15, the range reserved for benchmarks (RFC 2544).
 */
const LOGIN = {
  users: 200,
  // The throughput run uses the scenarios' connection count; the stress run this many.
  stressConnections: 200,
  defaultDurationSeconds: 20,
  warmupSeconds: 3,
  // A login queued behind 199 others waits seconds, far beyond autocannon's 10 s default at worst.
  timeoutSeconds: 60,
  // Registrations run this many at a time: each is one argon2 hash on the app's 4-thread libuv pool.
  seedConcurrency: 4,
  // The light load that must not starve: this many requests per second over this many connections.
  probe: { path: '/health/live', connections: 10, rate: 200, baselineSeconds: 5 },
  probeP99BudgetMs: 50,
  // The probe starts this long after the logins and stops as long before them, so it only sees full load.
  probeMarginSeconds: 2,
};

const MEMORY_BUDGET_MB = 250;
const WARMUP_SECONDS = 2;
const PIPELINING = 1;
// Measured seconds per side and round. Bare and app runs alternate, round after round, and the ratio
// is the median of the rounds' ratios: on a shared 2-core VM the machine's speed drifts by ±30% over
// a minute, and pairing runs that are seconds apart cancels most of that drift.
const DEFAULT_DURATION_SECONDS = 3;
const DEFAULT_ROUNDS = 5;
const DEFAULT_CONNECTIONS = 10;
const READY_TIMEOUT_MS = 60_000;
const RSS_SAMPLE_INTERVAL_MS = 100;
const STOP_GRACE_MS = 5_000;
// Above this share of the CPU busy with other processes, the numbers (and so the ratio budget) are not reliable.
const BUSY_MACHINE_SHARE = 0.2;

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT_DIR = join(BENCH_DIR, '..');
const APP_ENTRY = join(ROOT_DIR, 'dist/src/main.js');
const RESULTS_FILE = join(BENCH_DIR, 'results/latest.json');

const DATABASE = { host: '127.0.0.1', port: 3306, user: 'root', password: '', name: 'storekeep_bench' };
const REDIS = { host: '127.0.0.1', port: 6379, prefix: 'sk_bench' };

// Production refuses to start without secrets of its own. Fresh ones per run: the database is fresh too.
const BENCH_SECRETS = {
  AUTH_JWT_SECRET: randomBytes(48).toString('base64url'),
  ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
};

/**
 * The app's whole environment. Nothing is inherited from the shell (bar PATH) so a stray variable cannot skew a
 * run. `overrides` are added for one start (the login section trusts X-Forwarded-For).
 */
function appEnvironment(port, overrides) {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    DB_HOST: DATABASE.host,
    DB_PORT: String(DATABASE.port),
    DB_USER: DATABASE.user,
    DB_PASSWORD: DATABASE.password,
    DB_NAME: DATABASE.name,
    DB_MIGRATIONS_RUN: 'true',
    REDIS_HOST: REDIS.host,
    REDIS_PORT: String(REDIS.port),
    REDIS_PREFIX: REDIS.prefix,
    // High enough that the limiter never answers 429, while throttled routes still pay for its Redis round trip.
    RATE_LIMIT_MAX: '100000000',
    // As production runs it (Dockerfile, npm start): V8's old space capped.
    NODE_OPTIONS: '--max-old-space-size=192',
    ...BENCH_SECRETS,
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Settings

function positiveInteger(name, raw) {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

function parseAssignment(raw) {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(raw);
  if (!match) throw new Error(`--app-env takes NAME=value, got "${raw}"`);
  return [match[1], match[2]];
}

/** A repeatable, comma-separated option whose every value must be one of `known`. */
function listOption(name, raw, known) {
  const values = raw
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter(Boolean);
  const unknown = values.filter((value) => !known.includes(value));
  if (unknown.length > 0) {
    throw new Error(`--${name}: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`);
  }
  return [...new Set(values)];
}

function readSettings() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      connections: { type: 'string' },
      rounds: { type: 'string' },
      'login-duration': { type: 'string' },
      'no-login': { type: 'boolean', default: false },
      'app-env': { type: 'string', multiple: true, default: [] },
      'no-build': { type: 'boolean', default: false },
      'keep-db': { type: 'boolean', default: false },
      only: { type: 'string', multiple: true, default: [] },
      scenarios: { type: 'string', multiple: true, default: [] },
    },
  });
  const only = listOption('only', values.only, SCENARIO_GROUPS);
  const ids = listOption('scenarios', values.scenarios, [
    ...SCENARIOS.map((scenario) => scenario.id),
    LOGIN_ID,
  ]);
  // Nothing asked for means everything.
  const selects = (id, group) =>
    (only.length === 0 && ids.length === 0) || only.includes(group) || ids.includes(id);
  return {
    build: !values['no-build'],
    keepDb: values['keep-db'],
    only,
    scenarioIds: ids,
    selectedScenarios: SCENARIOS.filter((scenario) => selects(scenario.id, scenario.group)).map(
      (scenario) => scenario.id,
    ),
    login: !values['no-login'] && selects(LOGIN_ID, LOGIN_GROUP),
    appEnv: Object.fromEntries(values['app-env'].map(parseAssignment)),
    loginDurationSeconds: positiveInteger(
      'login-duration',
      values['login-duration'] ?? process.env.BENCH_LOGIN_DURATION ?? LOGIN.defaultDurationSeconds,
    ),
    durationSeconds: positiveInteger(
      'duration',
      values.duration ?? process.env.BENCH_DURATION ?? DEFAULT_DURATION_SECONDS,
    ),
    connections: positiveInteger(
      'connections',
      values.connections ?? process.env.BENCH_CONNECTIONS ?? DEFAULT_CONNECTIONS,
    ),
    rounds: positiveInteger('rounds', values.rounds ?? process.env.BENCH_ROUNDS ?? DEFAULT_ROUNDS),
    pipelining: PIPELINING,
    warmupSeconds: WARMUP_SECONDS,
    memoryBudgetMb: MEMORY_BUDGET_MB,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Child processes: every one is tracked so that no exit path (error, Ctrl-C, budget failure) leaves one running.

const children = new Set();
/** The app process of the current phase, whose log tail explains a failed request (e.g. a 500 while seeding). */
let currentApp = null;

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function hasExited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM first so the app can close its pools; SIGKILL if it is still there after the grace period. */
async function stopChild(child) {
  if (hasExited(child)) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

async function stopAllChildren() {
  await Promise.all([...children].map(stopChild));
}

// Last resort, for exits that skip the async clean-up: 'exit' handlers may only do synchronous work.
process.on('exit', () => {
  for (const child of children) if (!hasExited(child)) child.kill('SIGKILL');
});

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
]) {
  process.once(signal, () => {
    console.error(`\n${signal} received: stopping child processes`);
    stopAllChildren().finally(() => process.exit(code));
  });
}

/** Keeps the last `limit` characters of a stream: enough to explain a failed start without growing unbounded. */
function captureTail(stream, limit = 64 * 1024) {
  const captured = { text: '' };
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    captured.text = (captured.text + chunk).slice(-limit);
  });
  return captured;
}

function runCommand(command, args, env = process.env) {
  return new Promise((resolve, reject) => {
    const child = track(spawn(command, args, { cwd: ROOT_DIR, stdio: 'inherit', env }));
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`)),
    );
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Preparation

async function buildApp() {
  console.log('› Building the app (npx nest build)');
  await runCommand('npx', ['nest', 'build']);
  if (!existsSync(APP_ENTRY)) throw new Error(`nest build succeeded but ${APP_ENTRY} does not exist`);
}

function connectToServer() {
  return mysql.createConnection({
    host: DATABASE.host,
    port: DATABASE.port,
    user: DATABASE.user,
    password: DATABASE.password,
    connectTimeout: 5_000,
  });
}

/**
 * A fresh database per run so every run starts from the same (freshly migrated) state; with --keep-db only
 * created when missing.
 */
async function prepareDatabase({ keepDb }) {
  console.log(`› ${keepDb ? 'Keeping' : 'Recreating'} database ${DATABASE.name}`);
  const connection = await connectToServer();
  try {
    if (!keepDb) await connection.query(`DROP DATABASE IF EXISTS \`${DATABASE.name}\``);
    // Same character set as the app's own ensureDatabase: production config refuses to create it itself.
    await connection.query(
      `CREATE DATABASE IF NOT EXISTS \`${DATABASE.name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await connection.end();
  }
}

/** Drops what earlier runs left under the bench prefix (rate-limit counters, queues), for the same reason. */
async function clearRedisPrefix() {
  const redis = new Redis({ host: REDIS.host, port: REDIS.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS.prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The catalog

const SEED_CATALOG_SOURCE = join(ROOT_DIR, 'scripts/seed-catalog.ts');
/** What decides the rows a seed writes: the seed's code and the schema it writes into. */
const SEED_INPUTS = ['scripts/seed.ts', 'scripts/seed-catalog.ts', 'scripts/seed', 'src/database/migrations'];
const CATALOG_FINGERPRINT_FILE = join(BENCH_DIR, 'results/catalog-fingerprint.json');

/** The tables the seed writes, read from its source (bench/ is plain JavaScript and cannot import it). */
function catalogTables() {
  const match = /export const CATALOG_TABLES = \[([^\]]*)\]/.exec(readFileSync(SEED_CATALOG_SOURCE, 'utf8'));
  const tables = match ? [...match[1].matchAll(/'([a-z_]+)'/g)].map((found) => found[1]) : [];
  if (tables.length === 0) throw new Error(`CATALOG_TABLES not found in ${SEED_CATALOG_SOURCE}`);
  return tables;
}

function filesUnder(path) {
  const absolute = join(ROOT_DIR, path);
  if (!existsSync(absolute)) return [];
  if (!statSync(absolute).isDirectory()) return [absolute];
  return readdirSync(absolute, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

function seedInputsHash() {
  const hash = createHash('sha256');
  const files = SEED_INPUTS.flatMap(filesUnder).sort();
  for (const file of files)
    hash.update(relative(ROOT_DIR, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

/**
 * What identifies the catalog in the bench database: the seed's options and inputs, the migrations applied and
 * a checksum of every catalog table. Null when the database has no migrated schema yet.
 */
async function catalogFingerprint() {
  const connection = await connectToServer();
  try {
    const [migrations] = await connection.query(
      `SELECT name FROM \`${DATABASE.name}\`.migrations ORDER BY id`,
    );
    const tables = catalogTables();
    const [checksums] = await connection.query(
      `CHECKSUM TABLE ${tables.map((table) => `\`${DATABASE.name}\`.\`${table}\``).join(', ')} EXTENDED`,
    );
    return {
      ...CATALOG,
      inputs: seedInputsHash(),
      migrations: migrations.map((row) => row.name),
      checksums: Object.fromEntries(
        checksums.map((row) => [row.Table, row.Checksum === null ? null : String(row.Checksum)]),
      ),
    };
  } catch (error) {
    if (error.code === 'ER_NO_SUCH_TABLE' || error.code === 'ER_BAD_DB_ERROR') return null;
    throw error;
  } finally {
    await connection.end();
  }
}

function recordedFingerprint() {
  try {
    return JSON.parse(readFileSync(CATALOG_FINGERPRINT_FILE, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Seeds the deterministic catalog with `npm run seed` (as a developer would) into the bench database, under the
 * bench's Redis prefix. The seed refuses --reset in production, so it runs as development; the app's secrets do
 * not matter to it. With --keep-db the seed is skipped when the database holds exactly what the last seed wrote.
 */
async function prepareCatalog(settings) {
  if (settings.keepDb) {
    const current = await catalogFingerprint();
    if (current !== null && JSON.stringify(current) === JSON.stringify(recordedFingerprint())) {
      console.log(
        `› Catalog: ${DATABASE.name} still holds the seeded ${CATALOG.products}-product catalog, not reseeded`,
      );
      return { reseeded: false, ...(await readCatalogFacts()) };
    }
  }
  console.log(`› Seeding ${CATALOG.products} products (seed ${CATALOG.seed}) into ${DATABASE.name}`);
  const started = Date.now();
  await runCommand(
    'npm',
    [
      'run',
      '--silent',
      'seed',
      '--',
      '--products',
      String(CATALOG.products),
      '--seed',
      String(CATALOG.seed),
      '--reset',
    ],
    {
      PATH: process.env.PATH,
      HOME: process.env.HOME ?? ROOT_DIR,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      DB_HOST: DATABASE.host,
      DB_PORT: String(DATABASE.port),
      DB_USER: DATABASE.user,
      DB_PASSWORD: DATABASE.password,
      DB_NAME: DATABASE.name,
      DB_CREATE_IF_MISSING: 'false',
      DB_MIGRATIONS_RUN: 'true',
      REDIS_HOST: REDIS.host,
      REDIS_PORT: String(REDIS.port),
      REDIS_PREFIX: REDIS.prefix,
    },
  );
  const seedSeconds = (Date.now() - started) / 1000;
  await mkdir(dirname(CATALOG_FINGERPRINT_FILE), { recursive: true });
  await writeFile(CATALOG_FINGERPRINT_FILE, `${JSON.stringify(await catalogFingerprint(), null, 2)}\n`);
  return { reseeded: true, seedSeconds, ...(await readCatalogFacts()) };
}

/** InnoDB's default full-text stopwords and shortest indexed word (see full-text-query.ts in the catalog). */
const FULL_TEXT_STOPWORDS = new Set(
  'a about an are as at be by com de en for from how i in is it la of on or that the this to was what when where who will with und www'.split(
    ' ',
  ),
);
const FULL_TEXT_MIN_WORD = 3;

/**
 * What the catalog scenarios need from the seeded rows: the slug of the newest active product (the first a
 * shopper sees on the list page) and the search words: every word of the active products' titles that the
 * full-text index holds and that at least SEARCH.minProductsPerWord products carry, in alphabetical order.
 */
async function readCatalogFacts() {
  const connection = await connectToServer();
  try {
    const visible = `status = 'active' AND min_price IS NOT NULL`;
    const [[newest]] = await connection.query(
      `SELECT slug FROM \`${DATABASE.name}\`.products WHERE ${visible} ORDER BY id DESC LIMIT 1`,
    );
    const [titles] = await connection.query(
      `SELECT title FROM \`${DATABASE.name}\`.products WHERE ${visible}`,
    );
    if (!newest) throw new Error(`${DATABASE.name} has no active product`);
    const productsPerWord = new Map();
    for (const { title } of titles) {
      const words = new Set(
        title
          .normalize('NFKC')
          .toLowerCase()
          .split(/[^\p{L}\p{N}]+/u)
          .filter((word) => word.length >= FULL_TEXT_MIN_WORD && !FULL_TEXT_STOPWORDS.has(word)),
      );
      for (const word of words) productsPerWord.set(word, (productsPerWord.get(word) ?? 0) + 1);
    }
    const searchWords = [...productsPerWord]
      .filter(([, count]) => count >= SEARCH.minProductsPerWord)
      .map(([word]) => word)
      .sort();
    return { activeProducts: titles.length, detailSlug: newest.slug, searchWords };
  } finally {
    await connection.end();
  }
}

/** How many storefront cache entries the bench's Redis prefix holds (the cold search must add one per request). */
async function countCatalogCacheEntries() {
  const redis = new Redis({ host: REDIS.host, port: REDIS.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let count = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS.prefix}:catalog:*:*`, 'COUNT', 1000);
      count += keys.length;
      cursor = next;
    } while (cursor !== '0');
    return count;
  } finally {
    redis.disconnect();
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP

/** One request with node:http, which (unlike fetch) adds no accept-encoding and returns the bytes as sent. */
function request(baseUrl, { method, path, headers = {}, body }, timeoutMs = 5_000) {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, baseUrl), { method, headers, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

const isSuccess = (status) => status >= 200 && status < 300;

function requestBody(scenario) {
  if (scenario.body === undefined) return { headers: scenario.headers ?? {}, body: undefined };
  if (typeof scenario.body === 'string' || Buffer.isBuffer(scenario.body)) {
    return { headers: scenario.headers ?? {}, body: scenario.body };
  }
  return {
    headers: { 'content-type': 'application/json', ...scenario.headers },
    body: JSON.stringify(scenario.body),
  };
}

async function postJson(baseUrl, path, payload, headers = {}) {
  const response = await request(
    baseUrl,
    {
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(payload),
    },
    30_000,
  );
  return { status: response.status, text: response.body.toString('utf8') };
}

/** Answers 202 whether or not the address is taken, so a rerun against the same database is harmless. */
async function register(baseUrl, account, headers = {}) {
  const { status, text } = await postJson(baseUrl, '/v1/auth/register', account, headers);
  if (status !== 202) throw new Error(`POST /v1/auth/register answered ${status}: ${text.slice(0, 500)}`);
}

async function signIn(baseUrl, { email, password }) {
  const { status, text } = await postJson(baseUrl, '/v1/auth/login', { email, password });
  if (status !== 200) throw new Error(`POST /v1/auth/login answered ${status}: ${text.slice(0, 500)}`);
  const tokens = JSON.parse(text);
  if (typeof tokens.accessToken !== 'string') throw new Error(`POST /v1/auth/login returned no accessToken`);
  return tokens;
}

// ---------------------------------------------------------------------------------------------------------------
// The app and the bare server

async function startApp(environmentOverrides) {
  const port = await freePort();
  const extra = Object.entries(environmentOverrides).map(([name, value]) => `${name}=${value}`);
  console.log(`› Starting the app on port ${port}${extra.length > 0 ? ` with ${extra.join(' ')}` : ''}`);
  const child = track(
    spawn(process.execPath, [APP_ENTRY], {
      cwd: ROOT_DIR,
      env: appEnvironment(port, environmentOverrides),
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  // Both pipes must be drained, or the app would block on a full pipe once it logged enough.
  const output = { stdout: captureTail(child.stdout), stderr: captureTail(child.stderr) };
  const baseUrl = `http://127.0.0.1:${port}`;
  currentApp = { child, output };
  try {
    await waitUntilReady(child, baseUrl);
  } catch (error) {
    console.error(`--- app stderr ---\n${output.stderr.text || '(empty)'}`);
    if (output.stdout.text) console.error(`--- app stdout ---\n${output.stdout.text}`);
    throw error;
  }
  return { child, baseUrl, output };
}

async function waitUntilReady(child, baseUrl) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (hasExited(child)) {
      throw new Error(`the app exited before it was ready (${child.signalCode ?? `code ${child.exitCode}`})`);
    }
    try {
      const response = await request(baseUrl, { method: 'GET', path: '/health/ready' }, 2_000);
      if (response.status === 200) return;
      lastProblem = `GET /health/ready answered ${response.status}: ${response.body.toString('utf8').slice(0, 500)}`;
    } catch (error) {
      lastProblem = error.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `the app's GET /health/ready did not answer 200 within ${READY_TIMEOUT_MS / 1000} s (${lastProblem})`,
  );
}

/**
 * Starts the ceiling for one scenario, answering with the same status, size and content type as the app did
 * (`answer`: { status, contentType, bodyBytes }). It routes on the path alone: the query string is ignored, as a
 * varying one must be.
 */
async function startBareServer(scenario, answer) {
  const child = track(
    fork(join(BENCH_DIR, 'bare-server.mjs'), [], {
      cwd: ROOT_DIR,
      env: {
        PATH: process.env.PATH,
        BARE_METHOD: scenario.method,
        BARE_PATH: new URL(scenario.path, 'http://bench.invalid').pathname,
        BARE_BODY_BYTES: String(answer.bodyBytes),
        BARE_CONTENT_TYPE: answer.contentType ?? '',
        BARE_STATUS: String(answer.status),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const port = await new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`the bare server exited before listening (code ${code})`)));
  });
  const baseUrl = `http://127.0.0.1:${port}`;

  // A ceiling that answers differently from the app would make the ratio meaningless.
  const check = await request(baseUrl, {
    method: scenario.method,
    path: scenario.nextPath?.() ?? scenario.path,
    ...requestBody(scenario),
  });
  if (
    check.status !== answer.status ||
    check.body.length !== answer.bodyBytes ||
    (check.headers['content-type'] ?? null) !== answer.contentType
  ) {
    throw new Error(
      `bare server for ${scenario.name} answered ${check.status} with ${check.body.length} bytes of ` +
        `${check.headers['content-type']}, the app ${answer.status} with ${answer.bodyBytes} bytes of ` +
        `${answer.contentType}`,
    );
  }
  return { child, baseUrl };
}

// ---------------------------------------------------------------------------------------------------------------
// Load

/**
 * One autocannon run. autocannon's own latency histogram has whole-millisecond resolution, so a local API's
 * sub-millisecond answers would all read 0 ms: every response time is also collected here, at hrtime precision.
 */
async function load(baseUrl, scenario, settings, durationSeconds) {
  const { headers, body } = requestBody(scenario);
  const { nextPath } = scenario;
  return runAutocannon({
    url: new URL(scenario.path, baseUrl).href,
    method: scenario.method,
    headers,
    body,
    // autocannon builds every request anew through setupRequest, on every connection, from one shared generator.
    ...(nextPath && {
      requests: [{ method: scenario.method, setupRequest: (request) => ({ ...request, path: nextPath() }) }],
    }),
    connections: connectionsOf(scenario, settings),
    pipelining: settings.pipelining,
    duration: durationSeconds,
  });
}

const connectionsOf = (scenario, settings) => scenario.connections ?? settings.connections;

async function runAutocannon(options) {
  const responseTimesMs = [];
  const instance = autocannon(options);
  instance.on('response', (client, statusCode, bytes, responseTimeMs) =>
    responseTimesMs.push(responseTimeMs),
  );
  const result = await instance;
  return { result, responseTimesMs };
}

/** Nearest-rank percentile. */
function percentile(sortedValues, fraction) {
  if (sortedValues.length === 0) return 0;
  return sortedValues[Math.max(0, Math.ceil(fraction * sortedValues.length) - 1)];
}

const isExpected = (status, expectedStatus) =>
  expectedStatus === undefined ? isSuccess(status) : status === expectedStatus;

/** `expectedStatus`: the status every answer must have; without it any 2xx. */
function summarize({ result, responseTimesMs }, expectedStatus) {
  const sorted = Float64Array.from(responseTimesMs).sort();
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, count]),
  );
  return {
    requestsPerSecond: result.requests.average,
    // Over every response, like the error counts: a latency that left out the failures would flatter them.
    latencyP50Ms: percentile(sorted, 0.5),
    latencyP99Ms: percentile(sorted, 0.99),
    latencyMaxMs: sorted.length > 0 ? sorted[sorted.length - 1] : 0,
    totalRequests: result.requests.total,
    bytesPerSecond: result.throughput.average,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    unexpected: Object.entries(statusCodes)
      .filter(([status]) => !isExpected(Number(status), expectedStatus))
      .reduce((total, [, count]) => total + count, 0),
  };
}

function readRssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) / 1024 : 0;
}

/** Samples the RSS of a process until the returned function is called, which returns the peak in MB. */
function sampleRss(pid) {
  let peakMb = 0;
  const sample = () => {
    try {
      peakMb = Math.max(peakMb, readRssMb(pid));
    } catch {
      // The process is gone: the load run reports that as errors, and the next step fails on it.
    }
  };
  sample();
  const timer = setInterval(sample, RSS_SAMPLE_INTERVAL_MS);
  return () => {
    clearInterval(timer);
    sample();
    return peakMb;
  };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor((sorted.length - 1) / 2)];
};

/** The run whose req/s is the median: its latencies stand for the side. Counts are summed over runs. */
function combineRuns(runs) {
  const byRate = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  const middle = byRate[Math.floor((byRate.length - 1) / 2)];
  const sum = (key) => runs.reduce((total, run) => total + run[key], 0);
  const statusCodes = {};
  for (const run of runs) {
    for (const [status, count] of Object.entries(run.statusCodes))
      statusCodes[status] = (statusCodes[status] ?? 0) + count;
  }
  return {
    ...middle,
    requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
    rounds: runs.map((run) => Math.round(run.requestsPerSecond)),
    totalRequests: sum('totalRequests'),
    non2xx: sum('non2xx'),
    unexpected: sum('unexpected'),
    errors: sum('errors'),
    timeouts: sum('timeouts'),
    statusCodes,
  };
}

/**
 * The app's answer the bare server must match. For a varying path, the median size of SEARCH.sampleSize answers
 * (every one must have the expected status).
 */
async function learnAnswer(app, scenario) {
  const paths = scenario.nextPath
    ? Array.from({ length: SEARCH.sampleSize }, () => scenario.nextPath())
    : [scenario.path];
  const answers = [];
  for (const path of paths) {
    const answer = await request(app.baseUrl, { method: scenario.method, path, ...requestBody(scenario) });
    if (!isExpected(answer.status, scenario.expectedStatus)) {
      throw new Error(
        `${scenario.method} ${path} answered ${answer.status}: ${answer.body.toString('utf8').slice(0, 500)}`,
      );
    }
    answers.push(answer);
  }
  const sizes = answers.map((answer) => answer.body.length).sort((a, b) => a - b);
  return {
    status: answers[0].status,
    contentType: answers[0].headers['content-type'] ?? null,
    bodyBytes: median(sizes),
    ...(answers.length > 1 && {
      bodyBytesRange: [sizes[0], sizes[sizes.length - 1]],
      sampled: answers.length,
    }),
  };
}

async function benchmarkScenario(app, baseScenario, settings, context) {
  console.log(`› ${baseScenario.name}`);
  const scenario = { ...baseScenario, ...(await baseScenario.prepare?.(app, context)) };
  const connections = connectionsOf(scenario, settings);
  const cacheEntriesBefore = scenario.coldCache ? await countCatalogCacheEntries() : 0;
  const response = await learnAnswer(app, scenario);
  console.log(
    `    ${scenario.method} ${scenario.nextPath ? `${scenario.nextPath()} and so on` : scenario.path}: ` +
      `the app answers ${response.status} with ${response.bodyBytes} bytes of ${response.contentType}` +
      (response.bodyBytesRange
        ? ` (median of ${response.sampled} answers of ${response.bodyBytesRange.join('-')} bytes)`
        : '') +
      `; ${connections} connections`,
  );

  // The bare server stays up (idle) during the app's runs: it costs nothing while no load reaches it.
  const bare = await startBareServer(scenario, response);
  const bareRuns = [];
  const appRuns = [];
  let appRequestsSent = response.sampled ?? 1;
  const appResponseTimesMs = [];
  let peakRssMb = 0;
  try {
    console.log(`    warm-up: ${settings.warmupSeconds} s each (JIT, pools, caches), discarded`);
    await load(bare.baseUrl, scenario, settings, settings.warmupSeconds);
    appRequestsSent += (await load(app.baseUrl, scenario, settings, settings.warmupSeconds)).result.requests
      .sent;
    for (let round = 1; round <= settings.rounds; round++) {
      console.log(
        `    round ${round}/${settings.rounds}: ${settings.durationSeconds} s bare, ${settings.durationSeconds} s app`,
      );
      bareRuns.push(
        summarize(await load(bare.baseUrl, scenario, settings, settings.durationSeconds), response.status),
      );
      const stopSampling = sampleRss(app.child.pid);
      const appRun = await load(app.baseUrl, scenario, settings, settings.durationSeconds);
      peakRssMb = Math.max(peakRssMb, stopSampling());
      appRuns.push(summarize(appRun, scenario.expectedStatus));
      appRequestsSent += appRun.result.requests.sent;
      for (const time of appRun.responseTimesMs) appResponseTimesMs.push(time);
      assertAlive(app);
    }
  } finally {
    await stopChild(bare.child);
  }
  const ratios = appRuns.map((run, index) =>
    bareRuns[index].requestsPerSecond > 0 ? run.requestsPerSecond / bareRuns[index].requestsPerSecond : 0,
  );
  const appResult = combineRuns(appRuns);
  const sortedTimes = Float64Array.from(appResponseTimesMs).sort();
  appResult.latencyP99AllRoundsMs = percentile(sortedTimes, 0.99);
  let cold;
  if (scenario.coldCache) {
    // Every request the app received had a new query, so each should have missed and written one entry; the
    // requests still in flight when the last run stopped write theirs once the app has worked through them.
    await waitUntilIdle(app);
    const written = (await countCatalogCacheEntries()) - cacheEntriesBefore;
    cold = { cacheEntriesWritten: written, appRequestsSent, share: Math.min(1, written / appRequestsSent) };
    console.log(
      `    cold cache: ${written} new cache entries for ${appRequestsSent} app requests sent ` +
        `(${percent(cold.share)} missed)`,
    );
  }
  return evaluate(scenario, settings, {
    connections,
    response,
    app: appResult,
    bare: combineRuns(bareRuns),
    ratio: median(ratios),
    ratios,
    peakRssMb,
    cold,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Login section

function loginClients(count) {
  return Array.from({ length: count }, (_, index) => {
    const account = {
      email: `bench-login-${index}@example.com`,
      password: `bench-login-password-${index}-5f2c`,
      name: `Bench Login ${index}`,
    };
    return {
      account,
      ip: `198.18.${index >> 8}.${index & 255}`,
      loginBody: JSON.stringify({ email: account.email, password: account.password }),
    };
  });
}

async function seedLoginClients(app, clients) {
  console.log(
    `    registering ${clients.length} accounts through the API, ${LOGIN.seedConcurrency} at a time`,
  );
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < clients.length) {
      const client = clients[next++];
      await register(app.baseUrl, client.account, { 'x-forwarded-for': client.ip });
    }
  };
  await Promise.all(Array.from({ length: LOGIN.seedConcurrency }, worker));
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `    registered in ${seconds.toFixed(1)} s (${(clients.length / seconds).toFixed(1)} per second)`,
  );
  return seconds;
}

/** Logins of the clients, round robin (one counter for every connection of this run). */
function loginLoad(app, clients, connections, durationSeconds) {
  let next = 0;
  return runAutocannon({
    url: app.baseUrl,
    connections,
    pipelining: 1,
    duration: durationSeconds,
    timeout: LOGIN.timeoutSeconds,
    requests: [
      {
        method: 'POST',
        path: '/v1/auth/login',
        setupRequest: (request) => {
          const client = clients[next++ % clients.length];
          return {
            ...request,
            headers: { 'content-type': 'application/json', 'x-forwarded-for': client.ip },
            body: client.loginBody,
          };
        },
      },
    ],
  });
}

/** The light, rate-limited stream whose latency shows whether logins starve everything else. */
function probeLoad(app, durationSeconds) {
  return runAutocannon({
    url: new URL(LOGIN.probe.path, app.baseUrl).href,
    connections: LOGIN.probe.connections,
    overallRate: LOGIN.probe.rate,
    pipelining: 1,
    duration: durationSeconds,
  });
}

function cpuTicksOf(pid) {
  // Fields after the command name: utime and stime are the 12th and 13th of them.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * autocannon drops its sockets when a run ends, but the app still works through the logins it had queued: wait
 * until it has (under 10% of one core over half a second) so that the next run starts on an idle app.
 */
async function waitUntilIdle(app, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  const ticksPerSecond = 100;
  let before = cpuTicksOf(app.child.pid);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = cpuTicksOf(app.child.pid);
    if ((after - before) / ticksPerSecond / 0.5 < 0.1) return;
    before = after;
  }
  console.log(`    (the app was still busy after ${timeoutMs / 1000} s; going on)`);
}

/** Like summarize(), plus the rate of successful logins (non-2xx answers are fast and would flatter req/s). */
function summarizeLogins(run, connections) {
  const summary = summarize(run);
  return {
    connections,
    durationSeconds: run.result.duration,
    loginsPerSecond: run.result['2xx'] / run.result.duration,
    ...summary,
  };
}

async function benchmarkLogin(settings) {
  console.log(`› Login: POST /v1/auth/login (a second app process, trusting X-Forwarded-For)`);
  const app = await startApp({ ...settings.appEnv, HTTP_TRUST_PROXY: 'true' });
  const duration = settings.loginDurationSeconds;
  try {
    const clients = loginClients(LOGIN.users);
    const seedSeconds = await seedLoginClients(app, clients);
    await waitUntilIdle(app);

    console.log(`    warm-up: ${LOGIN.warmupSeconds} s of logins, discarded`);
    await loginLoad(app, clients, settings.connections, LOGIN.warmupSeconds);
    await waitUntilIdle(app);

    console.log(
      `    ${LOGIN.probe.path} alone: ${LOGIN.probe.baselineSeconds} s at ${LOGIN.probe.rate} req/s`,
    );
    const probeAlone = summarize(await probeLoad(app, LOGIN.probe.baselineSeconds));
    assertAlive(app);

    console.log(`    throughput: ${duration} s of logins over ${settings.connections} connections`);
    let stopSampling = sampleRss(app.child.pid);
    const throughput = summarizeLogins(
      await loginLoad(app, clients, settings.connections, duration),
      settings.connections,
    );
    throughput.peakRssMb = stopSampling();
    assertAlive(app);
    await waitUntilIdle(app);

    const probeSeconds = Math.max(1, duration - 2 * LOGIN.probeMarginSeconds);
    console.log(
      `    stress: ${duration} s of logins over ${LOGIN.stressConnections} connections, with ${LOGIN.probe.path} ` +
        `at ${LOGIN.probe.rate} req/s over ${LOGIN.probe.connections} connections for the middle ${probeSeconds} s`,
    );
    stopSampling = sampleRss(app.child.pid);
    const stressRun = loginLoad(app, clients, LOGIN.stressConnections, duration);
    await new Promise((resolve) => setTimeout(resolve, LOGIN.probeMarginSeconds * 1000));
    const probeDuring = summarize(await probeLoad(app, probeSeconds));
    const stress = summarizeLogins(await stressRun, LOGIN.stressConnections);
    stress.peakRssMb = stopSampling();
    assertAlive(app);
    await waitUntilIdle(app);

    return evaluateLogin(settings, { seedSeconds, throughput, stress, probeAlone, probeDuring });
  } finally {
    await stopChild(app.child);
  }
}

function evaluateLogin(settings, { seedSeconds, throughput, stress, probeAlone, probeDuring }) {
  const failures = [];
  for (const [label, run] of [
    [`${throughput.connections}-connection logins`, throughput],
    [`${stress.connections}-connection logins`, stress],
    [`${LOGIN.probe.path} during the logins`, probeDuring],
  ]) {
    if (run.non2xx > 0 || run.errors > 0) {
      failures.push(
        `${label}: ${run.non2xx} non-2xx (${describeStatuses(run.statusCodes) || 'none'}), ` +
          `${run.errors} errors (${run.timeouts} timeouts)`,
      );
    }
  }
  if (probeDuring.latencyP99Ms > LOGIN.probeP99BudgetMs) {
    failures.push(
      `${LOGIN.probe.path} p99 during ${stress.connections} logins was ${formatMs(probeDuring.latencyP99Ms)} ms, ` +
        `over the ${LOGIN.probeP99BudgetMs} ms budget`,
    );
  }
  const peakRssMb = Math.max(throughput.peakRssMb, stress.peakRssMb);
  if (peakRssMb > settings.memoryBudgetMb) {
    failures.push(`peak RSS ${peakRssMb.toFixed(1)} MB is over the ${settings.memoryBudgetMb} MB budget`);
  }
  return {
    route: 'POST /v1/auth/login',
    users: LOGIN.users,
    identities: 'one account and one X-Forwarded-For address (198.18.0.0/15) per user, round robin',
    appEnvironment: { HTTP_TRUST_PROXY: 'true' },
    seedSeconds,
    throughput,
    stress,
    probe: {
      method: 'GET',
      path: LOGIN.probe.path,
      connections: LOGIN.probe.connections,
      rate: LOGIN.probe.rate,
      p99BudgetMs: LOGIN.probeP99BudgetMs,
      alone: probeAlone,
      duringStress: probeDuring,
    },
    peakRssMb,
    verdict: failures.length > 0 ? 'FAIL' : 'PASS',
    failures,
  };
}

function assertAlive(app) {
  if (!hasExited(app.child)) return;
  console.error(`--- app stderr ---\n${app.output.stderr.text || '(empty)'}`);
  if (app.output.stdout.text) console.error(`--- app stdout ---\n${app.output.stdout.text}`);
  throw new Error(
    `the app exited during the benchmark (${app.child.signalCode ?? `code ${app.child.exitCode}`})`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Budgets and report

function describeStatuses(statusCodes, expectedStatus) {
  return Object.entries(statusCodes)
    .filter(([status]) => !isExpected(Number(status), expectedStatus))
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ');
}

/** The scenario's budgets, e.g. ['≥ 0.50 of bare', '≥ 1,500 req/s', 'p99 ≤ 50 ms']. */
function describeBudgets({ minRatio, minRps, maxP99Ms }) {
  return [
    minRatio !== null && `≥ ${minRatio.toFixed(2)} of bare`,
    minRps !== null && `≥ ${formatRate(minRps)} req/s`,
    maxP99Ms !== null && `p99 ≤ ${maxP99Ms} ms`,
  ].filter(Boolean);
}

function evaluate(scenario, settings, { connections, response, app, bare, ratio, ratios, peakRssMb, cold }) {
  const appFailed = app.unexpected > 0 || app.errors > 0;
  const expected = scenario.expectedStatus === undefined ? '2xx' : String(scenario.expectedStatus);

  const flags = [];
  if (app.unexpected > 0) {
    flags.push(
      `the app answered ${app.unexpected} responses other than ${expected} (${describeStatuses(app.statusCodes, scenario.expectedStatus)})`,
    );
  }
  if (app.errors > 0) flags.push(`the app run had ${app.errors} errors (${app.timeouts} timeouts)`);
  // The bare server mirrors the app's status, so it must answer that one.
  if (bare.unexpected > 0 || bare.errors > 0) {
    flags.push(
      `the bare run had ${bare.unexpected} responses other than ${response.status} and ${bare.errors} errors`,
    );
  }
  if (cold && cold.share < 0.99) {
    flags.push(
      `only ${percent(cold.share)} of the app's requests missed the cache: not a cold-cache measurement`,
    );
  }

  const budgets = {
    minRatio: scenario.minRatio ?? null,
    minRps: scenario.minRps ?? null,
    maxP99Ms: scenario.maxP99Ms ?? null,
  };
  const failures = [];
  if (peakRssMb > settings.memoryBudgetMb) {
    failures.push(`peak RSS ${peakRssMb.toFixed(1)} MB is over the ${settings.memoryBudgetMb} MB budget`);
  }
  if (budgets.minRatio !== null && ratio < budgets.minRatio) {
    failures.push(`ratio ${ratio.toFixed(2)} is below the ${budgets.minRatio.toFixed(2)} budget`);
  }
  if (budgets.minRps !== null && app.requestsPerSecond < budgets.minRps) {
    failures.push(
      `${formatRate(app.requestsPerSecond)} req/s (median of rounds) is below the ${formatRate(budgets.minRps)} req/s budget`,
    );
  }
  if (budgets.maxP99Ms !== null && app.latencyP99AllRoundsMs > budgets.maxP99Ms) {
    failures.push(
      `p99 ${formatMs(app.latencyP99AllRoundsMs)} ms (over every measured request) is over the ` +
        `${budgets.maxP99Ms} ms budget at ${connections} connections`,
    );
  }
  const hasBudget = describeBudgets(budgets).length > 0;
  // Error responses are often cheaper than real ones: a budget measured on them proves nothing.
  if (hasBudget && appFailed) failures.push('the budgets were measured on failed requests');
  if (hasBudget && cold && cold.share < 0.99)
    failures.push('the cold-cache budget was measured on cache hits');

  let verdict = 'report only';
  if (failures.length > 0) verdict = 'FAIL';
  else if (hasBudget) verdict = 'PASS';

  return {
    id: scenario.id,
    group: scenario.group,
    name: scenario.name,
    method: scenario.method,
    path: scenario.path,
    ...(scenario.nextPath && { pathVariesPerRequest: true }),
    ...(scenario.headers && { headers: redactHeaders(scenario.headers) }),
    appEnvironment: scenario.appEnv ?? {},
    connections,
    expectedStatus: scenario.expectedStatus ?? null,
    ...budgets,
    response,
    app,
    bare,
    ratio,
    ratios,
    peakRssMb,
    ...(cold && { cold }),
    verdict,
    flags,
    failures,
  };
}

/** A bearer token in the results file would be a live credential for 15 minutes: only its kind is kept. */
function redactHeaders(headers) {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      name.toLowerCase() === 'authorization' ? `${String(value).split(' ')[0]} …` : value,
    ]),
  );
}

function machine() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    totalMemoryGb: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

function cpuTimes() {
  // First line of /proc/stat: cpu user nice system idle iowait irq softirq steal (in clock ticks).
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  return { idle: ticks[3] + ticks[4], total: ticks.reduce((sum, value) => sum + value, 0) };
}

/** Share of the whole machine's CPU in use while none of the benchmark's processes run: what others are using. */
async function measureBackgroundCpu(sampleMs = 1_000) {
  const before = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, sampleMs));
  const after = cpuTimes();
  const total = after.total - before.total;
  return total > 0 ? 1 - (after.idle - before.idle) / total : 0;
}

/** Waits (at most `timeoutMs`) until other processes use at most BUSY_MACHINE_SHARE of the CPU. */
async function waitForQuietMachine(timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let busy = await measureBackgroundCpu();
  while (busy > BUSY_MACHINE_SHARE && Date.now() < deadline) busy = await measureBackgroundCpu();
  if (busy > BUSY_MACHINE_SHARE) {
    console.log(`    (the machine was still ${percent(busy)} busy after ${timeoutMs / 1000} s; going on)`);
  }
}

const formatRate = (value) => Math.round(value).toLocaleString('en-US');
const formatMs = (value) => value.toFixed(2);
const percent = (share) => `${Math.round(share * 100)}%`;

function formatTable(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row) =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join(' | ');
  const separator = widths.map((width) => '-'.repeat(width)).join('-|-');
  return [line(rows[0]), separator, ...rows.slice(1).map(line)].join('\n');
}

function printReport(report) {
  const { machine: host, settings } = report;
  console.log(`\nStorekeep HTTP benchmark, ${report.date}`);
  console.log(
    `Machine: ${host.cpuModel}, ${host.cores} cores, ${host.totalMemoryGb} GB RAM, Node ${host.node}, ${host.os}`,
  );
  console.log(
    `Settings: ${settings.rounds} alternating rounds of ${settings.durationSeconds} s per side after a ` +
      `${settings.warmupSeconds} s warm-up, ratio = median of the rounds' ratios, ` +
      `${settings.connections} connections unless a scenario sets its own, pipelining ${settings.pipelining}; ` +
      `memory budget ${settings.memoryBudgetMb} MB`,
  );
  const extraEnvironment = Object.entries(settings.appEnv);
  if (extraEnvironment.length > 0) {
    console.log(
      `App environment added with --app-env: ${extraEnvironment.map(([k, v]) => `${k}=${v}`).join(' ')}`,
    );
  }
  const { before, after } = report.backgroundCpu;
  if (Math.max(before, after) > BUSY_MACHINE_SHARE) {
    console.log(
      `WARNING: other processes kept the CPU busy (${percent(before)} before the run, ${percent(after)} after): ` +
        'these numbers are noisy, rerun on a quiet machine before trusting a budget verdict',
    );
  }
  if (report.catalog) {
    const { catalog } = report;
    console.log(
      `Catalog: ${CATALOG.products} products (seed ${CATALOG.seed}, ${catalog.activeProducts} active), ` +
        (catalog.reseeded
          ? `seeded in ${catalog.seedSeconds.toFixed(1)} s`
          : 'kept from the last run (--keep-db)') +
        `; detail slug ${catalog.detailSlug}; ${catalog.searchWords.length} search words`,
    );
  }
  console.log('');
  const header = [
    'scenario',
    'conns',
    'app req/s',
    'app p50 ms',
    'app p99 ms',
    'bare req/s',
    'bare p50',
    'bare p99',
    'ratio',
    'peak RSS MB',
    'app unexpected/err',
    'budget',
  ];
  const rows = report.scenarios.map((result) => [
    result.name,
    String(result.connections),
    formatRate(result.app.requestsPerSecond),
    formatMs(result.app.latencyP50Ms),
    formatMs(result.app.latencyP99Ms),
    formatRate(result.bare.requestsPerSecond),
    formatMs(result.bare.latencyP50Ms),
    formatMs(result.bare.latencyP99Ms),
    result.ratio.toFixed(2),
    result.peakRssMb.toFixed(1),
    `${result.app.unexpected}/${result.app.errors}`,
    [result.verdict, ...describeBudgets(result)].join(', '),
  ]);
  console.log(formatTable([header, ...rows]));
  for (const result of report.scenarios) {
    console.log(
      `  ${result.name}: ratios per round ${result.ratios.map((ratio) => ratio.toFixed(2)).join(', ')}` +
        ` (app ${result.app.rounds.join(', ')} req/s; bare ${result.bare.rounds.join(', ')} req/s);` +
        ` app p99 over every round ${formatMs(result.app.latencyP99AllRoundsMs)} ms` +
        (result.cold ? `; ${percent(result.cold.share)} of the app's requests missed the cache` : ''),
    );
  }

  const notes = report.scenarios.flatMap((result) => [
    ...result.failures.map((failure) => `  FAIL ${result.name}: ${failure}`),
    ...result.flags.map((flag) => `  FLAG ${result.name}: ${flag}`),
  ]);
  if (notes.length > 0) console.log(`\n${notes.join('\n')}`);
  if (report.login) printLogin(report.login, settings);
  console.log(`\n${report.passed ? 'All budgets met.' : 'Budget FAILED.'}`);
}

function printLogin(login, settings) {
  const { throughput, stress, probe } = login;
  console.log(
    `\nLogin: ${login.route} (argon2id), ${login.users} accounts, ${login.identities}; no bare ceiling ` +
      `(the work is the hash, by design)`,
  );
  const header = ['run', 'logins/s', 'p50 ms', 'p99 ms', 'max ms', 'peak RSS MB', 'non-2xx/err'];
  const row = (label, run) => [
    label,
    run.loginsPerSecond.toFixed(1),
    formatMs(run.latencyP50Ms),
    formatMs(run.latencyP99Ms),
    formatMs(run.latencyMaxMs),
    run.peakRssMb.toFixed(1),
    `${run.non2xx}/${run.errors}`,
  ];
  console.log(
    formatTable([
      header,
      row(`${throughput.connections} connections, ${settings.loginDurationSeconds} s`, throughput),
      row(`${stress.connections} connections, ${settings.loginDurationSeconds} s`, stress),
    ]),
  );
  const describeProbe = (run) =>
    `p50 ${formatMs(run.latencyP50Ms)} ms, p99 ${formatMs(run.latencyP99Ms)} ms, max ${formatMs(run.latencyMaxMs)} ms ` +
    `(${formatRate(run.requestsPerSecond)} req/s, ${run.non2xx} non-2xx, ${run.errors} errors)`;
  console.log(
    `  ${probe.method} ${probe.path} at ${probe.rate} req/s over ${probe.connections} connections:\n` +
      `    alone:                     ${describeProbe(probe.alone)}\n` +
      `    during ${stress.connections} logins:         ${describeProbe(probe.duringStress)}`,
  );
  console.log(
    `  budgets: ${probe.path} p99 during the logins < ${probe.p99BudgetMs} ms, peak RSS ≤ ` +
      `${settings.memoryBudgetMb} MB (${login.peakRssMb.toFixed(1)} MB): ${login.verdict}`,
  );
  for (const failure of login.failures) console.log(`  FAIL login: ${failure}`);
}

/** Written to a temporary file first so that an interrupted run never leaves a truncated latest.json. */
async function writeResults(report) {
  await mkdir(dirname(RESULTS_FILE), { recursive: true });
  const temporary = `${RESULTS_FILE}.tmp`;
  await writeFile(temporary, `${JSON.stringify(report, null, 2)}\n`);
  await rename(temporary, RESULTS_FILE);
  console.log(`Results written to ${RESULTS_FILE.slice(ROOT_DIR.length + 1)}`);
}

// ---------------------------------------------------------------------------------------------------------------

/** The selected scenarios in runs of one app process each: one per distinct `appEnv`, in order of first use. */
function appPhases(settings) {
  const phases = new Map();
  for (const scenario of SCENARIOS.filter((candidate) => settings.selectedScenarios.includes(candidate.id))) {
    const appEnv = { ...settings.appEnv, ...scenario.appEnv };
    const key = JSON.stringify(Object.entries(appEnv).sort());
    if (!phases.has(key)) phases.set(key, { appEnv, scenarios: [] });
    phases.get(key).scenarios.push(scenario);
  }
  return [...phases.values()];
}

async function main() {
  const settings = readSettings();
  const date = new Date().toISOString();
  const phases = appPhases(settings);
  if (phases.length === 0 && !settings.login)
    throw new Error('no scenario selected (see --only, --scenarios)');
  console.log(
    `› Scenarios: ${[...settings.selectedScenarios, ...(settings.login ? [LOGIN_ID] : [])].join(', ')}`,
  );
  if (settings.build) await buildApp();
  else if (!existsSync(APP_ENTRY)) throw new Error(`${APP_ENTRY} does not exist: run without --no-build`);

  await prepareDatabase(settings);
  await clearRedisPrefix();
  const needsCatalog = phases.some((phase) =>
    phase.scenarios.some((scenario) => scenario.group === 'catalog'),
  );
  const catalog = needsCatalog ? await prepareCatalog(settings) : null;
  const context = { catalog };
  // MariaDB keeps working for a few seconds after a bulk insert (purge, full-text index sync).
  if (catalog?.reseeded) await waitForQuietMachine();
  const backgroundCpu = { before: await measureBackgroundCpu() };
  const results = new Map();
  for (const phase of phases) {
    const app = await startApp(phase.appEnv);
    for (const scenario of phase.scenarios) {
      assertAlive(app);
      results.set(scenario.id, await benchmarkScenario(app, scenario, settings, context));
    }
    await stopChild(app.child);
  }
  const scenarios = SCENARIOS.filter((scenario) => results.has(scenario.id)).map((scenario) =>
    results.get(scenario.id),
  );
  const login = settings.login ? await benchmarkLogin(settings) : null;
  backgroundCpu.after = await measureBackgroundCpu();

  const report = {
    date,
    machine: machine(),
    settings,
    backgroundCpu,
    catalog: catalog && {
      products: CATALOG.products,
      seed: CATALOG.seed,
      activeProducts: catalog.activeProducts,
      reseeded: catalog.reseeded,
      seedSeconds: catalog.seedSeconds ?? null,
      detailSlug: catalog.detailSlug,
      searchWords: catalog.searchWords,
    },
    scenarios,
    login,
    passed: scenarios.every((result) => result.failures.length === 0) && (login?.failures.length ?? 0) === 0,
  };
  printReport(report);
  await writeResults(report);
  return report.passed ? 0 : 1;
}

/** The cold search leaves thousands of cache entries behind (~10 KB each): not kept in the shared Redis. */
async function cleanUp() {
  await stopAllChildren();
  await clearRedisPrefix().catch((error) =>
    console.error(`could not clear the ${REDIS.prefix}: keys in Redis: ${error.message}`),
  );
}

main().then(
  (exitCode) => cleanUp().then(() => process.exit(exitCode)),
  (error) => {
    const logs = currentApp?.output.stdout.text.slice(-4_000);
    if (logs) console.error(`--- end of the app's log ---\n${logs}`);
    console.error(`\nBenchmark failed: ${error instanceof Error ? error.message : String(error)}`);
    cleanUp().finally(() => process.exit(1));
  },
);
