// Runs the built API and worker as two processes (what `npm start` does after building), prefixing
// their output, and stops both when either exits or when this process gets SIGINT/SIGTERM.
import { spawn } from 'node:child_process';

const processes = [
  { name: 'api', entry: 'dist/src/main.js' },
  { name: 'worker', entry: 'dist/src/worker.js' },
];

// A child killed by a signal has exitCode null but signalCode set: it is not running either.
const isRunning = (child) => child.exitCode === null && child.signalCode === null;

// The same V8 heap cap as the Dockerfile (see there), unless the operator set NODE_OPTIONS.
const env = { NODE_OPTIONS: '--max-old-space-size=192', ...process.env };

let stopping = false;
const children = processes.map(({ name, entry }) => {
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

function stop(exitCode) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (isRunning(child)) child.kill('SIGTERM');
  // Both drain gracefully on SIGTERM; wait for them, then leave with the first failure's code.
  Promise.all(
    children.map((child) => (isRunning(child) ? new Promise((r) => child.on('exit', r)) : null)),
  ).then(() => process.exit(exitCode));
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
