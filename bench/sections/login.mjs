// The login section: argon2id makes a login deliberately slow, so no bare ceiling applies; logins/s, latency, and
// whether 200 concurrent logins exhaust the app's memory or starve a light stream of other requests.
import { formatMs } from '../lib/format.mjs';
import { register } from '../lib/http.mjs';
import { describeStatuses, runAutocannon, summarize } from '../lib/load.mjs';
import { assertAlive, sleep, startApp, stopChild } from '../lib/processes.mjs';
import { sampleRss, waitUntilIdle } from '../lib/sampling.mjs';

/** The login section's id and group for --scenarios and --only. */
export const LOGIN_ID = 'login';
export const LOGIN_GROUP = 'auth';

/**
 * The login section. Each of `users` accounts is one client: its own email and its own address, sent as
 * X-Forwarded-For to an app started with HTTP_TRUST_PROXY=true (as behind the nginx of docker-compose), taken
 * round robin. That keeps every per-account and per-IP limit (the 10-failure account counter, which counts an
 * attempt before the check, so it also caps concurrent logins of one account; the per-IP counter; the
 * 30/min per-IP route throttle) far from its threshold while all of them still run, without any bench-only
 * switch in the app. The addresses are from 198.18.0.0/15, the range reserved for benchmarks (RFC 2544).
 */
export const LOGIN = {
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

/** Logins alone over `connections`, with the app's peak RSS. */
async function measureLogins(app, clients, connections, duration) {
  const stopSampling = sampleRss(app.child.pid);
  const run = summarizeLogins(await loginLoad(app, clients, connections, duration), connections);
  run.peakRssMb = stopSampling();
  return run;
}

/** LOGIN.stressConnections logins, with the probe running over the middle of them. */
async function measureStress(app, clients, duration) {
  const probeSeconds = Math.max(1, duration - 2 * LOGIN.probeMarginSeconds);
  console.log(
    `    stress: ${duration} s of logins over ${LOGIN.stressConnections} connections, with ${LOGIN.probe.path} ` +
      `at ${LOGIN.probe.rate} req/s over ${LOGIN.probe.connections} connections for the middle ${probeSeconds} s`,
  );
  const stopSampling = sampleRss(app.child.pid);
  const stressRun = loginLoad(app, clients, LOGIN.stressConnections, duration);
  await sleep(LOGIN.probeMarginSeconds * 1000);
  const probeDuring = summarize(await probeLoad(app, probeSeconds));
  const stress = summarizeLogins(await stressRun, LOGIN.stressConnections);
  stress.peakRssMb = stopSampling();
  return { stress, probeDuring };
}

export async function benchmarkLogin(settings) {
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
    const throughput = await measureLogins(app, clients, settings.connections, duration);
    assertAlive(app);
    await waitUntilIdle(app);

    const { stress, probeDuring } = await measureStress(app, clients, duration);
    assertAlive(app);
    await waitUntilIdle(app);

    return evaluateLogin(settings, { seedSeconds, throughput, stress, probeAlone, probeDuring });
  } finally {
    await stopChild(app.child);
  }
}

function loginFailures(settings, { throughput, stress, probeDuring }) {
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
  return failures;
}

function evaluateLogin(settings, { seedSeconds, throughput, stress, probeAlone, probeDuring }) {
  const failures = loginFailures(settings, { throughput, stress, probeDuring });
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
    peakRssMb: Math.max(throughput.peakRssMb, stress.peakRssMb),
    verdict: failures.length > 0 ? 'FAIL' : 'PASS',
    failures,
  };
}
