// An ordinary scenario: the app against a bare Fastify ceiling (bench/bare-server.mjs) answering the same bytes,
// loaded in alternating rounds, and its verdict against the scenario's budgets.
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { budgetCheck, failedChecks } from './budgets.mjs';
import { connectToServer, countCatalogCacheEntries, statementMeter } from './database.mjs';
import { BENCH_DIR, ROOT_DIR } from './environment.mjs';
import { formatCpuMs, formatMs, formatRate, formatStatements, percent } from './format.mjs';
import { request, streamedRequest } from './http.mjs';
import {
  combineRuns,
  connectionsOf,
  describeStatuses,
  isExpected,
  load,
  median,
  percentile,
  summarize,
} from './load.mjs';
import { assertAlive, stopChild, track } from './processes.mjs';
import { addCpuTimes, cpuPerRequest, sampleCpuTime, sampleRss, waitUntilIdle } from './sampling.mjs';

/** Answers sampled to size the bare server's body when the app's answers vary (see learnAnswer). */
export const ANSWER_SAMPLE_SIZE = 25;
/**
 * The app's own floor (issue 20): the scenario that authenticated and cached reads are held to a share of, in the
 * same run (see `relativeTo` in SCENARIOS).
 */
export const FLOOR_SCENARIO_ID = 'health';
export const relativeToFloor = (minShare) => ({ id: FLOOR_SCENARIO_ID, minShare });
/** Requests sent one at a time to count a scenario's SQL statements (the fewest counts, see statementMeter). */
export const STATEMENT_SAMPLES = 5;

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

/**
 * The app's answer the bare server must match. For a varying path, the median size of ANSWER_SAMPLE_SIZE answers
 * (every one must have the expected status).
 */
async function learnAnswer(app, scenario, next) {
  const sampled = next || scenario.nextPath ? ANSWER_SAMPLE_SIZE : 1;
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

/** The warm-up, then `settings.rounds` alternating rounds of bare and app load. */
async function runRounds(app, bare, scenario, settings, { response, appNext, bareNext }) {
  const bareRuns = [];
  const appRuns = [];
  let appRequestsSent = response.sampled ?? 1;
  const appResponseTimesMs = [];
  let peakRssMb = 0;
  let appCpu = null;
  let appRequestsAnswered = 0;
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
    const stopCpu = await sampleCpuTime(app.child.pid);
    const appRun = await load(app.baseUrl, scenario, settings, settings.durationSeconds, appNext);
    appCpu = addCpuTimes(appCpu, stopCpu());
    peakRssMb = Math.max(peakRssMb, stopSampling());
    appRequestsAnswered += appRun.result.requests.total;
    appRuns.push(summarize(appRun, scenario.expectedStatus));
    appRequestsSent += appRun.result.requests.sent;
    for (const time of appRun.responseTimesMs) appResponseTimesMs.push(time);
    assertAlive(app);
  }
  const cpu = cpuPerRequest(appCpu, appRequestsAnswered);
  return { bareRuns, appRuns, appRequestsSent, appResponseTimesMs, peakRssMb, cpu };
}

/**
 * Every request the app received had a new query, so each should have missed and written one entry; the
 * requests still in flight when the last run stopped write theirs once the app has worked through them.
 */
async function checkColdCache(app, cacheEntriesBefore, appRequestsSent) {
  await waitUntilIdle(app);
  const written = (await countCatalogCacheEntries()) - cacheEntriesBefore;
  const cold = {
    cacheEntriesWritten: written,
    appRequestsSent,
    share: Math.min(1, written / appRequestsSent),
  };
  console.log(
    `    cold cache: ${written} new cache entries for ${appRequestsSent} app requests sent ` +
      `(${percent(cold.share)} missed)`,
  );
  return cold;
}

/**
 * SQL statements per request of the scenario (see statementMeter): STATEMENT_SAMPLES of its requests sent one at a
 * time once the app is idle (the next ones of its stream: new search keys, new carts).
 */
async function countStatements(app, scenario, next) {
  await waitUntilIdle(app);
  const connection = await connectToServer();
  try {
    const meter = await statementMeter(connection);
    for (let sample = 0; sample < STATEMENT_SAMPLES; sample++) {
      const sent = streamedRequest(scenario, next);
      const answer = await meter.measure(scenario.id, () => request(app.baseUrl, sent));
      if (!isExpected(answer.status, scenario.expectedStatus)) {
        throw new Error(
          `${scenario.method} ${sent.path} answered ${answer.status} while counting statements`,
        );
      }
    }
    return meter.perStep[scenario.id];
  } finally {
    await connection.end();
  }
}

export async function benchmarkScenario(app, baseScenario, settings, context) {
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
  let measured;
  try {
    measured = await runRounds(app, bare, scenario, settings, { response, appNext, bareNext });
  } finally {
    await stopChild(bare.child);
  }
  const { bareRuns, appRuns, appRequestsSent, appResponseTimesMs, peakRssMb, cpu } = measured;
  const ratios = appRuns.map((run, index) =>
    bareRuns[index].requestsPerSecond > 0 ? run.requestsPerSecond / bareRuns[index].requestsPerSecond : 0,
  );
  const appResult = combineRuns(appRuns);
  appResult.latencyP99AllRoundsMs = percentile(Float64Array.from(appResponseTimesMs).sort(), 0.99);
  const cold = scenario.coldCache
    ? await checkColdCache(app, cacheEntriesBefore, appRequestsSent)
    : undefined;
  const statements = await countStatements(app, scenario, appNext);
  return evaluate(scenario, settings, {
    connections,
    details: scenario.describeRun?.(),
    response,
    app: appResult,
    bare: combineRuns(bareRuns),
    ratio: median(ratios),
    ratios,
    peakRssMb,
    cpu,
    statements,
    cold,
  });
}

/**
 * The budgets a scenario may hold (see SCENARIOS), each with what it allows and what it reads from the run:
 * `figure(run, limit)` describes what was measured, `holds(run, limit)` decides.
 */
const BUDGETS = [
  {
    key: 'minRatio',
    describe: (limit) => `≥ ${limit.toFixed(2)} of bare`,
    figure: ({ ratio }) => `${ratio.toFixed(2)} of bare`,
    holds: ({ ratio }, limit) => ratio >= limit,
  },
  {
    key: 'minRps',
    describe: (limit) => `≥ ${formatRate(limit)} req/s`,
    figure: ({ app }) => `${formatRate(app.requestsPerSecond)} req/s (median of rounds)`,
    holds: ({ app }, limit) => app.requestsPerSecond >= limit,
  },
  {
    key: 'maxP99Ms',
    describe: (limit) => `p99 ≤ ${limit} ms`,
    figure: ({ app, connections }) =>
      `p99 ${formatMs(app.latencyP99AllRoundsMs)} ms (every measured request, ${connections} connections)`,
    holds: ({ app }, limit) => app.latencyP99AllRoundsMs <= limit,
  },
  {
    key: 'maxDatabaseCpuMs',
    describe: (limit) => `MariaDB CPU ≤ ${limit} ms/request`,
    figure: ({ cpu }) => `MariaDB CPU ${formatCpuMs(cpu.databaseMs)} ms/request`,
    // Unknown (no server process found) is no pass.
    holds: ({ cpu }, limit) => cpu.databaseMs !== null && cpu.databaseMs <= limit,
  },
  {
    key: 'maxStatements',
    describe: (limit) => `≤ ${limit} SQL statements/request`,
    figure: ({ statements }) => `${formatStatements(statements)} SQL statements/request`,
    holds: ({ statements }, limit) => statements.Questions <= limit,
  },
];

/** What makes the run's numbers doubtful, whatever the budgets. */
function flagsOf(scenario, { response, app, bare, cold }) {
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
  return flags;
}

/** Whatever makes a budget verdict worthless, or the memory budget missed (every scenario holds it). */
function runFailures(settings, hasBudget, { app, peakRssMb, cold }) {
  const failures = [];
  if (peakRssMb > settings.memoryBudgetMb) {
    failures.push(`peak RSS ${peakRssMb.toFixed(1)} MB is over the ${settings.memoryBudgetMb} MB budget`);
  }
  // Error responses are often cheaper than real ones: a budget measured on them proves nothing.
  if (hasBudget && (app.unexpected > 0 || app.errors > 0))
    failures.push('the budgets were measured on failed requests');
  if (hasBudget && cold && cold.share < 0.99)
    failures.push('the cold-cache budget was measured on cache hits');
  return failures;
}

/** The verdict of a result from its checks and other failures. */
function withVerdict(result) {
  // Printed after the scenario's name already.
  const failures = [...result.runFailures, ...failedChecks(result.checks, { named: false })];
  let verdict = 'report only';
  if (failures.length > 0) verdict = 'FAIL';
  else if (result.checks.length > 0) verdict = 'PASS';
  return { ...result, failures, verdict };
}

/**
 * The budgets relative to another scenario of the same run (`relativeTo: { id, minShare }`: this scenario's ratio
 * at least minShare × that one's), checked once every scenario has run. `results` in the order of SCENARIOS.
 */
export function checkRelativeBudgets(results) {
  const byId = new Map(results.map((result) => [result.id, result]));
  return results.map((result) => {
    if (!result.relativeTo) return result;
    const { id, minShare } = result.relativeTo;
    const reference = byId.get(id);
    const share = reference && reference.ratio > 0 ? result.ratio / reference.ratio : null;
    const check = budgetCheck(
      result.name,
      share === null
        ? `${id} did not run`
        : `${share.toFixed(2)} × ${reference.name} (${result.ratio.toFixed(2)} vs ${reference.ratio.toFixed(2)} of bare)`,
      `≥ ${minShare.toFixed(2)} × ${reference?.name ?? id}`,
      share !== null && share >= minShare,
    );
    return withVerdict({ ...result, checks: [...result.checks, check] });
  });
}

function evaluate(scenario, settings, measured) {
  const { connections, details, response, app, bare, ratio, ratios, peakRssMb, cpu, statements, cold } =
    measured;
  const flags = flagsOf(scenario, measured);
  const budgets = Object.fromEntries(BUDGETS.map(({ key }) => [key, scenario[key] ?? null]));
  const checks = BUDGETS.filter(({ key }) => budgets[key] !== null).map(({ key, describe, figure, holds }) =>
    budgetCheck(scenario.name, figure(measured), describe(budgets[key]), holds(measured, budgets[key])),
  );

  return withVerdict({
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
    cpuPerRequest: cpu,
    statementsPerRequest: statements,
    ...(cold && { cold }),
    ...(scenario.relativeTo && { relativeTo: scenario.relativeTo }),
    flags,
    checks,
    runFailures: runFailures(settings, checks.length > 0 || Boolean(scenario.relativeTo), measured),
  });
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
