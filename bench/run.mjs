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
// The commerce group sets up a shop in the bench database first (an admin registered through the API and promoted
// in SQL, a stock location, a DE shipping zone and method, a DE tax rate, products with stock, all through the
// admin API). `add-to-cart` is an ordinary scenario (autocannon against a bare ceiling) over thousands of guest
// carts written straight to the database beforehand. `checkout` is a closed loop of virtual shoppers, each
// repeating the whole guest flow (new cart, 3 lines, address, shipping method, checkout with a fresh
// Idempotency-Key); it reports checkouts/s and latencies, and ends with its own check that nothing was oversold.
// `payment` starts the API with a worker beside it (SANDBOX_WEBHOOK_URL at the API) and pays card orders through
// the sandbox provider: orders placed beforehand paid with the success card, ready carts checked out and paid in
// one go, and orders paid with the card that succeeds after a delay, by webhook (settled and delivered by the
// worker, applied through the outbox). It reports orders paid/s and the time from the payment request to the order
// reading `paid` (p50/p99), ends with its own check (each order paid once, one charge, every webhook applied, no
// oversell), and has no budget but memory (see PAYMENT).
//
// Usage: npm run bench [-- --duration 3 --rounds 5 --connections 10 --login-duration 20 --no-login --no-build
//                         --checkout-duration 15 --shoppers 20 --payment-orders 600 --payers 20 --delayed-payers 100
//                         --only GROUP[,GROUP] --scenarios ID[,ID] --keep-db --app-env NAME=value ... --help]
//        (or BENCH_DURATION / BENCH_ROUNDS / BENCH_CONNECTIONS / BENCH_LOGIN_DURATION in the environment; flags win)
//   --duration, --rounds   measured seconds per side and round, and the number of alternating rounds
//   --connections          default connection count (a scenario may set its own: the cold search uses 50)
//   --only                 run only these groups (repeatable or comma-separated): core (/health/live, /docs-json),
//                          auth (/v1/me and the login section), catalog (every catalog scenario), commerce
//                          (add-to-cart, the checkout section and the payment section)
//   --scenarios            run only these scenario ids (repeatable or comma-separated; `login` is the login
//                          section, `checkout` the checkout section, `payment` the payment section); combined with
//                          --only, a scenario runs when either selects it. Ids: health, docs, me, login,
//                          catalog-list, catalog-detail, catalog-304, catalog-search-cold, catalog-list-nocache,
//                          catalog-detail-nocache, add-to-cart, checkout, payment
//   --checkout-duration    measured seconds of the checkout section (after its own warm-up)
//   --shoppers             concurrent virtual shoppers of the checkout section
//   --payment-orders       orders in each of the payment section's three runs
//   --payers               concurrent customers of the payment section's success-card runs
//   --delayed-payers       concurrent customers of its delayed-card run (each waits the settle delay)
//   --no-login             skip the login section (whatever --only or --scenarios say)
//   --no-build             use the existing dist/ instead of running `nest build` first
//   --keep-db              keep the bench database instead of recreating it, and skip the catalog seed when the
//                          database still holds exactly the catalog the last seed wrote (same seed sources and
//                          migrations, same table checksums; see bench/results/catalog-fingerprint.json)
//   --app-env NAME=value   (repeatable) adds a variable to every app process's environment, to measure a setting
//                          before adopting it; a scenario's own variables (CATALOG_CACHE_ENABLED=false) win
//                          (e.g. --app-env SANDBOX_SETTLE_DELAY_MS=1000 for the payment section's delayed card)
//   --help                 prints this usage and exits
// Examples: npm run bench -- --no-build --only catalog --no-login
//           npm run bench -- --no-build --scenarios catalog-list,catalog-304 --rounds 3 --keep-db
//           npm run bench -- --no-build --only commerce
//           npm run bench -- --scenarios payment
import { fork, spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
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
 * - A returned `requestStream(side)` makes the whole request vary (path, headers, body): it is called once for the
 *   app ('app') and once for the bare server ('bare'), and each call returns a `next()` giving { path, headers?,
 *   body? } per request (the bare server's requests never use up what the app's need, e.g. fresh carts).
 *   `barePath` is then the bare server's route pattern (`/v1/carts/:id/items`), and its answer has the median size
 *   of a sample of the app's. A returned `describeRun()` adds facts about the run to the result (`details`).
 * - `context.settings` holds the run's settings; `context.shop` the commerce shop once set up (see setUpShop).
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
  {
    id: 'add-to-cart',
    group: 'commerce',
    name: 'POST /v1/carts/{id}/items (guest, X-Cart-Token)',
    method: 'POST',
    path: '/v1/carts/{id}/items',
    barePath: '/v1/carts/:id/items',
    expectedStatus: 200,
    minRatio: 0.1,
    prepare: (app, context) => prepareAddToCart(app, context),
  },
];
const SCENARIO_GROUPS = ['core', 'auth', 'catalog', 'commerce'];
/** The login section's id and group for --scenarios and --only. */
const LOGIN_ID = 'login';
const LOGIN_GROUP = 'auth';
/** The checkout section's id and group for --scenarios and --only. */
const CHECKOUT_ID = 'checkout';
const CHECKOUT_GROUP = 'commerce';
/** The payment section's id and group for --scenarios and --only. */
const PAYMENT_ID = 'payment';
const PAYMENT_GROUP = 'commerce';

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

/** The shop the commerce group sells from (set up once per run through the admin API; see setUpShop). */
const SHOP = {
  admin: { email: 'bench-admin@example.com', password: 'bench-admin-password-5f2c', name: 'Bench Admin' },
  taxRateBp: 1_900,
  shippingRate: 490,
  // Units received per variant: the most one inventory adjustment takes, far more than any run sells.
  stockPerVariant: 1_000_000,
  address: {
    firstName: 'Ada',
    lastName: 'Lovelace',
    line1: 'Hauptstraße 1',
    city: 'Berlin',
    postalCode: '10115',
    country: 'DE',
  },
};

/**
 * add-to-cart: guest carts written straight to the database (as test/support/cart-factory.ts does), each holding
 * `initialLines` lines, and a pool of `variants`. Request n goes to cart n mod C and adds the variant after the
 * cart's own ones, (c + initialLines + pass) mod V, quantity 1: on the first pass over the carts every request
 * adds a third line to a two-line cart (so every answer is a three-line cart, and the bare ceiling's body matches
 * all of them); should a run outlast the carts, the next pass adds a fourth line, and so on up to V lines, then
 * raises quantities by 1. V stays far below CART_MAX_LINES (100) and a line would need ~1,000 passes to reach 999.
 * C is sized for `maxExpectedRps` over the whole scenario (warm-up, answer sample and every round).
 */
const ADD_TO_CART = {
  variants: 16,
  initialLines: 2,
  maxExpectedRps: 1_500,
  minCarts: 2_000,
  insertChunk: 2_000,
};

/**
 * The checkout section: `shoppers` virtual shoppers (--shoppers), each looping the whole guest flow over one
 * keep-alive connection of its own: POST /v1/carts, 3 × POST …/items (3 different variants of `variants`, 1-2
 * units each), PUT …/addresses (DE, with the guest's email), PUT …/shipping-method, POST …/checkout with a fresh
 * Idempotency-Key. Closed loop: a shopper starts the next flow when the last one ended.
 */
const CHECKOUT = {
  variants: 48,
  linesPerCheckout: 3,
  shoppers: 20,
  warmupSeconds: 3,
  defaultDurationSeconds: 15,
  // ≥ 200 checkouts per second on this 2-core machine (issue 5).
  minCheckoutsPerSecond: 200,
  timeoutMs: 30_000,
};

/**
 * The payment section (issue 6): card payments through the built-in sandbox provider, from the payment request
 * to the order reading `paid`. It runs the app as deployed: the API and a worker process (outbox relay, the
 * sandbox's settle and webhook-delivery jobs, the jobs that apply webhooks), both with SANDBOX_WEBHOOK_URL at the
 * bench API and a webhook secret of the run. Three runs, each over orders of its own, by virtual customers in a
 * closed loop, each on a keep-alive connection of its own; every order is a guest order of `linesPerOrder` lines
 * (guest carts ready for checkout written to the database, as test/support/cart-factory.ts does):
 * - `card`: orders placed beforehand (POST …/checkout, paymentMethod card), each paid with the sandbox's success
 *   card (POST /v1/orders/{id}/payments, Idempotency-Key), then read (GET /v1/orders/{id}, X-Order-Token) at once
 *   after the 201 and every `pollIntervalMs` until it reads `paid`. With automatic capture the card is captured
 *   within the request, so the first read normally finds the order paid; the sandbox also announces the capture
 *   by webhook, which the API receives and the worker applies meanwhile (no news for the order, but work on the
 *   same cores).
 * - `checkout-card`: ready carts checked out (card) and paid in one go: orders placed and paid per second.
 * - `delayed-card`: the "succeeds after a delay" card. The payment answers `pending`; SANDBOX_SETTLE_DELAY_MS
 *   later the worker settles the charge and delivers a signed webhook to the API, which records it with an outbox
 *   row; the worker relays that to a job and applies it, and only then does the order read `paid`. Reads start
 *   once the settle delay has passed since the request (the order cannot be paid before). Every customer waits
 *   the delay, so this run has `delayedPayers` of them, their starts spread over one delay.
 * Time to paid: from sending the payment request to the answer of the first read that said `paid` (so up to one
 * poll interval late); the order's `paidAt` (written by the app on this machine's clock) gives it without the
 * poll. No budget (issue 6 sets none): reported only, bar the API's memory budget and the section's final check.
 */
const PAYMENT = {
  variants: 48,
  linesPerOrder: 3,
  payers: 20,
  delayedPayers: 100,
  ordersPerRun: 600,
  warmupOrders: 40,
  delayedWarmupOrders: 10,
  // Reads while an order is not paid yet (the success card's first read, at once after the 201, normally finds
  // it paid). The delayed card's customers read less often: their reads are what loads the app most. With 100 of
  // them reading every 20 ms (100 ms) once the delay had passed, an order took 17 (13) reads, and the reads took
  // about two thirds of the API's CPU, so the webhooks queued behind them. The order's paidAt needs no poll.
  pollIntervalMs: 100,
  delayedPollIntervalMs: 250,
  // An order not paid this long after its payment request counts as a failed flow.
  paidTimeoutMs: 60_000,
  // Between runs: how long the worker may take to work off the webhooks of the run before.
  drainTimeoutMs: 120_000,
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
const WORKER_ENTRY = join(ROOT_DIR, 'dist/src/worker.js');
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
      'checkout-duration': { type: 'string' },
      shoppers: { type: 'string' },
      'payment-orders': { type: 'string' },
      payers: { type: 'string' },
      'delayed-payers': { type: 'string' },
      'no-login': { type: 'boolean', default: false },
      'app-env': { type: 'string', multiple: true, default: [] },
      'no-build': { type: 'boolean', default: false },
      'keep-db': { type: 'boolean', default: false },
      only: { type: 'string', multiple: true, default: [] },
      scenarios: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const only = listOption('only', values.only, SCENARIO_GROUPS);
  const ids = listOption('scenarios', values.scenarios, [
    ...SCENARIOS.map((scenario) => scenario.id),
    LOGIN_ID,
    CHECKOUT_ID,
    PAYMENT_ID,
  ]);
  // Nothing asked for means everything.
  const selects = (id, group) =>
    (only.length === 0 && ids.length === 0) || only.includes(group) || ids.includes(id);
  return {
    help: values.help,
    build: !values['no-build'],
    keepDb: values['keep-db'],
    only,
    scenarioIds: ids,
    selectedScenarios: SCENARIOS.filter((scenario) => selects(scenario.id, scenario.group)).map(
      (scenario) => scenario.id,
    ),
    login: !values['no-login'] && selects(LOGIN_ID, LOGIN_GROUP),
    checkout: selects(CHECKOUT_ID, CHECKOUT_GROUP),
    checkoutDurationSeconds: positiveInteger(
      'checkout-duration',
      values['checkout-duration'] ?? process.env.BENCH_CHECKOUT_DURATION ?? CHECKOUT.defaultDurationSeconds,
    ),
    shoppers: positiveInteger('shoppers', values.shoppers ?? process.env.BENCH_SHOPPERS ?? CHECKOUT.shoppers),
    payment: selects(PAYMENT_ID, PAYMENT_GROUP),
    paymentOrders: positiveInteger(
      'payment-orders',
      values['payment-orders'] ?? process.env.BENCH_PAYMENT_ORDERS ?? PAYMENT.ordersPerRun,
    ),
    payers: positiveInteger('payers', values.payers ?? process.env.BENCH_PAYERS ?? PAYMENT.payers),
    delayedPayers: positiveInteger(
      'delayed-payers',
      values['delayed-payers'] ?? process.env.BENCH_DELAYED_PAYERS ?? PAYMENT.delayedPayers,
    ),
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

/** The scenario's next request for node:http: from its request stream when it has one (see `requestStream`). */
function streamedRequest(scenario, next) {
  const base = requestBody(scenario);
  if (!next) return { method: scenario.method, path: scenario.nextPath?.() ?? scenario.path, ...base };
  const varying = next();
  return {
    method: scenario.method,
    path: varying.path,
    headers: { ...base.headers, ...varying.headers },
    body: varying.body ?? base.body,
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

/** `port`: where to listen (default: a free port); the payment section must know it before the start. */
async function startApp(environmentOverrides, port = undefined) {
  port ??= await freePort();
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
async function startBareServer(scenario, answer, next) {
  const child = track(
    fork(join(BENCH_DIR, 'bare-server.mjs'), [], {
      cwd: ROOT_DIR,
      env: {
        PATH: process.env.PATH,
        BARE_METHOD: scenario.method,
        BARE_PATH: scenario.barePath ?? new URL(scenario.path, 'http://bench.invalid').pathname,
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
  const check = await request(baseUrl, streamedRequest(scenario, next));
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
async function load(baseUrl, scenario, settings, durationSeconds, next) {
  const { headers, body } = requestBody(scenario);
  const { nextPath } = scenario;
  return runAutocannon({
    url: new URL(next ? '/' : scenario.path, baseUrl).href,
    method: scenario.method,
    headers,
    body,
    // autocannon builds every request anew through setupRequest, on every connection, from one shared generator.
    ...(nextPath &&
      !next && {
        requests: [
          { method: scenario.method, setupRequest: (request) => ({ ...request, path: nextPath() }) },
        ],
      }),
    ...(next && {
      requests: [
        {
          method: scenario.method,
          setupRequest: (request) => {
            const varying = next();
            return {
              ...request,
              path: varying.path,
              headers: { ...request.headers, ...varying.headers },
              body: varying.body ?? request.body,
            };
          },
        },
      ],
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
async function learnAnswer(app, scenario, next) {
  const sampled = next || scenario.nextPath ? SEARCH.sampleSize : 1;
  const answers = [];
  for (let index = 0; index < sampled; index++) {
    const sent = streamedRequest(scenario, next);
    const answer = await request(app.baseUrl, sent);
    if (!isExpected(answer.status, scenario.expectedStatus)) {
      throw new Error(
        `${scenario.method} ${sent.path} answered ${answer.status}: ${answer.body.toString('utf8').slice(0, 500)}`,
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
  // Separate streams: the bare server's requests must not use up the app's (fresh carts, say).
  const appNext = scenario.requestStream?.('app');
  const bareNext = scenario.requestStream?.('bare');
  const response = await learnAnswer(app, scenario, appNext);
  console.log(
    `    ${scenario.method} ${scenario.nextPath ? `${scenario.nextPath()} and so on` : scenario.path}: ` +
      `the app answers ${response.status} with ${response.bodyBytes} bytes of ${response.contentType}` +
      (response.bodyBytesRange
        ? ` (median of ${response.sampled} answers of ${response.bodyBytesRange.join('-')} bytes)`
        : '') +
      `; ${connections} connections`,
  );

  // The bare server stays up (idle) during the app's runs: it costs nothing while no load reaches it.
  const bare = await startBareServer(scenario, response, bareNext);
  const bareRuns = [];
  const appRuns = [];
  let appRequestsSent = response.sampled ?? 1;
  const appResponseTimesMs = [];
  let peakRssMb = 0;
  try {
    console.log(`    warm-up: ${settings.warmupSeconds} s each (JIT, pools, caches), discarded`);
    await load(bare.baseUrl, scenario, settings, settings.warmupSeconds, bareNext);
    appRequestsSent += (await load(app.baseUrl, scenario, settings, settings.warmupSeconds, appNext)).result
      .requests.sent;
    for (let round = 1; round <= settings.rounds; round++) {
      console.log(
        `    round ${round}/${settings.rounds}: ${settings.durationSeconds} s bare, ${settings.durationSeconds} s app`,
      );
      bareRuns.push(
        summarize(
          await load(bare.baseUrl, scenario, settings, settings.durationSeconds, bareNext),
          response.status,
        ),
      );
      const stopSampling = sampleRss(app.child.pid);
      const appRun = await load(app.baseUrl, scenario, settings, settings.durationSeconds, appNext);
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
    details: scenario.describeRun?.(),
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

/** `app`: the app, or any process started like it (the worker: `label`). */
function assertAlive(app) {
  if (!hasExited(app.child)) return;
  const label = app.label ?? 'app';
  console.error(`--- ${label} stderr ---\n${app.output.stderr.text || '(empty)'}`);
  if (app.output.stdout.text) console.error(`--- ${label} stdout ---\n${app.output.stdout.text}`);
  throw new Error(
    `the ${label} exited during the benchmark (${app.child.signalCode ?? `code ${app.child.exitCode}`})`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Commerce: the shop, add-to-cart and the checkout section

/** One admin call; anything but 2xx is fatal (the shop could not be set up). */
async function adminCall(app, token, method, path, body, allowed = []) {
  const response = await request(
    app.baseUrl,
    {
      method,
      path,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
    30_000,
  );
  const text = response.body.toString('utf8');
  if (!isSuccess(response.status) && !allowed.includes(response.status)) {
    throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
  }
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/**
 * A signed-in admin: registered through the API and promoted in SQL (the only way a shop's first admin exists,
 * as in test/support/auth-client.ts). Signed in anew on every call: an access token lives 15 minutes, a whole run
 * may take longer.
 */
async function adminToken(app) {
  await register(app.baseUrl, SHOP.admin);
  const connection = await connectToServer();
  try {
    await connection.query(
      `UPDATE \`${DATABASE.name}\`.users SET role = 'admin', version = version + 1 WHERE email = ? AND role <> 'admin'`,
      [SHOP.admin.email],
    );
  } finally {
    await connection.end();
  }
  return (await signIn(app.baseUrl, SHOP.admin)).accessToken;
}

/**
 * What a shop needs to sell to Germany, through the admin API as a merchant would set it up (as ShopAdmin.setUp in
 * test/support/shop-client.ts): a stock location, a shipping zone for DE with a flat-rate method, the DE tax rate.
 * Once per run (the rows live in the database, whichever app process reads them). With --keep-db a previous run's
 * zone may hold DE already: then its method is used, and the existing tax rate stays.
 */
async function setUpShop(app, context) {
  if (context.shop) return context.shop;
  console.log(
    '    setting up the shop through the admin API (location, DE shipping zone and method, tax rate)',
  );
  const token = await adminToken(app);
  const tag = randomBytes(4).toString('hex');
  const location = await adminCall(app, token, 'POST', '/v1/admin/locations', {
    code: `bench-${tag}`,
    name: 'Bench warehouse',
    priority: 0,
  });
  const zone = await adminCall(
    app,
    token,
    'POST',
    '/v1/admin/shipping-zones',
    { name: `Bench zone ${tag}`, countries: ['DE'] },
    [409],
  );
  let shippingMethodId;
  if (zone.status === 409) {
    const offered = await request(app.baseUrl, { method: 'GET', path: '/v1/shipping-methods?country=DE' });
    shippingMethodId = JSON.parse(offered.body.toString('utf8')).data?.[0]?.id;
    if (!shippingMethodId) throw new Error('DE belongs to a shipping zone without a method');
  } else {
    const method = await adminCall(app, token, 'POST', `/v1/admin/shipping-zones/${zone.body.id}/methods`, {
      name: 'Standard',
      rate: SHOP.shippingRate,
      freeOver: null,
    });
    shippingMethodId = method.body.id;
  }
  await adminCall(
    app,
    token,
    'POST',
    '/v1/admin/tax-rates',
    { country: 'DE', name: 'MwSt', rateBp: SHOP.taxRateBp },
    [409],
  );
  context.shop = { locationId: location.body.id, shippingMethodId };
  return context.shop;
}

/**
 * `count` new single-variant products, active, each with SHOP.stockPerVariant units received at the shop's
 * location, through the admin API (a few at a time). New ones for every scenario and run, so the final stock
 * check of a run sees only that run's orders.
 */
async function createStockedVariants(app, shop, count, label) {
  const token = await adminToken(app);
  const tag = randomBytes(4).toString('hex');
  const variants = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const slug = `bench-${label}-${tag}-${index}`;
      const product = await adminCall(app, token, 'POST', '/v1/admin/products', {
        title: `Bench ${label} ${tag} ${index}`,
        slug,
        status: 'active',
        description: '<p>A product of the commerce benchmark.</p>',
        options: [],
        variants: [{ sku: slug.toUpperCase(), price: 990 + 37 * index }],
      });
      const variantId = product.body.variants[0].id;
      await adminCall(app, token, 'POST', '/v1/admin/inventory/adjustments', {
        variantId,
        locationId: shop.locationId,
        delta: SHOP.stockPerVariant,
        reason: 'received',
      });
      variants[index] = variantId;
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return variants;
}

/** Guest carts written straight to the database (test/support/cart-factory.ts does the same for the tests). */
async function insertGuestCarts(count, linesOf) {
  const carts = Array.from({ length: count }, () => ({
    id: randomUUID(),
    token: randomBytes(24).toString('base64url'),
  }));
  const connection = await connectToServer();
  try {
    for (let start = 0; start < count; start += ADD_TO_CART.insertChunk) {
      const chunk = carts.slice(start, start + ADD_TO_CART.insertChunk);
      await connection.query(
        `INSERT INTO \`${DATABASE.name}\`.carts (id, token_hash, status, currency, version) VALUES ?`,
        [
          chunk.map((cart) => [
            cart.id,
            createHash('sha256').update(cart.token, 'utf8').digest('hex'),
            'active',
            'EUR',
            1,
          ]),
        ],
      );
      const items = chunk.flatMap((cart, offset) =>
        linesOf(start + offset).map((variantId) => [randomUUID(), cart.id, variantId, 1]),
      );
      if (items.length > 0) {
        await connection.query(
          `INSERT INTO \`${DATABASE.name}\`.cart_items (id, cart_id, variant_id, quantity) VALUES ?`,
          [items],
        );
      }
    }
  } finally {
    await connection.end();
  }
  return carts;
}

/** The add-to-cart scenario's carts, variants and request stream (see ADD_TO_CART). */
async function prepareAddToCart(app, context) {
  const shop = await setUpShop(app, context);
  const { settings } = context;
  const variants = await createStockedVariants(app, shop, ADD_TO_CART.variants, 'cart');
  const scenarioSeconds =
    2 * settings.warmupSeconds + settings.rounds * settings.durationSeconds + SEARCH.sampleSize / 100;
  const cartCount = Math.max(ADD_TO_CART.minCarts, Math.ceil(ADD_TO_CART.maxExpectedRps * scenarioSeconds));
  const started = Date.now();
  const V = variants.length;
  const carts = await insertGuestCarts(cartCount, (index) =>
    Array.from({ length: ADD_TO_CART.initialLines }, (_, line) => variants[(index + line) % V]),
  );
  console.log(
    `    ${cartCount} guest carts of ${ADD_TO_CART.initialLines} lines written to the database in ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s; ${V} variants`,
  );
  const bodies = variants.map((variantId) => JSON.stringify({ variantId, quantity: 1 }));
  let appRequests = 0;
  return {
    path: `/v1/carts/${carts[0].id}/items`,
    headers: { 'content-type': 'application/json' },
    requestStream: (side) => {
      let n = 0;
      return () => {
        const index = n % cartCount;
        const pass = Math.floor(n / cartCount);
        n += 1;
        if (side === 'app') appRequests = n;
        const cart = carts[index];
        return {
          path: `/v1/carts/${cart.id}/items`,
          headers: { 'x-cart-token': cart.token },
          body: bodies[(index + ADD_TO_CART.initialLines + pass) % V],
        };
      };
    },
    describeRun: () => ({
      carts: cartCount,
      initialLinesPerCart: ADD_TO_CART.initialLines,
      variants: V,
      appRequestsBuilt: appRequests,
      passesOverTheCarts: appRequests / cartCount,
    }),
  };
}

/** A shopper's own keep-alive connection: one request at a time, as a browser tab would send them. */
function shopperConnection(baseUrl) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const { hostname, port } = new URL(baseUrl);
  const send = (method, path, headers, payload) =>
    new Promise((resolve, reject) => {
      const body = payload === undefined ? undefined : JSON.stringify(payload);
      const req = http.request(
        {
          host: hostname,
          port,
          method,
          path,
          agent,
          timeout: CHECKOUT.timeoutMs,
          headers: {
            ...headers,
            ...(body !== undefined && {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            }),
          },
        },
        (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`${method} ${path} timed out after ${CHECKOUT.timeoutMs} ms`)),
      );
      req.on('error', reject);
      req.end(body);
    });
  return { send, close: () => agent.destroy() };
}

class FlowStepError extends Error {
  constructor(step, status, text) {
    super(`${step} answered ${status}: ${text.slice(0, 300)}`);
    this.step = step;
    this.status = status;
  }
}

/** `count` distinct indices below `size`, at random. */
function distinctIndices(count, size) {
  const picked = new Set();
  while (picked.size < count) picked.add(Math.floor(Math.random() * size));
  return [...picked];
}

/**
 * One shopper's whole checkout: the flow's and the checkout request's times (ms), and the units the order
 * reserved per variant index. Throws FlowStepError at the first answer other than the expected one.
 */
async function checkoutFlow(connection, run, n) {
  const { shop, variants, tag, statuses } = run;
  const step = async (name, method, path, headers, body, expected) => {
    let response;
    try {
      response = await connection.send(method, path, headers, body);
    } catch (error) {
      statuses[name].error = (statuses[name].error ?? 0) + 1;
      throw new FlowStepError(name, 'error', error.message);
    }
    statuses[name][response.status] = (statuses[name][response.status] ?? 0) + 1;
    if (response.status !== expected) throw new FlowStepError(name, response.status, response.text);
    return response;
  };
  const started = performance.now();
  const created = JSON.parse((await step('create', 'POST', '/v1/carts', {}, {}, 201)).text);
  const cart = `/v1/carts/${created.id}`;
  const headers = { 'x-cart-token': created.token };
  const lines = distinctIndices(CHECKOUT.linesPerCheckout, variants.length).map((index) => ({
    index,
    quantity: 1 + Math.floor(Math.random() * 2),
  }));
  for (const line of lines) {
    await step(
      'add',
      'POST',
      `${cart}/items`,
      headers,
      { variantId: variants[line.index], quantity: line.quantity },
      200,
    );
  }
  await step(
    'address',
    'PUT',
    `${cart}/addresses`,
    headers,
    { shippingAddress: SHOP.address, email: `bench-checkout-${tag}-${n}@example.test` },
    200,
  );
  await step(
    'shipping',
    'PUT',
    `${cart}/shipping-method`,
    headers,
    { shippingMethodId: shop.shippingMethodId },
    200,
  );
  const checkoutStarted = performance.now();
  await step(
    'checkout',
    'POST',
    `${cart}/checkout`,
    { ...headers, 'idempotency-key': randomUUID() },
    { paymentMethod: 'bank_transfer' },
    201,
  );
  const ended = performance.now();
  for (const line of lines) run.unitsGranted[line.index] += line.quantity;
  return { flowMs: ended - started, checkoutMs: ended - checkoutStarted, endedAt: ended };
}

const CHECKOUT_STEPS = ['create', 'add', 'address', 'shipping', 'checkout'];
// A dead app makes every flow fail at once: stop looping after this many failures.
const CHECKOUT_MAX_FAILURES = 200;

/** Every shopper loops the flow until `seconds` have passed (closed loop); flows under way then are finished. */
async function runShoppers(run, connections, seconds) {
  const startedAt = performance.now();
  const deadline = startedAt + seconds * 1000;
  const flows = [];
  await Promise.all(
    connections.map(async (connection) => {
      while (performance.now() < deadline && run.failures.length < CHECKOUT_MAX_FAILURES) {
        const n = run.nextFlow++;
        try {
          flows.push(await checkoutFlow(connection, run, n));
        } catch (error) {
          if (!(error instanceof FlowStepError)) throw error;
          run.failures.push({ flow: n, step: error.step, status: error.status, message: error.message });
        }
      }
    }),
  );
  return { flows, startedAt, deadline, seconds };
}

/** Process ids of MariaDB/MySQL on this machine (to split the CPU between the app and the database). */
function databasePids() {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const name = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (name === 'mariadbd' || name === 'mysqld') pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/**
 * CPU seconds used by the app, the database and this harness (and the worker, given its pid) between start() and
 * the returned stop(), and by the whole machine: `otherCores` is the rest (Redis, the kernel, anything else
 * running meanwhile, such as someone's tests: a run with much of it was disturbed).
 */
function sampleCpuSplit(appPid, workerPid = undefined) {
  const dbPids = databasePids();
  const ticks = (pids) =>
    pids.reduce((sum, pid) => {
      try {
        return sum + cpuTicksOf(pid);
      } catch {
        return sum;
      }
    }, 0);
  const workerPids = workerPid === undefined ? [] : [workerPid];
  const before = {
    app: ticks([appPid]),
    worker: ticks(workerPids),
    db: ticks(dbPids),
    harness: process.cpuUsage(),
    machine: cpuTimes(),
    at: performance.now(),
  };
  return () => {
    const wallSeconds = (performance.now() - before.at) / 1000;
    const harness = process.cpuUsage(before.harness);
    const machine = cpuTimes();
    const cores = (seconds) => Number((seconds / wallSeconds).toFixed(2));
    const split = {
      appCores: cores((ticks([appPid]) - before.app) / 100),
      ...(workerPid !== undefined && { workerCores: cores((ticks(workerPids) - before.worker) / 100) }),
      databaseCores: cores((ticks(dbPids) - before.db) / 100),
      harnessCores: cores((harness.user + harness.system) / 1e6),
    };
    const busyTicks = machine.total - before.machine.total - (machine.idle - before.machine.idle);
    const machineBusyCores = cores(busyTicks / 100);
    const known = Object.values(split).reduce((sum, value) => sum + value, 0);
    return {
      wallSeconds: Number(wallSeconds.toFixed(1)),
      ...split,
      machineBusyCores,
      otherCores: Number(Math.max(0, machineBusyCores - known).toFixed(2)),
      machineCores: os.cpus().length,
    };
  };
}

/** MariaDB's server-wide statement counters (SHOW GLOBAL STATUS). */
const STATEMENT_COUNTERS = [
  'Questions',
  'Com_select',
  'Com_insert',
  'Com_update',
  'Com_delete',
  'Com_commit',
];

async function readStatementCounters(connection) {
  const [rows] = await connection.query(
    `SHOW GLOBAL STATUS WHERE Variable_name IN (${STATEMENT_COUNTERS.map(() => '?').join(', ')})`,
    STATEMENT_COUNTERS,
  );
  return Object.fromEntries(rows.map((row) => [row.Variable_name, Number(row.Value)]));
}

/**
 * SQL statements per request of each step of the flow: the server's counters read around each request of a few
 * flows sent one at a time on an idle app, minus what two reads in a row add (the reads themselves); the minimum
 * over the flows, so a statement from anything else running on the server does not count. Server-wide counters:
 * exact only while nothing else uses the server, hence the minimum.
 */
async function countStatementsPerStep(app, run, flows = 3) {
  const connection = await connectToServer();
  const shopper = shopperConnection(app.baseUrl);
  const perStep = {};
  try {
    const delta = (before, after) =>
      Object.fromEntries(STATEMENT_COUNTERS.map((name) => [name, after[name] - before[name]]));
    const idle = delta(await readStatementCounters(connection), await readStatementCounters(connection));
    const measuring = {
      send: async (method, path, headers, body) => {
        const before = await readStatementCounters(connection);
        const response = await shopper.send(method, path, headers, body);
        const used = delta(before, await readStatementCounters(connection));
        const step = measuring.step(method, path);
        const counts = Object.fromEntries(STATEMENT_COUNTERS.map((name) => [name, used[name] - idle[name]]));
        const kept = perStep[step];
        if (!kept || counts.Questions < kept.Questions) perStep[step] = counts;
        return response;
      },
      step: (method, path) =>
        method === 'PUT'
          ? path.endsWith('/addresses')
            ? 'address'
            : 'shipping'
          : path.endsWith('/items')
            ? 'add'
            : path.endsWith('/checkout')
              ? 'checkout'
              : 'create',
    };
    for (let flow = 0; flow < flows; flow++) await checkoutFlow(measuring, run, run.nextFlow++);
  } finally {
    shopper.close();
    await connection.end();
  }
  return perStep;
}

/**
 * The benchmark's own final check, for every variant the checkouts used: nothing oversold (on_hand − reserved ≥
 * 0), nothing but the run's orders on them, reserved = the units of their pending orders = the units of the 201
 * answers, on_hand untouched, the movement ledger summing to the levels (the SQL of
 * test/support/inventory-checks.ts), and one order per 201 answer.
 */
async function checkNoOversell(run, checkoutsAnswered201) {
  const connection = await connectToServer();
  const db = `\`${DATABASE.name}\``;
  const problems = [];
  try {
    const ids = run.variants;
    const [levels] = await connection.query(
      `SELECT l.variant_id, l.location_id, l.on_hand, l.reserved,
              COALESCE(SUM(m.on_hand_delta), 0) AS ledger_on_hand, COALESCE(SUM(m.reserved_delta), 0) AS ledger_reserved
         FROM ${db}.inventory_levels l
         LEFT JOIN ${db}.inventory_movements m ON m.variant_id = l.variant_id AND m.location_id = l.location_id
        WHERE l.variant_id IN (?)
        GROUP BY l.variant_id, l.location_id, l.on_hand, l.reserved`,
      [ids],
    );
    const [pending] = await connection.query(
      `SELECT ol.variant_id, SUM(ol.quantity) AS units
         FROM ${db}.order_lines ol JOIN ${db}.orders o ON o.id = ol.order_id
        WHERE o.status = 'pending_payment' AND ol.variant_id IN (?)
        GROUP BY ol.variant_id`,
      [ids],
    );
    const runEmails = `bench-checkout-${run.tag}-%`;
    const [[{ orders }]] = await connection.query(
      `SELECT COUNT(*) AS orders FROM ${db}.orders WHERE email LIKE ?`,
      [runEmails],
    );
    const [[{ others }]] = await connection.query(
      `SELECT COUNT(DISTINCT o.id) AS others
         FROM ${db}.orders o JOIN ${db}.order_lines ol ON ol.order_id = o.id
        WHERE ol.variant_id IN (?) AND o.email NOT LIKE ?`,
      [ids, runEmails],
    );
    const pendingUnits = new Map(pending.map((row) => [row.variant_id, Number(row.units)]));
    const byVariant = new Map();
    for (const level of levels) {
      const onHand = Number(level.on_hand);
      const reserved = Number(level.reserved);
      const total = byVariant.get(level.variant_id) ?? { onHand: 0, reserved: 0 };
      byVariant.set(level.variant_id, { onHand: total.onHand + onHand, reserved: total.reserved + reserved });
      if (Number(level.ledger_on_hand) !== onHand || Number(level.ledger_reserved) !== reserved) {
        problems.push(
          `${level.variant_id}@${level.location_id}: ledger (${level.ledger_on_hand}/${level.ledger_reserved}) ` +
            `differs from the level (${onHand}/${reserved})`,
        );
      }
    }
    ids.forEach((variantId, index) => {
      const level = byVariant.get(variantId);
      if (!level) {
        problems.push(`${variantId}: no inventory level`);
        return;
      }
      const granted = run.unitsGranted[index];
      const pendingOfVariant = pendingUnits.get(variantId) ?? 0;
      if (level.onHand - level.reserved < 0)
        problems.push(`${variantId}: oversold, available ${level.onHand - level.reserved}`);
      if (level.reserved !== pendingOfVariant)
        problems.push(`${variantId}: reserved ${level.reserved}, pending orders hold ${pendingOfVariant}`);
      if (level.reserved !== granted)
        problems.push(`${variantId}: reserved ${level.reserved}, the 201 answers were for ${granted}`);
      if (level.onHand !== SHOP.stockPerVariant)
        problems.push(`${variantId}: on hand ${level.onHand}, ${SHOP.stockPerVariant} were received`);
    });
    if (Number(orders) !== checkoutsAnswered201)
      problems.push(`${orders} orders in the database for ${checkoutsAnswered201} checkouts answered 201`);
    if (Number(others) !== 0) problems.push(`${others} orders of other runs hold these variants`);
    const units = (values) => values.reduce((sum, value) => sum + value, 0);
    return {
      variants: ids.length,
      orders: Number(orders),
      checkoutsAnswered201,
      reservedUnits: units([...byVariant.values()].map((level) => level.reserved)),
      pendingUnits: units([...pendingUnits.values()]),
      grantedUnits: units(run.unitsGranted),
      problems,
      passed: problems.length === 0,
    };
  } finally {
    await connection.end();
  }
}

function summarizeTimes(values) {
  const sorted = Float64Array.from(values).sort();
  return {
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length > 0 ? sorted[sorted.length - 1] : 0,
  };
}

async function benchmarkCheckout(settings, context) {
  console.log(
    `› Checkout: ${settings.shoppers} virtual shoppers, each looping new cart → ${CHECKOUT.linesPerCheckout} × add → ` +
      'address → shipping method → checkout',
  );
  const app = await startApp(settings.appEnv);
  currentApp = app;
  try {
    const shop = await setUpShop(app, context);
    const variants = await createStockedVariants(app, shop, CHECKOUT.variants, 'checkout');
    console.log(`    ${variants.length} variants with ${formatRate(SHOP.stockPerVariant)} units each`);
    const run = {
      shop,
      variants,
      tag: randomBytes(4).toString('hex'),
      statuses: Object.fromEntries(CHECKOUT_STEPS.map((step) => [step, {}])),
      unitsGranted: variants.map(() => 0),
      failures: [],
      nextFlow: 0,
    };
    const connections = Array.from({ length: settings.shoppers }, () => shopperConnection(app.baseUrl));
    try {
      console.log(`    warm-up: ${CHECKOUT.warmupSeconds} s, discarded`);
      await runShoppers(run, connections, CHECKOUT.warmupSeconds);
      assertAlive(app);
      await waitUntilIdle(app);
      console.log(`    measured: ${settings.checkoutDurationSeconds} s`);
      const stopSampling = sampleRss(app.child.pid);
      const stopCpu = sampleCpuSplit(app.child.pid);
      const measured = await runShoppers(run, connections, settings.checkoutDurationSeconds);
      const cpu = stopCpu();
      const peakRssMb = stopSampling();
      assertAlive(app);
      const inWindow = measured.flows.filter((flow) => flow.endedAt <= measured.deadline);
      await waitUntilIdle(app);
      console.log('    counting SQL statements per request (3 flows, one request at a time)');
      const statementsPerRequest = await countStatementsPerStep(app, run);
      const checkoutsAnswered201 = run.statuses.checkout[201] ?? 0;
      console.log('    checking stock, reservations, ledger and orders');
      const check = await checkNoOversell(run, checkoutsAnswered201);
      return evaluateCheckout(settings, {
        shoppers: settings.shoppers,
        durationSeconds: settings.checkoutDurationSeconds,
        checkoutsPerSecond: inWindow.length / measured.seconds,
        checkoutsInWindow: inWindow.length,
        requestsPerSecond: (inWindow.length * (CHECKOUT.linesPerCheckout + 4)) / measured.seconds,
        flow: summarizeTimes(measured.flows.map((flow) => flow.flowMs)),
        checkout: summarizeTimes(measured.flows.map((flow) => flow.checkoutMs)),
        flowsMeasured: measured.flows.length,
        flowsStarted: run.nextFlow,
        statuses: run.statuses,
        failures: run.failures,
        peakRssMb,
        cpu,
        statementsPerRequest,
        check,
      });
    } finally {
      for (const connection of connections) connection.close();
    }
  } finally {
    await stopChild(app.child);
  }
}

function evaluateCheckout(settings, result) {
  const failures = [];
  if (result.failures.length > 0) {
    const first = result.failures[0];
    failures.push(
      `${result.failures.length} flows failed (first: flow ${first.flow}, ${first.message})` +
        (result.failures.length >= CHECKOUT_MAX_FAILURES ? '; stopped looping' : ''),
    );
  }
  if (!result.check.passed) failures.push(`final check: ${result.check.problems.slice(0, 5).join('; ')}`);
  if (result.checkoutsPerSecond < CHECKOUT.minCheckoutsPerSecond) {
    failures.push(
      `${result.checkoutsPerSecond.toFixed(1)} checkouts/s is below the ${CHECKOUT.minCheckoutsPerSecond}/s budget`,
    );
  }
  if (result.peakRssMb > settings.memoryBudgetMb) {
    failures.push(
      `peak RSS ${result.peakRssMb.toFixed(1)} MB is over the ${settings.memoryBudgetMb} MB budget`,
    );
  }
  return {
    id: CHECKOUT_ID,
    group: CHECKOUT_GROUP,
    route: `POST /v1/carts, ${CHECKOUT.linesPerCheckout} × POST …/items, PUT …/addresses (DE), PUT …/shipping-method, POST …/checkout (Idempotency-Key)`,
    variants: CHECKOUT.variants,
    minCheckoutsPerSecond: CHECKOUT.minCheckoutsPerSecond,
    ...result,
    verdict: failures.length > 0 ? 'FAIL' : 'PASS',
    failedFlows: result.failures.length,
    flowFailures: result.failures.slice(0, 20),
    failures,
  };
}

const formatCounts = (counts) =>
  Object.entries(counts)
    .map(([status, count]) => `${status}: ${formatRate(count)}`)
    .join(', ') || '-';

function printCheckout(checkout) {
  console.log(
    `\nCheckout: ${checkout.shoppers} virtual shoppers in a closed loop for ${checkout.durationSeconds} s, ` +
      `${checkout.variants} variants; one flow = ${checkout.route}`,
  );
  const header = [
    'checkouts/s',
    'req/s',
    'flow p50 ms',
    'flow p99 ms',
    'checkout p50 ms',
    'checkout p99 ms',
    'peak RSS MB',
    'failed flows',
    'budget',
  ];
  console.log(
    formatTable([
      header,
      [
        checkout.checkoutsPerSecond.toFixed(1),
        formatRate(checkout.requestsPerSecond),
        formatMs(checkout.flow.p50Ms),
        formatMs(checkout.flow.p99Ms),
        formatMs(checkout.checkout.p50Ms),
        formatMs(checkout.checkout.p99Ms),
        checkout.peakRssMb.toFixed(1),
        String(checkout.failedFlows),
        `${checkout.verdict}, ≥ ${checkout.minCheckoutsPerSecond} checkouts/s`,
      ],
    ]),
  );
  const { cpu, check } = checkout;
  console.log(
    `  CPU while measured (cores of ${cpu.machineCores}): app ${cpu.appCores}, database ${cpu.databaseCores}, ` +
      `this harness ${cpu.harnessCores}`,
  );
  console.log(
    `  SQL statements per request (${STATEMENT_COUNTERS.slice(1)
      .map((name) => name.slice(4).toLowerCase())
      .join('/')}): ` +
      CHECKOUT_STEPS.map((step) => {
        const counts = checkout.statementsPerRequest[step];
        return counts
          ? `${step} ${counts.Questions} (${STATEMENT_COUNTERS.slice(1)
              .map((name) => counts[name])
              .join('/')})`
          : `${step} -`;
      }).join(', '),
  );
  console.log(
    `  statuses: ${CHECKOUT_STEPS.map((step) => `${step} ${formatCounts(checkout.statuses[step])}`).join('; ')}`,
  );
  console.log(
    `  final check: ${check.orders} orders for ${check.checkoutsAnswered201} answers 201; ${check.variants} variants, ` +
      `reserved ${check.reservedUnits} = pending ${check.pendingUnits} = granted ${check.grantedUnits} units: ` +
      (check.passed ? 'no oversell, ledger = levels' : `FAILED (${check.problems.length} problems)`),
  );
  for (const failure of checkout.failures) console.log(`  FAIL checkout: ${failure}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Commerce: the payment section

const SANDBOX_PROVIDER_SOURCE = join(ROOT_DIR, 'src/modules/payments/providers/sandbox.provider.ts');
const ENVIRONMENT_SOURCE = join(ROOT_DIR, 'libs/config/src/environment.ts');
/** The queue the sandbox's jobs and the webhook jobs run on (src/modules/payments/jobs/payments.jobs.ts). */
const PAYMENTS_QUEUE_NAME = 'payments';
/** Queues of the payment flow whose jobs must be worked off before the next run (domain events: order.paid). */
const PAYMENT_FLOW_QUEUES = [PAYMENTS_QUEUE_NAME, 'events'];
// A dead app or worker makes every flow fail: stop after this many failures.
const PAYMENT_MAX_FAILURES = 200;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The sandbox's test cards, read from its source (bench/ is plain JavaScript and cannot import it). */
function sandboxCards() {
  const source = readFileSync(SANDBOX_PROVIDER_SOURCE, 'utf8');
  const card = (name) => {
    const match = new RegExp(`\\b${name}: '(\\d{12,19})'`).exec(source);
    if (!match) throw new Error(`SANDBOX_CARDS.${name} not found in ${SANDBOX_PROVIDER_SOURCE}`);
    return match[1];
  };
  return { succeeds: card('succeeds'), succeedsLater: card('succeedsLater') };
}

/** The delayed card's settle delay in this run: --app-env's, else the app's default (read from its source). */
function sandboxSettleDelayMs(appEnv) {
  if (appEnv.SANDBOX_SETTLE_DELAY_MS !== undefined) return Number(appEnv.SANDBOX_SETTLE_DELAY_MS);
  const match = /\bSANDBOX_SETTLE_DELAY_MS = ([\d_]+);/.exec(readFileSync(ENVIRONMENT_SOURCE, 'utf8'));
  if (!match) throw new Error(`the default of SANDBOX_SETTLE_DELAY_MS not found in ${ENVIRONMENT_SOURCE}`);
  return Number(match[1].replaceAll('_', ''));
}

/** Redis connections of processes consuming the payments queue: Bull names them `<prefix>:<base64 of the queue>`. */
async function countPaymentsConsumers() {
  const name = `${REDIS.prefix}:bull:${Buffer.from(PAYMENTS_QUEUE_NAME).toString('base64')}`;
  const redis = new Redis({ host: REDIS.host, port: REDIS.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const clients = await redis.call('CLIENT', 'LIST');
    return String(clients)
      .split('\n')
      .filter((line) => / name=(\S+)/.exec(line)?.[1].startsWith(name)).length;
  } finally {
    redis.disconnect();
  }
}

/**
 * The worker process, with the API's environment (a deployment gives both the same). Ready once it consumes the
 * payments queue. A consumer already there (a worker left over from an interrupted run) would take this run's
 * jobs with another webhook URL and secret, so it is refused.
 */
async function startWorker(environment) {
  if ((await countPaymentsConsumers()) > 0) {
    throw new Error(
      `another process already consumes the ${REDIS.prefix} payments queue (a worker left from an earlier run?)`,
    );
  }
  console.log('› Starting the worker');
  const child = track(
    spawn(process.execPath, [WORKER_ENTRY], {
      cwd: ROOT_DIR,
      env: environment,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const output = { stdout: captureTail(child.stdout), stderr: captureTail(child.stderr) };
  const worker = { child, output, label: 'worker' };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while ((await countPaymentsConsumers()) === 0) {
    if (hasExited(child) || Date.now() > deadline) {
      console.error(`--- worker stderr ---\n${output.stderr.text || '(empty)'}`);
      if (output.stdout.text) console.error(`--- worker stdout ---\n${output.stdout.text.slice(-4_000)}`);
      throw new Error(
        hasExited(child)
          ? `the worker exited before it consumed the payments queue (${child.signalCode ?? `code ${child.exitCode}`})`
          : `the worker did not consume the payments queue within ${READY_TIMEOUT_MS / 1000} s`,
      );
    }
    await sleep(250);
  }
  return worker;
}

/** Guest carts ready for checkout (lines, email, DE address, shipping method), as test/support/cart-factory.ts. */
async function insertReadyCarts(count, { linesOf, emailOf, shippingMethodId }) {
  const carts = Array.from({ length: count }, (_, index) => ({
    id: randomUUID(),
    token: randomBytes(24).toString('base64url'),
    lines: linesOf(index),
  }));
  const address = JSON.stringify(SHOP.address);
  const connection = await connectToServer();
  try {
    for (let start = 0; start < count; start += ADD_TO_CART.insertChunk) {
      const chunk = carts.slice(start, start + ADD_TO_CART.insertChunk);
      await connection.query(
        `INSERT INTO \`${DATABASE.name}\`.carts (id, token_hash, status, email, currency, shipping_method_id,
                shipping_address, billing_address, version) VALUES ?`,
        [
          chunk.map((cart, offset) => [
            cart.id,
            createHash('sha256').update(cart.token, 'utf8').digest('hex'),
            'active',
            emailOf(start + offset),
            'EUR',
            shippingMethodId,
            address,
            address,
            1,
          ]),
        ],
      );
      await connection.query(
        `INSERT INTO \`${DATABASE.name}\`.cart_items (id, cart_id, variant_id, quantity) VALUES ?`,
        [
          chunk.flatMap((cart) =>
            cart.lines.map((line) => [randomUUID(), cart.id, line.variantId, line.quantity]),
          ),
        ],
      );
    }
  } finally {
    await connection.end();
  }
  return carts;
}

/** One request of a payment flow, counted per step; throws FlowStepError unless it answered `expected`. */
async function paymentStep(section, connection, name, method, path, headers, body, expected) {
  const counts = section.statuses[name];
  let response;
  try {
    response = await connection.send(method, path, headers, body);
  } catch (error) {
    counts.error = (counts.error ?? 0) + 1;
    throw new FlowStepError(name, 'error', error.message);
  }
  counts[response.status] = (counts[response.status] ?? 0) + 1;
  if (response.status !== expected) throw new FlowStepError(name, response.status, response.text);
  return response;
}

/** Checks a ready cart out (paymentMethod card, fresh Idempotency-Key): the order, readable with the cart token. */
async function placeCardOrder(section, connection, cart) {
  const started = performance.now();
  const response = await paymentStep(
    section,
    connection,
    'checkout',
    'POST',
    `/v1/carts/${cart.id}/checkout`,
    { 'x-cart-token': cart.token, 'idempotency-key': randomUUID() },
    { paymentMethod: 'card' },
    201,
  );
  const checkoutMs = performance.now() - started;
  section.ordersPlaced += 1;
  for (const line of cart.lines)
    section.unitsGranted.set(line.variantId, (section.unitsGranted.get(line.variantId) ?? 0) + line.quantity);
  const order = JSON.parse(response.text);
  return { id: order.id, token: cart.token, total: order.total, checkoutMs, startedAt: started };
}

/**
 * Pays `order` with `card` and reads the order until it is paid: the first read at once after the answer, or,
 * with `readAfterMs`, that long after the request; then every `pollIntervalMs`.
 */
async function payAndAwaitPaid(
  section,
  connection,
  order,
  { card, expectedStates, readAfterMs = 0, pollIntervalMs = PAYMENT.pollIntervalMs },
) {
  const orderHeaders = { 'x-order-token': order.token };
  const sentAt = performance.now();
  const sentWallMs = Date.now();
  const response = await paymentStep(
    section,
    connection,
    'payment',
    'POST',
    `/v1/orders/${order.id}/payments`,
    { ...orderHeaders, 'idempotency-key': randomUUID() },
    { paymentMethod: card },
    201,
  );
  const paymentMs = performance.now() - sentAt;
  const { state } = JSON.parse(response.text);
  if (!expectedStates.includes(state)) {
    throw new FlowStepError('payment', `201 with state ${state}`, response.text);
  }
  let reads = 0;
  let nextReadAt = sentAt + readAfterMs;
  for (;;) {
    const wait = nextReadAt - performance.now();
    if (wait > 0) await sleep(wait);
    const readStartedAt = performance.now();
    const read = await paymentStep(
      section,
      connection,
      'read',
      'GET',
      `/v1/orders/${order.id}`,
      orderHeaders,
      undefined,
      200,
    );
    const answeredAt = performance.now();
    reads += 1;
    const seen = JSON.parse(read.text);
    if (seen.status === 'paid') {
      return {
        readAfterMs,
        paymentMs,
        toPaidMs: answeredAt - sentAt,
        // The app's own moment of the change: same clock, no poll interval in it.
        toPaidAtMs: Date.parse(seen.paidAt) - sentWallMs,
        reads,
        endedAt: answeredAt,
      };
    }
    if (seen.status !== 'pending_payment' || answeredAt - sentAt > PAYMENT.paidTimeoutMs) {
      throw new FlowStepError(
        'read',
        `200 with status ${seen.status} ${((answeredAt - sentAt) / 1000).toFixed(1)} s after the payment request`,
        read.text,
      );
    }
    nextReadAt = readStartedAt + pollIntervalMs;
  }
}

/**
 * Each connection takes the next item and runs `work` on it until none is left (closed loop); failures are
 * recorded. The time is from the first request to the last answer. `spreadMs` staggers the connections' starts
 * evenly over that time: customers who all wait the same settle delay would otherwise stay in step, and every
 * ~4 s the worker would get 100 settlements at once instead of a steady stream (its jobs then waited seconds for
 * a slot in a first try).
 */
async function runCustomers(section, connections, items, work, { spreadMs = 0 } = {}) {
  const startedAt = performance.now();
  const results = [];
  let next = 0;
  await Promise.all(
    connections.map(async (connection, index) => {
      if (spreadMs > 0) await sleep((index * spreadMs) / connections.length);
      while (next < items.length && section.failures.length < PAYMENT_MAX_FAILURES) {
        const index = next++;
        try {
          results.push(await work(connection, items[index]));
        } catch (error) {
          if (!(error instanceof FlowStepError)) throw error;
          section.failures.push({ step: error.step, status: error.status, message: error.message });
        }
      }
    }),
  );
  return { results, seconds: (performance.now() - startedAt) / 1000 };
}

/**
 * Waits until the payment flow's work is done: every outbox row relayed, every payment event applied, no job of
 * the flow's queues waiting, running or due later (the delayed card's settle jobs, retries), then the API and the
 * worker idle. Returns the seconds it took and whether it got there within PAYMENT.drainTimeoutMs.
 */
async function waitForPaymentsDrained(app, worker) {
  const started = performance.now();
  const deadline = started + PAYMENT.drainTimeoutMs;
  const connection = await connectToServer();
  const redis = new Redis({ host: REDIS.host, port: REDIS.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  let pending;
  try {
    await redis.connect();
    for (;;) {
      const [[{ outbox }]] = await connection.query(
        `SELECT COUNT(*) AS outbox FROM \`${DATABASE.name}\`.outbox WHERE published_at IS NULL`,
      );
      const [[{ events }]] = await connection.query(
        `SELECT COUNT(*) AS events FROM \`${DATABASE.name}\`.payment_events WHERE processed_at IS NULL`,
      );
      let jobs = 0;
      for (const queue of PAYMENT_FLOW_QUEUES) {
        const key = `${REDIS.prefix}:bull:${queue}`;
        const [wait, active, delayed] = await Promise.all([
          redis.lrange(`${key}:wait`, 0, -1),
          redis.lrange(`${key}:active`, 0, -1),
          // The events queue holds no delayed jobs; the payments queue's are settle jobs, retries and
          // the next run of the repeatable reconciliation job (always there, so not work left over).
          redis.zrange(`${key}:delayed`, 0, -1),
        ]);
        jobs += [...wait, ...active, ...delayed].filter((id) => !id.startsWith('repeat:')).length;
      }
      pending = { outbox: Number(outbox), events: Number(events), jobs };
      if (pending.outbox + pending.events + pending.jobs === 0) break;
      if (performance.now() > deadline) {
        console.log(
          `    (not drained after ${PAYMENT.drainTimeoutMs / 1000} s: ${JSON.stringify(pending)}; going on)`,
        );
        return { seconds: (performance.now() - started) / 1000, drained: false, pending };
      }
      await sleep(100);
    }
  } finally {
    redis.disconnect();
    await connection.end();
  }
  const seconds = (performance.now() - started) / 1000;
  await waitUntilIdle(app);
  await waitUntilIdle(worker);
  return { seconds, drained: true };
}

/**
 * Where the worker's part of a run went: for each job of the payments queue that finished since `sinceMs` (epoch
 * ms), by job name, how long it waited for one of the queue's processing slots once due (processedOn − timestamp −
 * the delay asked for; a retry's wait includes its backoff), how long it ran (finishedOn − processedOn; for a webhook delivery,
 * the API's answer to it) and how many needed more than one attempt; and how long the outbox took to hand the
 * queue's rows to Bull (published_at − created_at, both the database's clock). Bull keeps completed jobs (up to
 * 10,000 per queue, src/queues/queues.module.ts), far more than a run makes.
 */
async function paymentJobTimes(sinceMs) {
  const key = `${REDIS.prefix}:bull:${PAYMENTS_QUEUE_NAME}`;
  const redis = new Redis({ host: REDIS.host, port: REDIS.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  const connection = await connectToServer();
  try {
    await redis.connect();
    const ids = await redis.zrangebyscore(`${key}:completed`, sinceMs, '+inf');
    const pipeline = redis.pipeline();
    for (const id of ids)
      pipeline.hmget(
        `${key}:${id}`,
        'name',
        'timestamp',
        'opts',
        'processedOn',
        'finishedOn',
        'attemptsMade',
      );
    const byName = new Map();
    for (const [error, fields] of await pipeline.exec()) {
      if (error || fields[0] === null) continue;
      const [name, timestamp, opts, processedOn, finishedOn, attemptsMade] = fields;
      // The job's own `delay` field is zeroed when Bull promotes it; the delay asked for stays in its options.
      const delay = Number(JSON.parse(opts ?? '{}').delay ?? 0);
      const times = byName.get(name) ?? { waits: [], runs: [], retried: 0 };
      times.waits.push(Number(processedOn) - Number(timestamp) - delay);
      times.runs.push(Number(finishedOn) - Number(processedOn));
      if (Number(attemptsMade) > 1) times.retried += 1;
      byName.set(name, times);
    }
    const [relayed] = await connection.query(
      `SELECT TIMESTAMPDIFF(MICROSECOND, created_at, published_at) / 1000 AS ms
         FROM \`${DATABASE.name}\`.outbox
        WHERE queue = ? AND published_at IS NOT NULL AND created_at >= FROM_UNIXTIME(? / 1000)`,
      [PAYMENTS_QUEUE_NAME, sinceMs],
    );
    return {
      jobs: Object.fromEntries(
        [...byName].map(([name, times]) => [
          name,
          {
            count: times.runs.length,
            wait: summarizeTimes(times.waits),
            run: summarizeTimes(times.runs),
            retried: times.retried,
          },
        ]),
      ),
      outboxRelay: { rows: relayed.length, ...summarizeTimes(relayed.map((row) => Number(row.ms))) },
    };
  } finally {
    redis.disconnect();
    await connection.end();
  }
}

/** One measured run: its orders paid by `connections`, then the wait until the worker has worked off its work. */
async function measurePaymentRun(
  id,
  description,
  { app, worker, section, connections, items, work, spreadMs = 0 },
) {
  console.log(`    ${id}: ${description}; ${items.length} orders, ${connections.length} customers`);
  // Others' work on the same cores (tests, builds) would be measured as the app's slowness.
  await waitForQuietMachine();
  const counters = await connectToServer();
  try {
    const statementsBefore = (await readStatementCounters(counters)).Questions;
    const failuresBefore = section.failures.length;
    const startedAtMs = Date.now();
    const stopApiRss = sampleRss(app.child.pid);
    const stopWorkerRss = sampleRss(worker.child.pid);
    const stopCpu = sampleCpuSplit(app.child.pid, worker.child.pid);
    const { results, seconds } = await runCustomers(section, connections, items, work, { spreadMs });
    const cpu = stopCpu();
    const peakRssMb = stopApiRss();
    const workerPeakRssMb = stopWorkerRss();
    assertAlive(app);
    assertAlive(worker);
    const drain = await waitForPaymentsDrained(app, worker);
    const statements = (await readStatementCounters(counters)).Questions - statementsBefore;
    const worked = await paymentJobTimes(startedAtMs);
    const reads = results.reduce((sum, result) => sum + result.reads, 0);
    return {
      id,
      description,
      customers: connections.length,
      orders: items.length,
      paid: results.length,
      seconds,
      paidPerSecond: results.length / seconds,
      toPaid: summarizeTimes(results.map((result) => result.toPaidMs)),
      toPaidAt: summarizeTimes(results.map((result) => result.toPaidAtMs)),
      payment: summarizeTimes(results.map((result) => result.paymentMs)),
      ...(results[0]?.checkoutMs !== undefined && {
        checkout: summarizeTimes(results.map((result) => result.checkoutMs)),
        flow: summarizeTimes(results.map((result) => result.flowMs)),
      }),
      ...(results[0]?.readAfterMs > 0 && {
        // What the webhook path adds to the sandbox's own wait: settle job, delivery, webhook, outbox, job.
        beyondSettleDelay: summarizeTimes(results.map((result) => result.toPaidMs - result.readAfterMs)),
        beyondSettleDelayToPaidAt: summarizeTimes(
          results.map((result) => result.toPaidAtMs - result.readAfterMs),
        ),
      }),
      readsPerOrder: results.length > 0 ? reads / results.length : 0,
      paidAtFirstRead: results.filter((result) => result.reads === 1).length,
      failedFlows: section.failures.length - failuresBefore,
      cpu,
      peakRssMb,
      workerPeakRssMb,
      drain,
      ...worked,
      // Server-wide, from the first request until drained: the API's and the worker's statements for the run
      // (the webhooks included), the polls, the drain's own few checks, and whatever else used the server.
      statementsPerOrder: results.length > 0 ? statements / results.length : 0,
    };
  } finally {
    await counters.end();
  }
}

/**
 * SQL statements per payment request (success card) and per order read, on an idle app: the server's counters
 * around each request, minus what two reads in a row add, the minimum over the orders; the worker's webhook work
 * for each payment is drained before the next one is measured.
 */
async function countPaymentStatements(app, worker, orders, card) {
  const connection = await connectToServer();
  const customer = shopperConnection(app.baseUrl);
  const perRequest = {};
  try {
    const delta = (before, after) =>
      Object.fromEntries(STATEMENT_COUNTERS.map((name) => [name, after[name] - before[name]]));
    const idle = delta(await readStatementCounters(connection), await readStatementCounters(connection));
    const measure = async (step, method, path, headers, body, expected) => {
      const before = await readStatementCounters(connection);
      const response = await customer.send(method, path, headers, body);
      const used = delta(before, await readStatementCounters(connection));
      if (response.status !== expected) {
        throw new Error(`${method} ${path} answered ${response.status}: ${response.text.slice(0, 300)}`);
      }
      const counts = Object.fromEntries(STATEMENT_COUNTERS.map((name) => [name, used[name] - idle[name]]));
      if (!perRequest[step] || counts.Questions < perRequest[step].Questions) perRequest[step] = counts;
    };
    for (const order of orders) {
      const headers = { 'x-order-token': order.token };
      await measure(
        'payment',
        'POST',
        `/v1/orders/${order.id}/payments`,
        { ...headers, 'idempotency-key': randomUUID() },
        { paymentMethod: card },
        201,
      );
      await measure('read', 'GET', `/v1/orders/${order.id}`, headers, undefined, 200);
      await waitForPaymentsDrained(app, worker);
    }
  } finally {
    customer.close();
    await connection.end();
  }
  return perRequest;
}

/**
 * The section's final check over every order it placed: each is paid, with exactly one payment, captured for the
 * order's total and not flagged, backed by exactly one sandbox charge of that amount (no double charge), whose
 * webhook event was recorded once and applied; no payment job failed; and on the section's variants nothing is
 * oversold, the ledger sums to the levels, on hand is untouched and reserved = the units of the orders (a paid
 * order keeps its reservation until fulfilment) = the units of the 201 answers.
 */
async function checkPayments(section, ordersPlaced) {
  const connection = await connectToServer();
  const redis = new Redis({ host: REDIS.host, port: REDIS.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  const db = `\`${DATABASE.name}\``;
  const emails = `bench-payment-${section.tag}-%`;
  const problems = [];
  try {
    const [statuses] = await connection.query(
      `SELECT status, COUNT(*) AS orders FROM ${db}.orders WHERE email LIKE ? GROUP BY status`,
      [emails],
    );
    const ordersByStatus = Object.fromEntries(statuses.map((row) => [row.status, Number(row.orders)]));
    const orders = Object.values(ordersByStatus).reduce((sum, count) => sum + count, 0);
    if (orders !== ordersPlaced)
      problems.push(`${orders} orders in the database for ${ordersPlaced} answers 201`);
    if ((ordersByStatus.paid ?? 0) !== orders)
      problems.push(`not every order is paid: ${JSON.stringify(ordersByStatus)}`);

    const [[payments]] = await connection.query(
      `SELECT COUNT(*) AS orders, SUM(t.payments) AS payments, SUM(t.payments <> 1 OR t.good <> 1) AS wrong
         FROM (SELECT o.id, COUNT(p.id) AS payments,
                      COALESCE(SUM(p.state = 'captured' AND p.amount = o.total AND p.captured_amount = o.total
                                   AND p.refunded_amount = 0 AND p.flagged_reason IS NULL), 0) AS good
                 FROM ${db}.orders o LEFT JOIN ${db}.payments p ON p.order_id = o.id
                WHERE o.email LIKE ? GROUP BY o.id) t`,
      [emails],
    );
    if (Number(payments.wrong) > 0)
      problems.push(`${payments.wrong} orders without exactly one payment captured for their total`);

    const [[charges]] = await connection.query(
      `SELECT SUM(t.charges) AS charges, SUM(t.charges <> 1 OR t.good <> 1) AS wrong
         FROM (SELECT p.id, COUNT(c.id) AS charges, COALESCE(SUM(c.captured = p.amount), 0) AS good
                 FROM ${db}.payments p JOIN ${db}.orders o ON o.id = p.order_id
                 LEFT JOIN ${db}.sandbox_charges c ON c.payment_id = p.id
                WHERE o.email LIKE ? GROUP BY p.id) t`,
      [emails],
    );
    if (Number(charges.wrong) > 0)
      problems.push(`${charges.wrong} payments without exactly one sandbox charge of their amount`);

    const [[events]] = await connection.query(
      `SELECT COUNT(*) AS events, COALESCE(SUM(e.processed_at IS NULL), 0) AS unprocessed
         FROM ${db}.payment_events e
         JOIN ${db}.payments p ON p.provider = e.provider
                               AND p.provider_reference = JSON_UNQUOTE(JSON_EXTRACT(e.event, '$.paymentReference'))
         JOIN ${db}.orders o ON o.id = p.order_id
        WHERE o.email LIKE ?`,
      [emails],
    );
    // One event per charge: the capture (the success card's at once, the delayed card's when it settles).
    if (Number(events.events) !== orders)
      problems.push(`${events.events} webhook events recorded for ${orders} orders (one capture event each)`);
    if (Number(events.unprocessed) > 0) problems.push(`${events.unprocessed} webhook events not applied`);

    const [levels] = await connection.query(
      `SELECT l.variant_id, SUM(l.on_hand) AS on_hand, SUM(l.reserved) AS reserved,
              (SELECT COALESCE(SUM(m.on_hand_delta), 0) FROM ${db}.inventory_movements m WHERE m.variant_id = l.variant_id) AS ledger_on_hand,
              (SELECT COALESCE(SUM(m.reserved_delta), 0) FROM ${db}.inventory_movements m WHERE m.variant_id = l.variant_id) AS ledger_reserved
         FROM ${db}.inventory_levels l WHERE l.variant_id IN (?) GROUP BY l.variant_id`,
      [section.variants],
    );
    const [held] = await connection.query(
      `SELECT ol.variant_id, SUM(ol.quantity) AS units
         FROM ${db}.order_lines ol JOIN ${db}.orders o ON o.id = ol.order_id
        WHERE o.email LIKE ? GROUP BY ol.variant_id`,
      [emails],
    );
    const unitsOfOrders = new Map(held.map((row) => [row.variant_id, Number(row.units)]));
    const levelOf = new Map(levels.map((row) => [row.variant_id, row]));
    let reservedUnits = 0;
    for (const variantId of section.variants) {
      const level = levelOf.get(variantId);
      if (!level) {
        problems.push(`${variantId}: no inventory level`);
        continue;
      }
      const onHand = Number(level.on_hand);
      const reserved = Number(level.reserved);
      reservedUnits += reserved;
      if (onHand - reserved < 0) problems.push(`${variantId}: oversold, available ${onHand - reserved}`);
      if (Number(level.ledger_on_hand) !== onHand || Number(level.ledger_reserved) !== reserved)
        problems.push(`${variantId}: ledger differs from the levels`);
      if (onHand !== SHOP.stockPerVariant)
        problems.push(`${variantId}: on hand ${onHand}, ${SHOP.stockPerVariant} were received`);
      if (reserved !== (unitsOfOrders.get(variantId) ?? 0))
        problems.push(
          `${variantId}: reserved ${reserved}, its orders hold ${unitsOfOrders.get(variantId) ?? 0}`,
        );
      if (reserved !== (section.unitsGranted.get(variantId) ?? 0))
        problems.push(
          `${variantId}: reserved ${reserved}, the 201 answers were for ${section.unitsGranted.get(variantId) ?? 0}`,
        );
    }

    await redis.connect();
    const failedJobs = await redis.zcard(`${REDIS.prefix}:bull:${PAYMENTS_QUEUE_NAME}:failed`);
    if (failedJobs > 0) problems.push(`${failedJobs} jobs of the payments queue failed`);
    const units = (values) => values.reduce((sum, value) => sum + value, 0);
    return {
      orders,
      ordersPlaced,
      ordersByStatus,
      payments: Number(payments.payments ?? 0),
      charges: Number(charges.charges ?? 0),
      webhookEvents: Number(events.events),
      failedPaymentJobs: failedJobs,
      variants: section.variants.length,
      reservedUnits,
      unitsOfOrders: units([...unitsOfOrders.values()]),
      grantedUnits: units([...section.unitsGranted.values()]),
      problems,
      passed: problems.length === 0,
    };
  } finally {
    redis.disconnect();
    await connection.end();
  }
}

async function benchmarkPayment(settings, context) {
  const cards = sandboxCards();
  const settleDelayMs = sandboxSettleDelayMs(settings.appEnv);
  const ordersPerRun = settings.paymentOrders;
  console.log(
    `› Payment: sandbox card payments to \`paid\` (API + worker; delayed card settles after ${settleDelayMs} ms, ` +
      'by webhook)',
  );
  const port = await freePort();
  // The section's own variables win over --app-env: it measures the sandbox, whose webhooks must reach this API.
  const environment = {
    ...settings.appEnv,
    PAYMENTS_PROVIDER: 'sandbox',
    SANDBOX_WEBHOOK_URL: `http://127.0.0.1:${port}/v1/payments/webhooks/sandbox`,
    SANDBOX_WEBHOOK_SECRET: `whsec_bench_${randomBytes(24).toString('base64url')}`,
  };
  const app = await startApp(environment, port);
  let worker = null;
  const connections = [];
  try {
    worker = await startWorker(appEnvironment(port, environment));
    const shop = await setUpShop(app, context);
    const variants = await createStockedVariants(app, shop, PAYMENT.variants, 'payment');
    console.log(`    ${variants.length} variants with ${formatRate(SHOP.stockPerVariant)} units each`);
    const section = {
      tag: randomBytes(4).toString('hex'),
      variants,
      unitsGranted: new Map(),
      statuses: { checkout: {}, payment: {}, read: {} },
      failures: [],
      ordersPlaced: 0,
    };

    // Every cart the section checks out, written at once: the warm-ups, the three runs, the statement count.
    const statementOrders = 5;
    const sizes = {
      warmup: PAYMENT.warmupOrders,
      delayedWarmup: PAYMENT.delayedWarmupOrders,
      card: ordersPerRun,
      checkoutCard: ordersPerRun,
      delayedCard: ordersPerRun,
      statements: statementOrders,
    };
    const cartCount = Object.values(sizes).reduce((sum, size) => sum + size, 0);
    let started = performance.now();
    const allCarts = await insertReadyCarts(cartCount, {
      linesOf: () =>
        distinctIndices(PAYMENT.linesPerOrder, variants.length).map((index) => ({
          variantId: variants[index],
          quantity: 1 + Math.floor(Math.random() * 2),
        })),
      emailOf: (index) => `bench-payment-${section.tag}-${index}@example.test`,
      shippingMethodId: shop.shippingMethodId,
    });
    console.log(
      `    ${cartCount} guest carts ready for checkout (${PAYMENT.linesPerOrder} lines, address, shipping method) ` +
        `written to the database in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const carts = {};
    let offset = 0;
    for (const [name, size] of Object.entries(sizes)) {
      carts[name] = allCarts.slice(offset, offset + size);
      offset += size;
    }

    const payers = Array.from({ length: Math.max(settings.payers, settings.delayedPayers) }, () =>
      shopperConnection(app.baseUrl),
    );
    connections.push(...payers);
    const cardPayers = payers.slice(0, settings.payers);
    const delayedPayers = payers.slice(0, settings.delayedPayers);
    const paidStates = ['captured', 'authorized'];

    // The orders of the runs that start from a placed order, placed through the API (not measured).
    const toPlace = [...carts.card, ...carts.delayedWarmup, ...carts.delayedCard, ...carts.statements];
    console.log(
      `    placing ${toPlace.length} orders (checkout, paymentMethod card), ${cardPayers.length} at a time`,
    );
    started = performance.now();
    const placed = new Map();
    await runCustomers(section, cardPayers, toPlace, async (connection, cart) =>
      placed.set(cart.id, await placeCardOrder(section, connection, cart)),
    );
    const placingSeconds = (performance.now() - started) / 1000;
    const preparation = {
      carts: cartCount,
      ordersPlaced: placed.size,
      placingSeconds,
      checkoutsPerSecond: placed.size / placingSeconds,
    };
    console.log(
      `    placed in ${placingSeconds.toFixed(1)} s (${preparation.checkoutsPerSecond.toFixed(1)} checkouts/s)`,
    );
    const ordersOf = (name) => carts[name].map((cart) => placed.get(cart.id)).filter(Boolean);
    if (section.failures.length > 0) {
      throw new Error(
        `placing the orders failed ${section.failures.length} times (first: ${section.failures[0].message})`,
      );
    }

    const payCard = (connection, order) =>
      payAndAwaitPaid(section, connection, order, { card: cards.succeeds, expectedStates: paidStates });
    const checkoutAndPay = async (connection, cart) => {
      const order = await placeCardOrder(section, connection, cart);
      const paid = await payCard(connection, order);
      return { ...paid, checkoutMs: order.checkoutMs, flowMs: paid.endedAt - order.startedAt };
    };
    const payLater = (connection, order) =>
      payAndAwaitPaid(section, connection, order, {
        card: cards.succeedsLater,
        expectedStates: ['pending'],
        readAfterMs: settleDelayMs,
        pollIntervalMs: PAYMENT.delayedPollIntervalMs,
      });

    // The warm-ups also prove the chain works: a broken webhook URL or a worker not consuming stops here.
    console.log(
      `    warm-up: ${carts.warmup.length} orders checked out and paid, ${carts.delayedWarmup.length} paid with the ` +
        'delayed card; discarded',
    );
    await runCustomers(section, cardPayers, carts.warmup, checkoutAndPay);
    await runCustomers(section, delayedPayers, ordersOf('delayedWarmup'), payLater, {
      spreadMs: settleDelayMs,
    });
    if (section.failures.length > 0) {
      const first = section.failures[0];
      throw new Error(
        `the warm-up failed ${section.failures.length} times (first: ${first.message}); ` +
          `is the worker consuming, and does ${environment.SANDBOX_WEBHOOK_URL} reach the API?`,
      );
    }
    await waitForPaymentsDrained(app, worker);
    section.statuses = { checkout: {}, payment: {}, read: {} };

    const common = { app, worker, section };
    const runs = [];
    runs.push(
      await measurePaymentRun('card', 'orders placed beforehand, paid with the success card', {
        ...common,
        connections: cardPayers,
        items: ordersOf('card'),
        work: payCard,
      }),
    );
    runs.push(
      await measurePaymentRun(
        'checkout-card',
        'ready carts checked out (card) and paid with the success card',
        {
          ...common,
          connections: cardPayers,
          items: carts.checkoutCard,
          work: checkoutAndPay,
        },
      ),
    );
    runs.push(
      await measurePaymentRun(
        'delayed-card',
        `orders placed beforehand, paid with the delayed card (settles after ${settleDelayMs} ms, by webhook)`,
        {
          ...common,
          connections: delayedPayers,
          items: ordersOf('delayedCard'),
          work: payLater,
          spreadMs: settleDelayMs,
        },
      ),
    );
    for (const connection of connections) connection.close();
    connections.length = 0;

    console.log(
      `    counting SQL statements per request (${statementOrders} payments and reads, one at a time)`,
    );
    const statementsPerRequest = await countPaymentStatements(
      app,
      worker,
      ordersOf('statements'),
      cards.succeeds,
    );
    console.log('    checking orders, payments, charges, webhook events and stock');
    const check = await checkPayments(section, section.ordersPlaced);
    return evaluatePayment(settings, {
      provider: 'sandbox',
      captureMethod: settings.appEnv.PAYMENTS_CAPTURE_METHOD ?? 'automatic',
      settleDelayMs,
      pollIntervalMs: PAYMENT.pollIntervalMs,
      delayedPollIntervalMs: PAYMENT.delayedPollIntervalMs,
      cards,
      webhookUrl: environment.SANDBOX_WEBHOOK_URL,
      payers: settings.payers,
      delayedPayers: settings.delayedPayers,
      ordersPerRun,
      variants: PAYMENT.variants,
      linesPerOrder: PAYMENT.linesPerOrder,
      preparation,
      runs,
      statementsPerRequest,
      statuses: section.statuses,
      flowFailures: section.failures,
      check,
    });
  } finally {
    for (const connection of connections) connection.close();
    if (worker) await stopChild(worker.child);
    await stopChild(app.child);
  }
}

function evaluatePayment(settings, result) {
  const failures = [];
  if (result.flowFailures.length > 0) {
    const first = result.flowFailures[0];
    failures.push(
      `${result.flowFailures.length} flows failed (first: ${first.message})` +
        (result.flowFailures.length >= PAYMENT_MAX_FAILURES ? '; stopped' : ''),
    );
  }
  if (!result.check.passed) failures.push(`final check: ${result.check.problems.slice(0, 5).join('; ')}`);
  const peakRssMb = Math.max(...result.runs.map((run) => run.peakRssMb));
  if (peakRssMb > settings.memoryBudgetMb) {
    failures.push(`API peak RSS ${peakRssMb.toFixed(1)} MB is over the ${settings.memoryBudgetMb} MB budget`);
  }
  return {
    id: PAYMENT_ID,
    group: PAYMENT_GROUP,
    route:
      'POST /v1/orders/{id}/payments (Idempotency-Key), then GET /v1/orders/{id} (X-Order-Token) until `paid`; ' +
      'checkout-card also POST /v1/carts/{id}/checkout (paymentMethod card) first',
    ...result,
    peakRssMb,
    workerPeakRssMb: Math.max(...result.runs.map((run) => run.workerPeakRssMb)),
    // Issue 6 sets no budget for this section: only the memory budget and the final check can fail it.
    verdict: failures.length > 0 ? 'FAIL' : 'report only',
    failedFlows: result.flowFailures.length,
    flowFailures: result.flowFailures.slice(0, 20),
    failures,
  };
}

function printPayment(payment) {
  console.log(
    `\nPayment: sandbox provider, capture ${payment.captureMethod}, ${payment.ordersPerRun} orders per run of ` +
      `${payment.linesPerOrder} lines; API + worker (webhooks to ${payment.webhookUrl}); reads every ` +
      `${payment.pollIntervalMs} ms (delayed card: every ${payment.delayedPollIntervalMs} ms once it may be ` +
      `paid); delayed card settles after ${payment.settleDelayMs} ms`,
  );
  const header = [
    'run',
    'customers',
    'paid/s',
    'to paid p50 ms',
    'to paid p99 ms',
    'to paidAt p50/p99 ms',
    'payment req p50/p99 ms',
    'flow p50/p99 ms',
    'reads/order',
    'API/worker RSS MB',
    'failed',
  ];
  const pair = (times) => (times ? `${formatMs(times.p50Ms)} / ${formatMs(times.p99Ms)}` : '-');
  const rows = payment.runs.map((run) => [
    run.id,
    String(run.customers),
    run.paidPerSecond.toFixed(1),
    formatMs(run.toPaid.p50Ms),
    formatMs(run.toPaid.p99Ms),
    pair(run.toPaidAt),
    pair(run.payment),
    pair(run.flow),
    run.readsPerOrder.toFixed(2),
    `${run.peakRssMb.toFixed(1)} / ${run.workerPeakRssMb.toFixed(1)}`,
    String(run.failedFlows),
  ]);
  console.log(formatTable([header, ...rows]));
  for (const run of payment.runs) {
    const { cpu, drain } = run;
    console.log(
      `  ${run.id}: ${run.paid} of ${run.orders} orders paid in ${run.seconds.toFixed(1)} s; ` +
        `${run.paidAtFirstRead} paid at the first read; ` +
        (run.beyondSettleDelay
          ? `beyond the ${payment.settleDelayMs} ms settle delay p50/p99 ${pair(run.beyondSettleDelay)} ms ` +
            `(to paidAt ${pair(run.beyondSettleDelayToPaidAt)} ms); a closed loop of ${run.customers} customers ` +
            `who each wait the delay pays at most ${((run.customers * 1000) / payment.settleDelayMs).toFixed(1)}/s; `
          : '') +
        (run.checkout ? `checkout request p50/p99 ${pair(run.checkout)} ms; ` : '') +
        `CPU (cores of ${cpu.machineCores}) API ${cpu.appCores}, worker ${cpu.workerCores}, database ` +
        `${cpu.databaseCores}, harness ${cpu.harnessCores}, rest ${cpu.otherCores} (Redis, kernel, others); ` +
        `worked off ${drain.seconds.toFixed(1)} s after the last paid order${drain.drained ? '' : ' (NOT drained)'}; ` +
        `~${Math.round(run.statementsPerOrder)} SQL statements per order`,
    );
  }
  for (const run of payment.runs) {
    const jobs = Object.entries(run.jobs).map(
      ([name, times]) =>
        `${name.replace(/^payments\./, '')} ${times.count} (wait ${pair(times.wait)}, run ${pair(times.run)}` +
        `${times.retried > 0 ? `, ${times.retried} retried` : ''})`,
    );
    console.log(
      `  ${run.id} worker jobs, p50 / p99 ms: ${jobs.join('; ')}; outbox relay ${pair(run.outboxRelay)} ` +
        `(${run.outboxRelay.rows} rows)`,
    );
  }
  const { preparation, check } = payment;
  console.log(
    `  preparation: ${preparation.carts} ready carts; ${preparation.ordersPlaced} orders placed beforehand at ` +
      `${preparation.checkoutsPerSecond.toFixed(1)} checkouts/s`,
  );
  console.log(
    `  SQL statements per request on an idle app (${STATEMENT_COUNTERS.slice(1)
      .map((name) => name.slice(4).toLowerCase())
      .join('/')}): ` +
      ['payment', 'read']
        .map((step) => {
          const counts = payment.statementsPerRequest[step];
          return counts
            ? `${step} ${counts.Questions} (${STATEMENT_COUNTERS.slice(1)
                .map((name) => counts[name])
                .join('/')})`
            : `${step} -`;
        })
        .join(', '),
  );
  console.log(
    `  statuses of the measured runs: ${['checkout', 'payment', 'read']
      .map((step) => `${step} ${formatCounts(payment.statuses[step])}`)
      .join('; ')}`,
  );
  console.log(
    `  final check: ${check.orders} orders for ${check.ordersPlaced} answers 201, ${JSON.stringify(check.ordersByStatus)}; ` +
      `${check.payments} payments, ${check.charges} sandbox charges, ${check.webhookEvents} webhook events, ` +
      `${check.failedPaymentJobs} failed payment jobs; reserved ${check.reservedUnits} = orders ${check.unitsOfOrders} ` +
      `= granted ${check.grantedUnits} units: ` +
      (check.passed
        ? 'each paid once, no double charge, no oversell'
        : `FAILED (${check.problems.length} problems)`),
  );
  console.log(
    `  budget: API peak RSS ≤ 250 MB (${payment.peakRssMb.toFixed(1)} MB); otherwise ${payment.verdict}`,
  );
  for (const failure of payment.failures) console.log(`  FAIL payment: ${failure}`);
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

function evaluate(
  scenario,
  settings,
  { connections, details, response, app, bare, ratio, ratios, peakRssMb, cold },
) {
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
    ...((scenario.nextPath || scenario.requestStream) && { pathVariesPerRequest: true }),
    ...(details && { details }),
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
  if (rows.length > 0) console.log(formatTable([header, ...rows]));
  for (const result of report.scenarios) {
    console.log(
      `  ${result.name}: ratios per round ${result.ratios.map((ratio) => ratio.toFixed(2)).join(', ')}` +
        ` (app ${result.app.rounds.join(', ')} req/s; bare ${result.bare.rounds.join(', ')} req/s);` +
        ` app p99 over every round ${formatMs(result.app.latencyP99AllRoundsMs)} ms` +
        (result.cold ? `; ${percent(result.cold.share)} of the app's requests missed the cache` : '') +
        (result.details?.carts
          ? `; ${formatRate(result.details.appRequestsBuilt)} app requests over ${formatRate(result.details.carts)} ` +
            `carts (${result.details.passesOverTheCarts.toFixed(2)} passes)`
          : ''),
    );
  }

  const notes = report.scenarios.flatMap((result) => [
    ...result.failures.map((failure) => `  FAIL ${result.name}: ${failure}`),
    ...result.flags.map((flag) => `  FLAG ${result.name}: ${flag}`),
  ]);
  if (notes.length > 0) console.log(`\n${notes.join('\n')}`);
  if (report.login) printLogin(report.login, settings);
  if (report.checkout) printCheckout(report.checkout);
  if (report.payment) printPayment(report.payment);
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

/** The usage part of this file's opening comment. */
function usage() {
  const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
  const first = lines.findIndex((line) => line.startsWith('// Usage:'));
  const end = lines.findIndex((line, index) => index > first && !line.startsWith('//'));
  return lines
    .slice(first, end)
    .map((line) => line.replace(/^\/\/ ?/, ''))
    .join('\n');
}

async function main() {
  const settings = readSettings();
  if (settings.help) {
    console.log(usage());
    return null;
  }
  const date = new Date().toISOString();
  const phases = appPhases(settings);
  if (phases.length === 0 && !settings.login && !settings.checkout && !settings.payment)
    throw new Error('no scenario selected (see --only, --scenarios)');
  console.log(
    `› Scenarios: ${[
      ...settings.selectedScenarios,
      ...(settings.login ? [LOGIN_ID] : []),
      ...(settings.checkout ? [CHECKOUT_ID] : []),
      ...(settings.payment ? [PAYMENT_ID] : []),
    ].join(', ')}`,
  );
  if (settings.build) await buildApp();
  else if (!existsSync(APP_ENTRY)) throw new Error(`${APP_ENTRY} does not exist: run without --no-build`);
  if (settings.payment && !existsSync(WORKER_ENTRY))
    throw new Error(`${WORKER_ENTRY} does not exist: run without --no-build`);

  await prepareDatabase(settings);
  await clearRedisPrefix();
  const needsCatalog = phases.some((phase) =>
    phase.scenarios.some((scenario) => scenario.group === 'catalog'),
  );
  const catalog = needsCatalog ? await prepareCatalog(settings) : null;
  const context = { catalog, settings, shop: null };
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
  const checkout = settings.checkout ? await benchmarkCheckout(settings, context) : null;
  const payment = settings.payment ? await benchmarkPayment(settings, context) : null;
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
    checkout,
    payment,
    passed:
      scenarios.every((result) => result.failures.length === 0) &&
      (login?.failures.length ?? 0) === 0 &&
      (checkout?.failures.length ?? 0) === 0 &&
      (payment?.failures.length ?? 0) === 0,
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
  // --help started nothing and must not clear the bench's Redis keys (another run may be using them).
  (exitCode) => (exitCode === null ? process.exit(0) : cleanUp().then(() => process.exit(exitCode))),
  (error) => {
    const logs = currentApp?.output.stdout.text.slice(-4_000);
    if (logs) console.error(`--- end of the app's log ---\n${logs}`);
    console.error(`\nBenchmark failed: ${error instanceof Error ? error.message : String(error)}`);
    cleanUp().finally(() => process.exit(1));
  },
);
