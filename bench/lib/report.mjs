// The printed report (one table per section) and the results file.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CATALOG } from '../sections/catalog.mjs';
import { CHECKOUT_STEPS, ORDER_READ_STEP } from '../sections/commerce.mjs';
import { BUSY_MACHINE_SHARE, RESULTS_FILE, ROOT_DIR } from './environment.mjs';
import {
  formatCounts,
  formatCpuMs,
  formatMs,
  formatRate,
  formatStatements,
  formatTable,
  percent,
} from './format.mjs';

/** "SQL statements per request: step N (select …, insert …), …" for the steps of `perRequest`. */
function describeStatementCounts(label, perRequest, steps) {
  return `  ${label}: ${steps.map((step) => `${step} ${formatStatements(perRequest[step])}`).join(', ')}`;
}

/** The report's opening lines: the machine, the settings, a warning about a busy machine, the catalog. */
function printHeading(report) {
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
}

/** The ordinary scenarios: one table row each, then a line each with its rounds, then failures and flags. */
function printScenarios(scenarios) {
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
    'API CPU ms/req',
    'DB CPU ms/req',
    'peak RSS MB',
    'app unexpected/err',
    'budget',
  ];
  const rows = scenarios.map((result) => [
    result.name,
    String(result.connections),
    formatRate(result.app.requestsPerSecond),
    formatMs(result.app.latencyP50Ms),
    formatMs(result.app.latencyP99Ms),
    formatRate(result.bare.requestsPerSecond),
    formatMs(result.bare.latencyP50Ms),
    formatMs(result.bare.latencyP99Ms),
    result.ratio.toFixed(2),
    formatCpuMs(result.cpuPerRequest.appMs),
    formatCpuMs(result.cpuPerRequest.databaseMs),
    result.peakRssMb.toFixed(1),
    `${result.app.unexpected}/${result.app.errors}`,
    [result.verdict, ...result.checks.map((check) => check.budget)].join(', '),
  ]);
  if (rows.length > 0) console.log(formatTable([header, ...rows]));
  for (const result of scenarios) {
    console.log(
      `  ${result.name}: ratios per round ${result.ratios.map((ratio) => ratio.toFixed(2)).join(', ')}` +
        ` (app ${result.app.rounds.join(', ')} req/s; bare ${result.bare.rounds.join(', ')} req/s);` +
        ` app p99 over every round ${formatMs(result.app.latencyP99AllRoundsMs)} ms;` +
        ` SQL statements per request ${formatStatements(result.statementsPerRequest)}` +
        (result.cold ? `; ${percent(result.cold.share)} of the app's requests missed the cache` : '') +
        (result.details?.carts
          ? `; ${formatRate(result.details.appRequestsBuilt)} app requests over ${formatRate(result.details.carts)} ` +
            `carts (${result.details.passesOverTheCarts.toFixed(2)} passes)`
          : ''),
    );
  }
  const notes = scenarios.flatMap((result) => [
    ...result.failures.map((failure) => `  FAIL ${result.name}: ${failure}`),
    ...result.flags.map((flag) => `  FLAG ${result.name}: ${flag}`),
  ]);
  if (notes.length > 0) console.log(`\n${notes.join('\n')}`);
}

export function printReport(report) {
  printHeading(report);
  printScenarios(report.scenarios);
  if (report.login) printLogin(report.login, report.settings);
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
  const { cpu, cpuPerRequest, cpuPerFlow, check, warmup } = checkout;
  const steps = [...CHECKOUT_STEPS, ORDER_READ_STEP];
  console.log(
    `  warm-up flows/s per window: ${warmup.rates.map((rate) => rate.toFixed(1)).join(', ')} ` +
      (warmup.steady ? '(steady)' : '(NOT steady)'),
  );
  console.log(
    `  CPU while measured (cores of ${cpu.machineCores}): app ${cpu.appCores}, database ${cpu.databaseCores}, ` +
      `this harness ${cpu.harnessCores}; CPU ms per request (per flow): API ${formatCpuMs(cpuPerRequest.appMs)} ` +
      `(${formatCpuMs(cpuPerFlow.appMs)}), MariaDB ${formatCpuMs(cpuPerRequest.databaseMs)} ` +
      `(${formatCpuMs(cpuPerFlow.databaseMs)})`,
  );
  console.log(
    describeStatementCounts(
      'SQL statements per request (read: the order after its checkout)',
      checkout.statementsPerRequest,
      steps,
    ),
  );
  console.log(
    `  statuses: ${steps.map((step) => `${step} ${formatCounts(checkout.statuses[step])}`).join('; ')}`,
  );
  console.log(
    `  final check: ${check.orders} orders for ${check.checkoutsAnswered201} answers 201; ${check.variants} variants, ` +
      `reserved ${check.reservedUnits} = pending ${check.pendingUnits} = granted ${check.grantedUnits} units: ` +
      (check.passed ? 'no oversell, ledger = levels' : `FAILED (${check.problems.length} problems)`),
  );
  for (const failure of checkout.failures) console.log(`  FAIL checkout: ${failure}`);
}

const pair = (times) => (times ? `${formatMs(times.p50Ms)} / ${formatMs(times.p99Ms)}` : '-');

/** The payment section's table: one row per run. */
function printPaymentTable(payment) {
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
}

/** A line per run (orders, delays, CPU, drain) and one with its worker's jobs. */
function printPaymentRuns(payment) {
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
        `CPU ms per order: API ${formatCpuMs(run.cpuPerOrder.appMs)}, MariaDB ${formatCpuMs(run.cpuPerOrder.databaseMs)}; ` +
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
}

function printPayment(payment) {
  console.log(
    `\nPayment: sandbox provider, capture ${payment.captureMethod}, ${payment.ordersPerRun} orders per run of ` +
      `${payment.linesPerOrder} lines; API + worker (webhooks to ${payment.webhookUrl}); reads every ` +
      `${payment.pollIntervalMs} ms (delayed card: every ${payment.delayedPollIntervalMs} ms once it may be ` +
      `paid); delayed card settles after ${payment.settleDelayMs} ms`,
  );
  printPaymentTable(payment);
  printPaymentRuns(payment);
  const { preparation, check } = payment;
  console.log(
    `  preparation: ${preparation.carts} ready carts; ${preparation.ordersPlaced} orders placed beforehand at ` +
      `${preparation.checkoutsPerSecond.toFixed(1)} checkouts/s`,
  );
  console.log(
    describeStatementCounts('SQL statements per request on an idle app', payment.statementsPerRequest, [
      'payment',
      'read',
    ]),
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
    `  budgets: API peak RSS ≤ 250 MB (${payment.peakRssMb.toFixed(1)} MB), SQL statements per request ` +
      `(see the budget table): ${payment.verdict}`,
  );
  for (const failure of payment.failures) console.log(`  FAIL payment: ${failure}`);
}

/** Written to a temporary file first so that an interrupted run never leaves a truncated latest.json. */
export async function writeResults(report) {
  await mkdir(dirname(RESULTS_FILE), { recursive: true });
  const temporary = `${RESULTS_FILE}.tmp`;
  await writeFile(temporary, `${JSON.stringify(report, null, 2)}\n`);
  await rename(temporary, RESULTS_FILE);
  console.log(`Results written to ${RESULTS_FILE.slice(ROOT_DIR.length + 1)}`);
}
