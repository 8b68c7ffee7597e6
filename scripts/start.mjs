// `npm start`: makes sure MariaDB and Redis answer (scripts/services.sh), builds, and runs the built
// API and worker as two processes; outside production it also runs the dev mail inbox and seeds a
// small demo shop with a year of orders into an empty database (`npm run seed -- --if-empty --demo-year`), so a fresh clone has
// something to browse and its verification mails can be read. Prints the URLs once the API is ready.
//
// Stopping: SIGINT (Ctrl-C), SIGTERM or SIGHUP to this process — npm passes SIGINT and SIGTERM on,
// since the "start" script execs this file — stops everything it runs, gracefully, and it exits
// when the last one has. It also stops when its parent (npm) is gone, e.g. after a SIGHUP or
// SIGKILL that npm does not pass on; and what it runs stops when it is gone, even if it was killed
// with SIGKILL (scripts/start/exit-with-parent.mjs). Each child runs in its own process group, so a
// terminal's Ctrl-C or hang-up reaches only npm and this script, which stops the rest in order.
//
// Settings of its own (the app's are in .env.example):
//   MAIL_INBOX=false       no dev mail inbox
//   MAIL_INBOX_PORT=8025   the inbox's web port (its SMTP port is SMTP_PORT, 1025, where the app sends)
//   START_SKIP_BUILD=true  skip the build when dist/ is newer than every source file
// While the inbox runs, the API and worker get PUBLIC_APP_URL=<the inbox's URL> unless it is set, so
// the verification and reset links in mails open the inbox's stand-ins for those storefront pages.
/* global AbortSignal */
import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
// Loaded with -r (require of an ES module): --import would make Node load the entry itself as an ES
// module, and the seed's ts-node (a CommonJS hook) would then never see it.
const PRELOAD = join(root, 'scripts/start/exit-with-parent.mjs');
const DEMO_PRODUCTS = 200;

const isProduction = (process.env.NODE_ENV ?? 'development') === 'production';
const integer = (name, fallback) => {
  const value = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isNaN(value) ? fallback : value;
};
const isOff = (name) => /^(false|0|no|off)$/i.test(process.env[name] ?? '');
const log = (message) => console.log(`[start] ${message}`);
const fail = (message) => console.error(`[start] ${message}`);
// A terminal that hung up makes writes fail (EIO): that must not stop the stopping.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

// The same V8 heap cap as the Dockerfile (see there), unless the operator set NODE_OPTIONS. In
// development the API and the worker get 4 s for in-flight requests and running jobs when they stop,
// so that everything is down within 10 s; set the variables to wait longer.
const appEnv = {
  NODE_OPTIONS: '--max-old-space-size=192 --max-semi-space-size=16',
  ...(isProduction ? {} : { HTTP_SHUTDOWN_TIMEOUT_MS: '4000', WORKER_SHUTDOWN_TIMEOUT_MS: '4000' }),
  ...process.env,
};
// Each process gives up by itself 5 s after its grace (src/bootstrap/shutdown.ts); past that it is killed.
const graceMs = (name, fallback) => {
  const value = Number.parseInt(appEnv[name] ?? '', 10);
  return Number.isNaN(value) ? fallback : value;
};
const stopDeadlineMs =
  Math.max(graceMs('HTTP_SHUTDOWN_TIMEOUT_MS', 10_000), graceMs('WORKER_SHUTDOWN_TIMEOUT_MS', 25_000)) +
  5_000;

/** Everything started and not yet exited: `{ name, child, exited }`. */
const running = new Set();
let stopping = false;
let inbox = null;
/** Whether the API and worker were given PUBLIC_APP_URL=<the inbox's URL>. */
let linksToInbox = false;

/**
 * Spawns a child in its own process group, stdin a pipe this process holds (see
 * exit-with-parent.mjs), stdout and stderr shared. `exited` resolves with its code or signal name.
 */
function run(name, command, args, env = process.env) {
  const child = spawn(command, args, {
    cwd: root,
    env,
    stdio: ['pipe', 'inherit', 'inherit'],
    detached: true,
  });
  child.stdin.on('error', () => undefined); // EPIPE once the child is gone
  const entry = {
    name,
    child,
    exited: new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve(signal ?? code));
      child.once('error', (error) => {
        fail(`${name}: ${error.message}`);
        resolve(127);
      });
    }),
  };
  running.add(entry);
  void entry.exited.then(() => running.delete(entry));
  return entry;
}
const runNode = (name, args, env) => run(name, process.execPath, ['-r', PRELOAD, ...args], env);

/** Signals the child's whole process group (the build is npm → sh → nest, for one). */
function signal(entry, name) {
  try {
    process.kill(-entry.child.pid, name);
  } catch {
    // already gone
  }
}

async function stop(exitCode, reason) {
  if (stopping) return;
  stopping = true;
  clearInterval(parentWatch);
  const began = Date.now();
  const children = [...running];
  const names = [...children.map(({ name }) => name), ...(inbox ? ['mail inbox'] : [])];
  log(`${reason}: stopping${names.length > 0 ? ` ${names.join(', ')}` : ''}`);
  for (const entry of children) signal(entry, 'SIGTERM');
  const kill = setTimeout(() => {
    for (const entry of running) {
      fail(`${entry.name} still running ${stopDeadlineMs / 1000} s after SIGTERM: killing it`);
      signal(entry, 'SIGKILL');
    }
  }, stopDeadlineMs);
  await Promise.all(children.map(({ exited }) => exited));
  clearTimeout(kill);
  // Last: the worker may hand its final mails to the inbox while it drains.
  await inbox?.close();
  log(`stopped in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  process.exit(exitCode);
}

for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(name, () => void stop(0, `${name} received`));
// npm passes on SIGINT and SIGTERM but not SIGHUP, and nothing survives its SIGKILL: when npm (or
// whatever started this) is gone, this process is re-parented, and stops everything.
const parentPid = process.ppid;
const parentWatch = setInterval(() => {
  if (process.ppid !== parentPid) void stop(0, `parent process ${parentPid} gone`);
}, 500);

/** Runs one step to its end; a step that fails stops the start with its exit code. */
async function step(name, command, args) {
  const result = await run(name, command, args).exited;
  if (result !== 0 && !stopping)
    await stop(typeof result === 'number' ? result : 1, `${name} failed (${result})`);
  return result === 0;
}

/** Why the build in dist/ is out of date (a newer source file, a missing entry point), or null. */
async function staleBuild() {
  let built = Infinity;
  for (const entry of ['dist/src/main.js', 'dist/src/worker.js', 'dist/dashboard/index.html']) {
    const info = await stat(join(root, entry)).catch(() => null);
    if (!info) return `${entry} is missing`;
    built = Math.min(built, info.mtimeMs);
  }
  const sources = [
    'tsconfig.json',
    'tsconfig.build.json',
    'nest-cli.json',
    'src',
    'libs',
    'scripts/dashboard',
  ];
  for (const source of sources) {
    const info = await stat(join(root, source)).catch(() => null);
    if (!info) continue;
    if (info.mtimeMs > built) return `${source} is newer than dist/`;
    if (!info.isDirectory()) continue;
    // Directories too: a deleted file changes only its directory's time.
    for (const entry of await readdir(join(root, source), { recursive: true, withFileTypes: true })) {
      const path = join(entry.parentPath, entry.name);
      if ((await stat(path)).mtimeMs > built) return `${path.slice(root.length)} is newer than dist/`;
    }
  }
  return null;
}

async function build() {
  if (process.env.START_SKIP_BUILD === 'true') {
    const stale = await staleBuild();
    if (!stale) {
      log('build skipped: dist/ is up to date (START_SKIP_BUILD=true)');
      return true;
    }
    log(`building anyway: ${stale}`);
  }
  return step('build', 'npm', ['run', '--silent', 'build']);
}

/** The API's base URL from this machine (the readiness probe's, and where the inbox posts tokens). */
function localApiUrl() {
  const host = process.env.HOST ?? '0.0.0.0';
  const probeHost = ['0.0.0.0', '::', ''].includes(host)
    ? '127.0.0.1'
    : host.includes(':')
      ? `[${host}]`
      : host;
  return `http://${probeHost}:${integer('PORT', 3000)}`;
}

/** The dev mail inbox, in this process: outside production, when the app mails to this machine. */
async function startInbox() {
  if (isProduction || isOff('MAIL_INBOX')) return null;
  const smtpHost = process.env.SMTP_HOST ?? '127.0.0.1';
  const smtpPort = integer('SMTP_PORT', 1025);
  const webPort = integer('MAIL_INBOX_PORT', 8025);
  if (!['127.0.0.1', 'localhost', '::1'].includes(smtpHost)) {
    log(`mail goes to ${smtpHost}:${smtpPort} (SMTP_HOST): no dev mail inbox`);
    return null;
  }
  try {
    // smtp-server and mailparser are dev dependencies: loaded only here.
    const { startMailInbox } = await import('./dev-mail/inbox.mjs');
    const started = await startMailInbox({ smtpPort, webPort, apiUrl: localApiUrl() });
    if (started.webPortFallback) log(`port ${webPort} is in use: the mail inbox takes ${started.webPort}`);
    return started;
  } catch (error) {
    if (error.code === 'EADDRINUSE') {
      log(
        `127.0.0.1:${smtpPort} is already in use (a Mailpit or another mail catcher?): ` +
          'mail goes there; no dev mail inbox of our own',
      );
    } else {
      fail(`no dev mail inbox: ${error.message}`);
    }
    return null;
  }
}

/**
 * The seed is a TypeScript script (scripts/ is not part of the build): it runs with ts-node, a dev
 * dependency, as `npm run seed` does. It creates the database and runs the migrations itself when
 * they are missing, as the API would. A failed seed is reported and the app starts anyway.
 */
async function seedDemoCatalog() {
  if (isProduction) return;
  try {
    require.resolve('ts-node/register');
    require.resolve('tsconfig-paths/register');
  } catch {
    fail('[seed] skipped: ts-node is not installed (dev dependencies); `npm run seed` needs it too');
    return;
  }
  const seeder = runNode(
    'seed',
    [
      '-r',
      'ts-node/register',
      '-r',
      'tsconfig-paths/register',
      'scripts/seed.ts',
      '--if-empty',
      '--products',
      String(DEMO_PRODUCTS),
      // A year of orders, so the reports and the dashboard have something to show (about 15 s more).
      '--demo-year',
    ],
    { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
  );
  const code = await seeder.exited;
  if (code !== 0 && !stopping) fail(`[seed] exited (${code}); starting without the demo catalog`);
}

/** Waits for the API's /health/ready (MySQL, Redis and the queues answer); false if it never does. */
async function apiReady(base, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  while (!stopping && Date.now() < deadline) {
    try {
      const response = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(3_000) });
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  return false;
}

function printUrls() {
  const port = integer('PORT', 3000);
  const host = process.env.HOST ?? '0.0.0.0';
  const shown = ['0.0.0.0', '::', '127.0.0.1', '::1', ''].includes(host) ? 'localhost' : host;
  const api = `http://${shown}:${port}`;
  const lines = [
    `Storekeep is ready (Node ${process.version}, NODE_ENV=${process.env.NODE_ENV ?? 'development'})`,
    `  API           ${api}/v1  (health: ${api}/health/ready)`,
    ...(isOff('DOCS_ENABLED') ? [] : [`  Swagger UI    ${api}/docs`]),
    ...(inbox
      ? [`  Mail inbox    ${inbox.url}  (SMTP 127.0.0.1:${inbox.smtpPort}; JSON: ${inbox.url}/api/messages)`]
      : []),
    ...(linksToInbox
      ? [
          `  Mail links    open the inbox's /verify-email and /reset-password pages (PUBLIC_APP_URL=${inbox.url})`,
        ]
      : []),
    `  Dashboard     ${api}/admin/dashboard  (staff sign-in: sales, top products, stock, live orders)`,
    `  Bull Board    ${api}/admin/queues  (sign in with an API key that has the queues:manage scope)`,
    `Stop with Ctrl-C (or SIGTERM/SIGHUP to pid ${process.pid}).`,
  ];
  console.log(`\n${lines.join('\n')}\n`);
}

async function main() {
  log(`Node ${process.version}, NODE_ENV=${process.env.NODE_ENV ?? 'development'}, pid ${process.pid}`);
  if (!(await step('services', 'bash', ['scripts/services.sh']))) return;
  if (!(await build())) return;
  if (stopping) return;
  inbox = await startInbox();
  if (stopping) return;
  await seedDemoCatalog();
  if (stopping) return;

  // Links in mails open the inbox's pages, unless the developer has a storefront of their own.
  linksToInbox = Boolean(inbox) && !process.env.PUBLIC_APP_URL;
  const env = linksToInbox ? { ...appEnv, PUBLIC_APP_URL: inbox.url } : appEnv;
  for (const [name, entry] of [
    ['api', 'dist/src/main.js'],
    ['worker', 'dist/src/worker.js'],
  ]) {
    const child = runNode(name, [entry], env);
    void child.exited.then(
      (result) => void stop(typeof result === 'number' ? result : 1, `${name} exited (${result})`),
    );
  }
  if (await apiReady(localApiUrl())) printUrls();
  else if (!stopping) fail('the API did not become ready within 180 s (see its output above)');
}

main().catch((error) => {
  fail(error instanceof Error ? (error.stack ?? error.message) : String(error));
  void stop(1, 'start failed');
});
