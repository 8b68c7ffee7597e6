// HTTP benchmark of the real API against a bare Fastify ceiling (`npm run bench`).
//
// For each scenario: learn the app's exact response, start a bare Fastify server serving a body of that size and
// content type on the same route, load both with autocannon under the same settings, and compare. The ratio
// (app req/s / bare req/s) is what budgets hold, because absolute numbers depend on the machine while the ratio
// mostly measures what the app's stack adds. Also samples the app's peak RSS during each measured run.
//
// Usage: npm run bench [-- --duration 3 --rounds 5 --connections 10 --no-build]
//        (or BENCH_DURATION / BENCH_ROUNDS / BENCH_CONNECTIONS in the environment; flags win)
import { fork, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import Redis from 'ioredis';
import mysql from 'mysql2/promise';

/**
 * What gets measured. Each entry: { name, method, path, headers?, body?, minRatio? }. `minRatio` is the budget
 * (app req/s must reach at least that fraction of the bare server's); without it the scenario is only reported.
 */
const SCENARIOS = [
  { name: 'GET /health/live', method: 'GET', path: '/health/live', minRatio: 0.6 },
  { name: 'GET /docs-json', method: 'GET', path: '/docs-json' },
];

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

/** The app's whole environment. Nothing is inherited from the shell (bar PATH) so a stray variable cannot skew a run. */
function appEnvironment(port) {
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

function readSettings() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      connections: { type: 'string' },
      rounds: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
    },
  });
  return {
    build: !values['no-build'],
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

function runCommand(command, args) {
  return new Promise((resolve, reject) => {
    const child = track(spawn(command, args, { cwd: ROOT_DIR, stdio: 'inherit' }));
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

/** A fresh database per run so every run starts from the same (freshly migrated) state. */
async function recreateDatabase() {
  console.log(`› Recreating database ${DATABASE.name}`);
  const connection = await mysql.createConnection({
    host: DATABASE.host,
    port: DATABASE.port,
    user: DATABASE.user,
    password: DATABASE.password,
    connectTimeout: 5_000,
  });
  try {
    // Same character set as the app's own ensureDatabase: production config refuses to create it itself.
    await connection.query(`DROP DATABASE IF EXISTS \`${DATABASE.name}\``);
    await connection.query(
      `CREATE DATABASE \`${DATABASE.name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
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

// ---------------------------------------------------------------------------------------------------------------
// The app and the bare server

async function startApp() {
  const port = await freePort();
  console.log(`› Starting the app on port ${port}`);
  const child = track(
    spawn(process.execPath, [APP_ENTRY], {
      cwd: ROOT_DIR,
      env: appEnvironment(port),
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  // Both pipes must be drained, or the app would block on a full pipe once it logged enough.
  const output = { stdout: captureTail(child.stdout), stderr: captureTail(child.stderr) };
  const baseUrl = `http://127.0.0.1:${port}`;
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

/** Starts the ceiling for one scenario, answering with the same status, size and content type as the app did. */
async function startBareServer(scenario, probe) {
  const child = track(
    fork(join(BENCH_DIR, 'bare-server.mjs'), [], {
      cwd: ROOT_DIR,
      env: {
        PATH: process.env.PATH,
        BARE_METHOD: scenario.method,
        BARE_PATH: scenario.path,
        BARE_BODY_BYTES: String(probe.body.length),
        BARE_CONTENT_TYPE: probe.headers['content-type'] ?? '',
        BARE_STATUS: String(probe.status),
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
    path: scenario.path,
    ...requestBody(scenario),
  });
  if (
    check.body.length !== probe.body.length ||
    check.headers['content-type'] !== probe.headers['content-type']
  ) {
    throw new Error(
      `bare server for ${scenario.name} answered ${check.body.length} bytes of ${check.headers['content-type']}, ` +
        `the app ${probe.body.length} bytes of ${probe.headers['content-type']}`,
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
  const responseTimesMs = [];
  const instance = autocannon({
    url: new URL(scenario.path, baseUrl).href,
    method: scenario.method,
    headers,
    body,
    connections: settings.connections,
    pipelining: settings.pipelining,
    duration: durationSeconds,
  });
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

function summarize({ result, responseTimesMs }) {
  const sorted = Float64Array.from(responseTimesMs).sort();
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
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, count]),
    ),
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
    errors: sum('errors'),
    timeouts: sum('timeouts'),
    statusCodes,
  };
}

async function benchmarkScenario(app, scenario, settings) {
  console.log(`› ${scenario.name}`);
  const probe = await request(app.baseUrl, {
    method: scenario.method,
    path: scenario.path,
    ...requestBody(scenario),
  });
  const response = {
    status: probe.status,
    contentType: probe.headers['content-type'] ?? null,
    bodyBytes: probe.body.length,
  };
  console.log(
    `    the app answers ${response.status} with ${response.bodyBytes} bytes of ${response.contentType}`,
  );

  // The bare server stays up (idle) during the app's runs: it costs nothing while no load reaches it.
  const bare = await startBareServer(scenario, probe);
  const bareRuns = [];
  const appRuns = [];
  let peakRssMb = 0;
  try {
    console.log(`    warm-up: ${settings.warmupSeconds} s each (JIT, pools, caches), discarded`);
    await load(bare.baseUrl, scenario, settings, settings.warmupSeconds);
    await load(app.baseUrl, scenario, settings, settings.warmupSeconds);
    for (let round = 1; round <= settings.rounds; round++) {
      console.log(
        `    round ${round}/${settings.rounds}: ${settings.durationSeconds} s bare, ${settings.durationSeconds} s app`,
      );
      bareRuns.push(summarize(await load(bare.baseUrl, scenario, settings, settings.durationSeconds)));
      const stopSampling = sampleRss(app.child.pid);
      appRuns.push(summarize(await load(app.baseUrl, scenario, settings, settings.durationSeconds)));
      peakRssMb = Math.max(peakRssMb, stopSampling());
      assertAlive(app);
    }
  } finally {
    await stopChild(bare.child);
  }
  const ratios = appRuns.map((run, index) =>
    bareRuns[index].requestsPerSecond > 0 ? run.requestsPerSecond / bareRuns[index].requestsPerSecond : 0,
  );
  return evaluate(scenario, settings, {
    response,
    app: combineRuns(appRuns),
    bare: combineRuns(bareRuns),
    ratio: median(ratios),
    ratios,
    peakRssMb,
  });
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

function describeStatuses(statusCodes) {
  return Object.entries(statusCodes)
    .filter(([status]) => !isSuccess(Number(status)))
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ');
}

function evaluate(scenario, settings, { response, app, bare, ratio, ratios, peakRssMb }) {
  const appFailed = app.non2xx > 0 || app.errors > 0;

  const flags = [];
  if (app.non2xx > 0) {
    flags.push(`the app answered ${app.non2xx} non-2xx responses (${describeStatuses(app.statusCodes)})`);
  }
  if (app.errors > 0) flags.push(`the app run had ${app.errors} errors (${app.timeouts} timeouts)`);
  // The bare server mirrors the app's status, so its non-2xx only matter when the app's answer was a 2xx.
  const bareNon2xx = isSuccess(response.status) ? bare.non2xx : 0;
  if (bareNon2xx > 0 || bare.errors > 0) {
    flags.push(`the bare run had ${bareNon2xx} unexpected non-2xx responses and ${bare.errors} errors`);
  }

  const failures = [];
  if (peakRssMb > settings.memoryBudgetMb) {
    failures.push(`peak RSS ${peakRssMb.toFixed(1)} MB is over the ${settings.memoryBudgetMb} MB budget`);
  }
  if (scenario.minRatio !== undefined) {
    if (ratio < scenario.minRatio) {
      failures.push(`ratio ${ratio.toFixed(2)} is below the ${scenario.minRatio.toFixed(2)} budget`);
    }
    // Error responses are often cheaper than real ones: a ratio measured on them proves nothing.
    if (appFailed) failures.push('the ratio was measured on failed requests');
  }

  let verdict = 'report only';
  if (failures.length > 0) verdict = 'FAIL';
  else if (scenario.minRatio !== undefined) verdict = 'PASS';

  return {
    name: scenario.name,
    method: scenario.method,
    path: scenario.path,
    minRatio: scenario.minRatio ?? null,
    response,
    app,
    bare,
    ratio,
    ratios,
    peakRssMb,
    verdict,
    flags,
    failures,
  };
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
      `${settings.connections} connections, pipelining ${settings.pipelining}; ` +
      `memory budget ${settings.memoryBudgetMb} MB`,
  );
  const { before, after } = report.backgroundCpu;
  if (Math.max(before, after) > BUSY_MACHINE_SHARE) {
    console.log(
      `WARNING: other processes kept the CPU busy (${percent(before)} before the run, ${percent(after)} after): ` +
        'these numbers are noisy, rerun on a quiet machine before trusting a budget verdict',
    );
  }
  console.log('');
  const header = [
    'scenario',
    'app req/s',
    'app p50 ms',
    'app p99 ms',
    'bare req/s',
    'bare p50',
    'bare p99',
    'ratio',
    'peak RSS MB',
    'app non-2xx/err',
    'budget',
  ];
  const rows = report.scenarios.map((result) => [
    result.name,
    formatRate(result.app.requestsPerSecond),
    formatMs(result.app.latencyP50Ms),
    formatMs(result.app.latencyP99Ms),
    formatRate(result.bare.requestsPerSecond),
    formatMs(result.bare.latencyP50Ms),
    formatMs(result.bare.latencyP99Ms),
    result.ratio.toFixed(2),
    result.peakRssMb.toFixed(1),
    `${result.app.non2xx}/${result.app.errors}`,
    result.minRatio === null ? result.verdict : `${result.verdict} (≥ ${result.minRatio.toFixed(2)})`,
  ]);
  console.log(formatTable([header, ...rows]));
  for (const result of report.scenarios) {
    console.log(
      `  ${result.name}: ratios per round ${result.ratios.map((ratio) => ratio.toFixed(2)).join(', ')}` +
        ` (app ${result.app.rounds.join(', ')} req/s; bare ${result.bare.rounds.join(', ')} req/s)`,
    );
  }

  const notes = report.scenarios.flatMap((result) => [
    ...result.failures.map((failure) => `  FAIL ${result.name}: ${failure}`),
    ...result.flags.map((flag) => `  FLAG ${result.name}: ${flag}`),
  ]);
  if (notes.length > 0) console.log(`\n${notes.join('\n')}`);
  console.log(`\n${report.passed ? 'All budgets met.' : 'Budget FAILED.'}`);
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

async function main() {
  const settings = readSettings();
  const date = new Date().toISOString();
  if (settings.build) await buildApp();
  else if (!existsSync(APP_ENTRY)) throw new Error(`${APP_ENTRY} does not exist: run without --no-build`);

  await recreateDatabase();
  await clearRedisPrefix();
  const backgroundCpu = { before: await measureBackgroundCpu() };
  const app = await startApp();
  const scenarios = [];
  for (const scenario of SCENARIOS) {
    assertAlive(app);
    scenarios.push(await benchmarkScenario(app, scenario, settings));
  }
  await stopChild(app.child);
  backgroundCpu.after = await measureBackgroundCpu();

  const report = {
    date,
    machine: machine(),
    settings,
    backgroundCpu,
    scenarios,
    passed: scenarios.every((result) => result.failures.length === 0),
  };
  printReport(report);
  await writeResults(report);
  return report.passed ? 0 : 1;
}

main().then(
  (exitCode) => stopAllChildren().then(() => process.exit(exitCode)),
  (error) => {
    console.error(`\nBenchmark failed: ${error instanceof Error ? error.message : String(error)}`);
    stopAllChildren().finally(() => process.exit(1));
  },
);
