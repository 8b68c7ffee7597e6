// Smoke test of the BUILT app (`dist/`), which the Jest suites never run (they run the sources):
// catches what only the build can break, e.g. an asset left out of dist (the common-password list
// once landed in dist/src/src and every registration answered 500). Starts the API and the worker
// from dist against a scratch database and Redis prefix, checks a few answers, stops both with
// SIGTERM (each must exit 0), and cleans up.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import Redis from 'ioredis';
import mysql from 'mysql2/promise';

const run = `sk_smoke_${randomBytes(4).toString('hex')}`;
const freePort = () =>
  new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
const port = await freePort();
const env = {
  PATH: process.env.PATH,
  NODE_ENV: 'development',
  LOG_LEVEL: 'warn',
  HOST: '127.0.0.1',
  PORT: String(port),
  DB_NAME: run,
  REDIS_PREFIX: run,
  SMTP_PORT: '1', // nothing is mailed that a smoke test waits for
};
const base = `http://127.0.0.1:${port}`;
const children = [];
const start = (entry, extraEnv = {}) => {
  const child = spawn(process.execPath, [entry], {
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.output = '';
  child.stdout.on('data', (chunk) => {
    child.output += chunk.toString();
  });
  children.push(child);
  return child;
};
const running = (child) => child.exitCode === null && child.signalCode === null;
/** Resolves with the exit code, or the signal's name when a signal ended the process. */
const exited = (child) =>
  running(child)
    ? new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)))
    : Promise.resolve(child.exitCode ?? child.signalCode);

async function waitForOutput(child, text, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && running(child) && !child.output.includes(text)) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return child.output.includes(text);
}

const failures = [];
const check = (name, ok, detail = '') => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok ? '' : `: ${detail}`}`);
  if (!ok) failures.push(name);
};

async function waitForReady(timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/health/ready`)).status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

const post = (path, body) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

try {
  const api = start('dist/src/main.js');
  check('API ready', await waitForReady());
  // The worker logs at info so the smoke test can see it finish starting (its SIGTERM handler is
  // installed by then).
  const worker = start('dist/src/worker.js', { LOG_LEVEL: 'info' });
  const common = await post('/v1/auth/register', {
    email: 'smoke@example.test',
    password: 'password123',
    name: 'S',
  });
  check('common password refused (the list is in dist)', common.status === 400, `status ${common.status}`);
  const good = await post('/v1/auth/register', {
    email: 'smoke@example.test',
    password: 'a smoke test passphrase',
    name: 'S',
  });
  check('registration accepted', good.status === 202, `status ${good.status}`);
  const login = await post('/v1/auth/login', {
    email: 'smoke@example.test',
    password: 'a smoke test passphrase',
  });
  const { accessToken } = await login.json();
  const me = await fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  check('login and GET /v1/me', me.status === 200, `login ${login.status}, me ${me.status}`);
  check('OpenAPI document served', (await fetch(`${base}/docs-json`)).status === 200);
  // The dashboard's bundle is made by the build's second step (esbuild), into dist/dashboard.
  const page = await fetch(`${base}/admin/dashboard`);
  const html = await page.text();
  const script = /src="(\/admin\/dashboard\/assets\/dashboard-[\w-]+\.js)"/.exec(html)?.[1];
  const bundle = script ? await fetch(`${base}${script}`) : undefined;
  const bundleText = bundle ? await bundle.text() : '';
  check(
    'dashboard page and its bundle served (Chart.js inside)',
    page.status === 200 && bundle?.status === 200 && bundleText.includes('getChart'),
    `page ${page.status}, script ${script ?? 'not named in the page'} ${bundle?.status ?? ''}`,
  );
  check('worker started', await waitForOutput(worker, 'Worker started'));
  api.kill('SIGTERM');
  worker.kill('SIGTERM');
  const [apiExit, workerExit] = await Promise.all([exited(api), exited(worker)]);
  check('API exits 0 on SIGTERM', apiExit === 0, `exit ${apiExit}`);
  check('worker exits 0 on SIGTERM', workerExit === 0, `exit ${workerExit}`);
} finally {
  for (const child of children) if (running(child)) child.kill('SIGKILL');
  const db = await mysql.createConnection({ host: '127.0.0.1', user: 'root' });
  await db.query(`DROP DATABASE IF EXISTS \`${run}\``);
  await db.end();
  const redis = new Redis({ host: '127.0.0.1', port: 6379 });
  const keys = await redis.keys(`${run}:*`);
  if (keys.length > 0) await redis.unlink(...keys);
  redis.disconnect();
}
if (failures.length > 0) {
  for (const child of children)
    console.log(`--- end of ${child.spawnargs.at(-1)} output:\n${child.output.slice(-3000)}`);
  console.log(`smoke: ${failures.length} check(s) failed`);
  process.exit(1);
}
console.log('smoke: the built API and worker work');
