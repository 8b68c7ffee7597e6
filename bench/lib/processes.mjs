// Child processes: every one is tracked so that no exit path (error, Ctrl-C, budget failure) leaves one running.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { APP_ENTRY, READY_TIMEOUT_MS, ROOT_DIR, STOP_GRACE_MS, appEnvironment } from './environment.mjs';
import { request } from './http.mjs';

const children = new Set();
/** The app process of the current phase, whose log tail explains a failed request (e.g. a 500 while seeding). */
let currentApp = null;

export const currentAppLog = () => currentApp?.output.stdout.text.slice(-4_000);
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function hasExited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM first so the app can close its pools; SIGKILL if it is still there after the grace period. */
export async function stopChild(child) {
  if (hasExited(child)) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * `work()` run while `child` is stopped (SIGSTOP), continued (SIGCONT) when it ends or after `limitMs` at the
 * latest: a stopped process holding a lock that `work` needs would otherwise hold it for good.
 */
export async function whileStopped(child, work, limitMs = 5_000) {
  child.kill('SIGSTOP');
  const resume = () => child.kill('SIGCONT');
  const timer = setTimeout(resume, limitMs);
  try {
    return await work();
  } finally {
    clearTimeout(timer);
    resume();
  }
}

export async function stopAllChildren() {
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

/**
 * A command run to its end. `quiet`: its output is kept rather than shown, and only its error output told when it
 * fails (a tool whose success says nothing the report needs).
 */
export function runCommand(command, args, env = process.env, { quiet = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(command, args, { cwd: ROOT_DIR, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit', env }),
    );
    const output = quiet ? { stdout: captureTail(child.stdout), stderr: captureTail(child.stderr) } : null;
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(
            new Error(
              `${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})` +
                (output ? `: ${output.stderr.text.trim() || output.stdout.text.trim()}` : ''),
            ),
          ),
    );
  });
}

export async function buildApp() {
  console.log('› Building the app (npx nest build)');
  await runCommand('npx', ['nest', 'build']);
  if (!existsSync(APP_ENTRY)) throw new Error(`nest build succeeded but ${APP_ENTRY} does not exist`);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A process of the built app (`entry`), its output captured: `{ child, output }`. */
export function spawnAppProcess(entry, environment) {
  const child = track(
    spawn(process.execPath, [entry], { cwd: ROOT_DIR, env: environment, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  // Both pipes must be drained, or the process would block on a full pipe once it logged enough.
  return { child, output: { stdout: captureTail(child.stdout), stderr: captureTail(child.stderr) } };
}

/** Prints what a process of the app (the API or the worker: `label`) wrote, to explain its failure. */
export function printOutput(label, output, stdoutLimit = Infinity) {
  console.error(`--- ${label} stderr ---\n${output.stderr.text || '(empty)'}`);
  if (output.stdout.text) console.error(`--- ${label} stdout ---\n${output.stdout.text.slice(-stdoutLimit)}`);
}

/** `port`: where to listen (default: a free port); the payment section must know it before the start. */
export async function startApp(environmentOverrides, port = undefined) {
  port ??= await freePort();
  const extra = Object.entries(environmentOverrides).map(([name, value]) => `${name}=${value}`);
  console.log(`› Starting the app on port ${port}${extra.length > 0 ? ` with ${extra.join(' ')}` : ''}`);
  const { child, output } = spawnAppProcess(APP_ENTRY, appEnvironment(port, environmentOverrides));
  const baseUrl = `http://127.0.0.1:${port}`;
  currentApp = { child, output };
  try {
    await waitUntilReady(child, baseUrl);
  } catch (error) {
    printOutput('app', output);
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
    await sleep(250);
  }
  throw new Error(
    `the app's GET /health/ready did not answer 200 within ${READY_TIMEOUT_MS / 1000} s (${lastProblem})`,
  );
}

/** `app`: the app, or any process started like it (the worker: `label`). */
export function assertAlive(app) {
  if (!hasExited(app.child)) return;
  const label = app.label ?? 'app';
  printOutput(label, app.output);
  throw new Error(
    `the ${label} exited during the benchmark (${app.child.signalCode ?? `code ${app.child.exitCode}`})`,
  );
}
