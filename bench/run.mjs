// HTTP benchmark of the real API against a bare Fastify ceiling (`npm run bench`).
//
// For each scenario: learn the app's exact response, start a bare Fastify server serving a body of that size and
// content type on the same route, load both with autocannon under the same settings, and compare. The ratio
// (app req/s / bare req/s) is what most budgets hold, because absolute numbers depend on the machine while the
// ratio mostly measures what the app's stack adds; a scenario may also hold an absolute floor (req/s) or a latency
// ceiling (p99). Also samples the app's peak RSS during each measured run, the CPU time of the app and of the
// MariaDB server per request (/proc/<pid>/stat over the measured rounds) and counts the SQL statements per request
// by kind (MariaDB's counters around requests sent one at a time on the idle app; see statementMeter). A scenario
// may hold a budget relative to another one of the same run (issue 20: reads as a share of /health/live).
//
// The catalog scenarios run against the deterministic demo catalog of 10,000 products (`npm run seed -- --products
// 10000 --reset`, seeded into the bench database before them), with the Redis read cache on, and two of them again
// in a second app process started with CATALOG_CACHE_ENABLED=false.
//
// Then the login section: argon2id makes a login deliberately slow, so no bare ceiling applies. It reports logins/s
// and latency, and checks that 200 concurrent logins neither exhaust the app's memory nor starve a light stream
// of other requests (`GET /health/live`) running at the same time.
//
// The commerce group sets up a shop in the bench database first (an admin made by the app's own admin-create
// command, a stock location, a DE shipping zone and method, a DE tax rate, products with stock, all through the
// admin API). `add-to-cart` is an ordinary scenario (autocannon against a bare ceiling) over thousands of guest
// carts written straight to the database beforehand. `checkout` is a closed loop of virtual shoppers, each
// repeating the whole guest flow (new cart, 3 lines, address, shipping method, checkout with a fresh
// Idempotency-Key), warmed until its rate is steady; it reports checkouts/s, latencies, CPU per request and the SQL
// statements of each step and of the order's read after it, and ends with its own check that nothing was oversold.
// `payment` starts the API with a worker beside it (SANDBOX_WEBHOOK_URL at the API) and pays card orders through
// the sandbox provider: orders placed beforehand paid with the success card, ready carts checked out and paid in
// one go, and orders paid with the card that succeeds after a delay, by webhook (settled and delivered by the
// worker, applied through the outbox). It reports orders paid/s and the time from the payment request to the order
// reading `paid` (p50/p99), ends with its own check (each order paid once, one charge, every webhook applied, no
// oversell), and has no budget but memory (see PAYMENT).
//
// The notifications group (sections/notifications.mjs): `sse` holds 2,000 event streams on one API process and
// reports fan-out latency (p50/p99) and memory per stream; `webhooks` times M outbox events to M signed deliveries
// at a local receiver (deliveries/s).
//
// The reports group (sections/reports.mjs): 1,000,000 orders' worth of hourly sales rollups seeded straight into
// the bench database, then the sales report over the year by day (p50/p99/mean, budget p99 < 100 ms, SQL per
// request), week and month, and its CSV streamed, with the API's peak RSS (budget < 300 MB).
//
// Usage: npm run bench [-- --duration 3 --rounds 5 --connections 10 --login-duration 20 --no-login --no-build
//                         --checkout-duration 15 --shoppers 20 --payment-orders 600 --payers 20 --delayed-payers 100
//                         --sse-streams 2000 --webhook-events 1000
//                         --only GROUP[,GROUP] --scenarios ID[,ID] --keep-db --app-env NAME=value ... --markdown
//                         --help]
//        (or BENCH_DURATION / BENCH_ROUNDS / BENCH_CONNECTIONS / BENCH_LOGIN_DURATION in the environment; flags win)
//   --duration, --rounds   measured seconds per side and round, and the number of alternating rounds
//   --connections          default connection count (a scenario may set its own: the cold search uses 50)
//   --only                 run only these groups (repeatable or comma-separated): core (/health/live, /docs-json),
//                          auth (/v1/me and the login section), catalog (every catalog scenario), commerce
//                          (add-to-cart, the checkout section and the payment section), notifications (the
//                          sse and webhooks sections), reports (the sales report over a year of rollups)
//   --scenarios            run only these scenario ids (repeatable or comma-separated; `login` is the login
//                          section, `checkout` the checkout section, `payment` the payment section); combined with
//                          --only, a scenario runs when either selects it; one whose budget is relative to
//                          /health/live (me, catalog-list, catalog-detail, catalog-304) brings health along.
//                          Ids: health, docs, me, login, catalog-list, catalog-detail, catalog-304,
//                          catalog-search-cold, catalog-list-nocache, catalog-detail-nocache, add-to-cart, checkout,
//                          payment, sse, webhooks, reports
//   --checkout-duration    measured seconds of the checkout section (after its own warm-up)
//   --shoppers             concurrent virtual shoppers of the checkout section
//   --payment-orders       orders in each of the payment section's three runs
//   --payers               concurrent customers of the payment section's success-card runs
//   --delayed-payers       concurrent customers of its delayed-card run (each waits the settle delay)
//   --sse-streams          concurrent event streams of the sse section (customers at 100 streams each)
//   --webhook-events       domain events of the webhooks section (one delivery each)
//   --no-login             skip the login section (whatever --only or --scenarios say)
//   --no-build             use the existing dist/ instead of running `nest build` first
//   --keep-db              keep the bench database instead of recreating it, and skip the catalog seed when the
//                          database still holds exactly the catalog the last seed wrote (same seed sources and
//                          migrations, same table checksums; see bench/results/catalog-fingerprint.json)
//   --app-env NAME=value   (repeatable) adds a variable to every app process's environment, to measure a setting
//                          before adopting it; a scenario's own variables (CATALOG_CACHE_ENABLED=false) win
//                          (e.g. --app-env SANDBOX_SETTLE_DELAY_MS=1000 for the payment section's delayed card)
//   --markdown             also prints the budget table and each scenario's req/s, ratio, CPU and SQL statements
//                          per request as Markdown, with the command and the machine's load (for BENCHMARKS.md)
//   --help                 prints this usage and exits
// Examples: npm run bench -- --no-build --only catalog --no-login
//           npm run bench -- --no-build --scenarios catalog-list,catalog-304 --rounds 3 --keep-db
//           npm run bench -- --no-build --only commerce
//           npm run bench -- --no-build --only notifications --no-login
//           npm run bench -- --scenarios payment
//           npm run bench -- --only reports --no-login

// The modules: lib/ holds the harness (settings, processes, HTTP, load and statistics, sampling, the database,
// the bare ceilings, the report); sections/ what is measured (scenarios, catalog, login, shop, commerce, payments).
import { existsSync } from 'node:fs';
import { benchmarkScenario, checkRelativeBudgets } from './lib/ceilings.mjs';
import { clearRedisPrefix, prepareDatabase } from './lib/database.mjs';
import { APP_ENTRY, REDIS, WORKER_ENTRY } from './lib/environment.mjs';
import {
  assertAlive,
  buildApp,
  currentAppLog,
  startApp,
  stopAllChildren,
  stopChild,
} from './lib/processes.mjs';
import { printBudgetTables } from './lib/budget-report.mjs';
import { printReport, writeResults } from './lib/report.mjs';
import { machine, measureBackgroundCpu, waitForQuietMachine } from './lib/sampling.mjs';
import { readSettings, usage } from './lib/settings.mjs';
import { CATALOG, prepareCatalog } from './sections/catalog.mjs';
import { CHECKOUT_ID, benchmarkCheckout } from './sections/commerce.mjs';
import { LOGIN_ID, benchmarkLogin } from './sections/login.mjs';
import {
  REALTIME_ID,
  WEBHOOKS_ID,
  benchmarkRealtime,
  benchmarkWebhooks,
  printNotifications,
} from './sections/notifications.mjs';
import { PAYMENT_ID, benchmarkPayment } from './sections/payments.mjs';
import { REPORTS_ID, benchmarkReports, printReports } from './sections/reports.mjs';
import { SCENARIOS } from './sections/scenarios.mjs';

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

/** The built app (built now unless --no-build), a fresh database and Redis prefix, the catalog when needed. */
async function prepare(settings, phases) {
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
  // MariaDB keeps working for a few seconds after a bulk insert (purge, full-text index sync).
  if (catalog?.reseeded) await waitForQuietMachine();
  return catalog;
}

/** Every phase's scenarios in an app process of its own; the results in the order of SCENARIOS. */
async function runScenarios(phases, settings, context) {
  const results = new Map();
  for (const phase of phases) {
    const app = await startApp(phase.appEnv);
    for (const scenario of phase.scenarios) {
      assertAlive(app);
      results.set(scenario.id, await benchmarkScenario(app, scenario, settings, context));
    }
    await stopChild(app.child);
  }
  return checkRelativeBudgets(
    SCENARIOS.filter((scenario) => results.has(scenario.id)).map((scenario) => results.get(scenario.id)),
  );
}

function catalogReport(catalog) {
  return (
    catalog && {
      products: CATALOG.products,
      seed: CATALOG.seed,
      activeProducts: catalog.activeProducts,
      reseeded: catalog.reseeded,
      seedSeconds: catalog.seedSeconds ?? null,
      detailSlug: catalog.detailSlug,
      searchWords: catalog.searchWords,
    }
  );
}

async function main() {
  const settings = readSettings();
  if (settings.help) {
    console.log(usage());
    return null;
  }
  const date = new Date().toISOString();
  const phases = appPhases(settings);
  if (
    phases.length === 0 &&
    !settings.login &&
    !settings.checkout &&
    !settings.payment &&
    !settings.realtime &&
    !settings.webhooks &&
    !settings.reports
  )
    throw new Error('no scenario selected (see --only, --scenarios)');
  console.log(
    `› Scenarios: ${[
      ...settings.selectedScenarios,
      ...(settings.login ? [LOGIN_ID] : []),
      ...(settings.checkout ? [CHECKOUT_ID] : []),
      ...(settings.payment ? [PAYMENT_ID] : []),
      ...(settings.realtime ? [REALTIME_ID] : []),
      ...(settings.webhooks ? [WEBHOOKS_ID] : []),
      ...(settings.reports ? [REPORTS_ID] : []),
    ].join(', ')}`,
  );
  const catalog = await prepare(settings, phases);
  const context = { catalog, settings, shop: null };
  const backgroundCpu = { before: await measureBackgroundCpu() };
  const scenarios = await runScenarios(phases, settings, context);
  const login = settings.login ? await benchmarkLogin(settings) : null;
  const checkout = settings.checkout ? await benchmarkCheckout(settings, context) : null;
  const payment = settings.payment ? await benchmarkPayment(settings, context) : null;
  const realtime = settings.realtime ? await benchmarkRealtime(settings) : null;
  const webhooks = settings.webhooks ? await benchmarkWebhooks(settings) : null;
  const reports = settings.reports ? await benchmarkReports(settings) : null;
  backgroundCpu.after = await measureBackgroundCpu();

  const report = {
    date,
    machine: machine(),
    settings,
    backgroundCpu,
    catalog: catalogReport(catalog),
    scenarios,
    login,
    checkout,
    payment,
    realtime,
    webhooks,
    reports,
    passed:
      scenarios.every((result) => result.failures.length === 0) &&
      (login?.failures.length ?? 0) === 0 &&
      (checkout?.failures.length ?? 0) === 0 &&
      (payment?.failures.length ?? 0) === 0 &&
      (realtime?.failures.length ?? 0) === 0 &&
      (webhooks?.failures.length ?? 0) === 0 &&
      (reports?.failures.length ?? 0) === 0,
  };
  printReport(report);
  printNotifications(report);
  printReports(report.reports);
  printBudgetTables(report);
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
    const logs = currentAppLog();
    if (logs) console.error(`--- end of the app's log ---\n${logs}`);
    console.error(`\nBenchmark failed: ${error instanceof Error ? error.message : String(error)}`);
    cleanUp().finally(() => process.exit(1));
  },
);
