// Runs the built API and worker as two processes (what `npm start` does after building), prefixing
// their output, and stops both when either exits or when this process gets SIGINT/SIGTERM.
// Outside production it first seeds a small demo catalog into an empty database (`npm run seed --
// --if-empty`), so a fresh clone has something to browse; a database with any catalog rows is left alone.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

const processes = [
  { name: 'api', entry: 'dist/src/main.js' },
  { name: 'worker', entry: 'dist/src/worker.js' },
];
const DEMO_PRODUCTS = 200;

// A child killed by a signal has exitCode null but signalCode set: it is not running either.
const isRunning = (child) => child.exitCode === null && child.signalCode === null;
const exited = (child) => (isRunning(child) ? new Promise((r) => child.on('exit', r)) : null);

// The same V8 heap cap as the Dockerfile (see there), unless the operator set NODE_OPTIONS.
const env = { NODE_OPTIONS: '--max-old-space-size=192', ...process.env };

let stopping = false;
let seeder = null;
let children = [];

function stop(exitCode) {
  if (stopping) return;
  stopping = true;
  const running = [seeder, ...children].filter((child) => child && isRunning(child));
  for (const child of running) child.kill('SIGTERM');
  // Both drain gracefully on SIGTERM; wait for them, then leave with the first failure's code.
  Promise.all(running.map(exited)).then(() => process.exit(exitCode));
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

/**
 * The seed is a TypeScript script (scripts/ is not part of the build): it runs with ts-node, a dev
 * dependency, as `npm run seed` does. It creates the database and runs the migrations itself when
 * they are missing, as the API would. A failed seed is reported and the app starts anyway.
 */
async function seedDemoCatalog() {
  if ((process.env.NODE_ENV ?? 'development') === 'production') return;
  try {
    require.resolve('ts-node/register');
    require.resolve('tsconfig-paths/register');
  } catch {
    console.error('[seed] skipped: ts-node is not installed (dev dependencies); `npm run seed` needs it too');
    return;
  }
  seeder = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register',
      '-r',
      'tsconfig-paths/register',
      'scripts/seed.ts',
      '--if-empty',
      '--products',
      String(DEMO_PRODUCTS),
    ],
    {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
    },
  );
  const code = await new Promise((resolve) =>
    seeder.on('exit', (exitCode, signal) => resolve(signal ?? exitCode)),
  );
  if (code !== 0 && !stopping) console.error(`[seed] exited (${code}); starting without the demo catalog`);
}

await seedDemoCatalog();
if (!stopping) {
  children = processes.map(({ name, entry }) => {
    const child = spawn(process.execPath, [entry], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env,
    });
    child.on('exit', (code, signal) => {
      console.error(`[${name}] exited (${signal ?? code})`);
      stop(code ?? 1);
    });
    return child;
  });
}
