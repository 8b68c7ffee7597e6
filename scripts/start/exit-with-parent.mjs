// Preloaded (`node -r`) into every Node process scripts/start.mjs runs (API, worker, seed):
// such a process stops, as it would on SIGTERM, when start.mjs is gone — however it went, SIGKILL
// included, when no signal handler of start.mjs can run.
//
// How it knows: start.mjs gives each child a pipe as stdin and never writes to it. The kernel closes
// start.mjs's end when start.mjs exits, for any reason, and this end then reads end-of-file at once.
// Checking the parent pid once a second backs that up (a pipe end some other process inherited would
// keep the pipe open; a changed parent pid means start.mjs is gone all the same).
import { fstatSync } from 'node:fs';
import process from 'node:process';

const parentPid = process.ppid;
let gone = false;

function parentGone() {
  if (gone) return;
  gone = true;
  // The process's own SIGTERM handler does the graceful stop (a process without one just ends).
  process.kill(process.pid, 'SIGTERM');
}

// Only a pipe or socket as stdin: a file or a terminal would read end-of-file (or wait) for other reasons.
const stdin = fstatSync(0);
if (stdin.isFIFO() || stdin.isSocket()) {
  process.stdin.on('end', parentGone);
  process.stdin.on('close', parentGone);
  process.stdin.on('error', parentGone);
  process.stdin.resume();
  // Watching must not keep an otherwise finished process alive.
  process.stdin.unref?.();
}
setInterval(() => {
  if (process.ppid !== parentPid) parentGone();
}, 1000).unref();
