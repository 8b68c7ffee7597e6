import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** One process as /proc shows it; `startTime` tells it apart from a later process given the same pid. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  state: string;
  startTime: string;
  command: string;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { pid, state: fields[0], ppid: Number(fields[1]), startTime: fields[19], command };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** The process and everything it started that is still its descendant now (Linux /proc). */
export function processTree(rootPid: number): ProcessInfo[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((info): info is ProcessInfo => info !== undefined);
  const tree: ProcessInfo[] = [];
  const root = all.find((info) => info.pid === rootPid);
  if (root) tree.push(root);
  for (let i = 0; i < tree.length; i++) tree.push(...all.filter((info) => info.ppid === tree[i].pid));
  return tree;
}

/** Whether that very process still runs (a zombie has exited; a reused pid is another process). */
export function isRunning(process: ProcessInfo): boolean {
  const now = readProcess(process.pid);
  return now !== undefined && now.startTime === process.startTime && now.state !== 'Z';
}

/** Whether a server could listen on 127.0.0.1:port now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port nothing listens on (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A process that SIGKILLs `child` once the pipe from this process closes, which the kernel does
 * however this process ends (Jest's sandbox never runs a `process.on('exit')` hook of a test file, and
 * nothing runs after SIGKILL). Killed itself when `child` exits, so it never hits a reused pid.
 */
function watch(child: ChildProcess): ChildProcess {
  const watchdog = spawn('sh', ['-c', `cat >/dev/null; kill -9 ${child.pid} 2>/dev/null`], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.unref();
  (watchdog.stdin as unknown as { unref(): void }).unref();
  return watchdog;
}

/**
 * A private server for a test: `watch`ed (a forgotten one must not outlive the test process) and
 * unref'd (nor keep it alive); resolves when it exits, after `onExit`.
 */
export function supervise(child: ChildProcess, onExit: () => void): Promise<void> {
  const watchdog = watch(child);
  child.unref();
  return new Promise((resolve) => {
    child.once('exit', () => {
      watchdog.kill('SIGKILL');
      onExit();
      resolve();
    });
  });
}
