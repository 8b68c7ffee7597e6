// Load with autocannon, and the statistics of its runs.
import autocannon from 'autocannon';
import { isSuccess, requestBody } from './http.mjs';
import { sleep } from './processes.mjs';

/**
 * One autocannon run. autocannon's own latency histogram has whole-millisecond resolution, so a local API's
 * sub-millisecond answers would all read 0 ms: every response time is also collected here, at hrtime precision.
 */
export async function load(baseUrl, scenario, settings, durationSeconds, next) {
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

export const connectionsOf = (scenario, settings) => scenario.connections ?? settings.connections;

export async function runAutocannon(options) {
  const responseTimesMs = [];
  const instance = autocannon(options);
  instance.on('response', (client, statusCode, bytes, responseTimeMs) =>
    responseTimesMs.push(responseTimeMs),
  );
  const result = await instance;
  return { result, responseTimesMs };
}

/** Nearest-rank percentile. */
export function percentile(sortedValues, fraction) {
  if (sortedValues.length === 0) return 0;
  return sortedValues[Math.max(0, Math.ceil(fraction * sortedValues.length) - 1)];
}

export const isExpected = (status, expectedStatus) =>
  expectedStatus === undefined ? isSuccess(status) : status === expectedStatus;

export function describeStatuses(statusCodes, expectedStatus) {
  return Object.entries(statusCodes)
    .filter(([status]) => !isExpected(Number(status), expectedStatus))
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ');
}

/** `expectedStatus`: the status every answer must have; without it any 2xx. */
export function summarize({ result, responseTimesMs }, expectedStatus) {
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

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor((sorted.length - 1) / 2)];
};

/** The run whose req/s is the median: its latencies stand for the side. Counts are summed over runs. */
export function combineRuns(runs) {
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

export function summarizeTimes(values) {
  const sorted = Float64Array.from(values).sort();
  return {
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length > 0 ? sorted[sorted.length - 1] : 0,
  };
}

/**
 * A warm-up that lasts until the rate is steady: while the load runs, `completed()` (how many units of work, e.g.
 * flows, have finished so far) is read every `windowSeconds`; the windows' rates follow until two in a row are
 * within `tolerance` of the higher one (and above 0), or `maxSeconds` have passed (JIT, pools and the database's
 * buffers take a while on a busy machine). Returns `{ rates, steady }`; the caller then stops the load.
 */
export async function waitUntilSteady(
  completed,
  { windowSeconds = 2, tolerance = 0.1, maxSeconds = 30 } = {},
) {
  const rates = [];
  let before = completed();
  while ((rates.length + 1) * windowSeconds <= maxSeconds) {
    await sleep(windowSeconds * 1000);
    const after = completed();
    rates.push((after - before) / windowSeconds);
    before = after;
    const [previous, last] = rates.slice(-2);
    if (rates.length >= 2 && last > 0 && Math.abs(last - previous) <= tolerance * Math.max(last, previous)) {
      return { rates, steady: true };
    }
  }
  return { rates, steady: false };
}
