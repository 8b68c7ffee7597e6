// What the processes and the machine use while the load runs: RSS, CPU per process, the machine's background load.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { isAbsolute, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connectToServer } from './database.mjs';
import { BUSY_MACHINE_SHARE, RSS_SAMPLE_INTERVAL_MS } from './environment.mjs';
import { percent } from './format.mjs';
import { sleep } from './processes.mjs';

function readRssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) / 1024 : 0;
}

/** Samples the RSS of a process until the returned function is called, which returns the peak in MB. */
export function sampleRss(pid) {
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

// Linux reports a process's CPU time in clock ticks of 1/100 s (USER_HZ) on every mainstream build.
const TICKS_PER_SECOND = 100;

function cpuTicksOf(pid) {
  // Fields after the command name: utime and stime are the 12th and 13th of them.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * autocannon drops its sockets when a run ends, but the app still works through the logins it had queued: wait
 * until it has (under 10% of one core over half a second) so that the next run starts on an idle app.
 */
export async function waitUntilIdle(app, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let before = cpuTicksOf(app.child.pid);
  while (Date.now() < deadline) {
    await sleep(500);
    const after = cpuTicksOf(app.child.pid);
    if ((after - before) / TICKS_PER_SECOND / 0.5 < 0.1) return;
    before = after;
  }
  console.log(`    (the app was still busy after ${timeoutMs / 1000} s; going on)`);
}

const isDatabaseProcess = (pid) => {
  try {
    return ['mariadbd', 'mysqld'].includes(readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
  } catch {
    return false;
  }
};

/** Process ids of every MariaDB/MySQL server on this machine (tests start private ones beside the shared one). */
function databasePids() {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter(isDatabaseProcess);
}

async function findDatabaseServerPid() {
  const connection = await connectToServer();
  let found;
  try {
    [[found]] = await connection.query('SELECT @@pid_file AS pidFile, @@datadir AS dataDir');
  } finally {
    await connection.end();
  }
  try {
    const pidFile = isAbsolute(found.pidFile) ? found.pidFile : join(found.dataDir, found.pidFile);
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (isDatabaseProcess(pid)) return pid;
  } catch {
    // Only the server's own user may read its pid file: then the one server process on the machine, if just one.
  }
  const candidates = databasePids();
  return candidates.length === 1 ? candidates[0] : null;
}

let databaseServer = null;

/**
 * The pid of the MariaDB server the bench uses (from its pid file, or the only server process on the machine), or
 * null when neither tells (a server on another host or in a container, several servers and no readable pid file).
 */
export function databaseServerPid() {
  databaseServer ??= findDatabaseServerPid();
  return databaseServer;
}

/** CPU ticks the processes have used so far; a process gone meanwhile counts nothing. */
function ticksOf(pids) {
  return pids.reduce((sum, pid) => {
    try {
      return sum + cpuTicksOf(pid);
    } catch {
      return sum;
    }
  }, 0);
}

/**
 * CPU seconds used by the app, the database and this harness (and the worker, given its pid) between start() and
 * the returned stop(), and by the whole machine: `otherCores` is the rest (Redis, the kernel, anything else
 * running meanwhile, such as someone's tests: a run with much of it was disturbed).
 */
export async function sampleCpuSplit(appPid, workerPid = undefined) {
  const databasePid = await databaseServerPid();
  const dbPids = databasePid === null ? [] : [databasePid];
  const workerPids = workerPid === undefined ? [] : [workerPid];
  const before = {
    app: ticksOf([appPid]),
    worker: ticksOf(workerPids),
    db: ticksOf(dbPids),
    harness: process.cpuUsage(),
    machine: cpuTimes(),
    at: performance.now(),
  };
  return () => {
    const wallSeconds = (performance.now() - before.at) / 1000;
    const harness = process.cpuUsage(before.harness);
    const machine = cpuTimes();
    const cores = (seconds) => Number((seconds / wallSeconds).toFixed(2));
    const split = {
      appCores: cores((ticksOf([appPid]) - before.app) / TICKS_PER_SECOND),
      ...(workerPid !== undefined && {
        workerCores: cores((ticksOf(workerPids) - before.worker) / TICKS_PER_SECOND),
      }),
      databaseCores: cores((ticksOf(dbPids) - before.db) / TICKS_PER_SECOND),
      harnessCores: cores((harness.user + harness.system) / 1e6),
    };
    const busyTicks = machine.total - before.machine.total - (machine.idle - before.machine.idle);
    const machineBusyCores = cores(busyTicks / TICKS_PER_SECOND);
    const known = Object.values(split).reduce((sum, value) => sum + value, 0);
    return {
      wallSeconds: Number(wallSeconds.toFixed(1)),
      ...split,
      machineBusyCores,
      otherCores: Number(Math.max(0, machineBusyCores - known).toFixed(2)),
      machineCores: os.cpus().length,
    };
  };
}

/**
 * CPU milliseconds the app process and the database server (/proc/<pid>/stat, utime + stime) use between the call
 * and the returned stop(): `{ appMs, databaseMs }`, databaseMs null when the server's process is unknown (see
 * databaseServerPid). The database figure is the whole server's: anything else it serves meanwhile counts too.
 */
export async function sampleCpuTime(appPid) {
  const databasePid = await databaseServerPid();
  const databaseTicks = () => (databasePid === null ? null : ticksOf([databasePid]));
  const before = { app: ticksOf([appPid]), database: databaseTicks() };
  return () => {
    const databaseAfter = databaseTicks();
    return {
      appMs: ((ticksOf([appPid]) - before.app) * 1000) / TICKS_PER_SECOND,
      databaseMs:
        databaseAfter === null ? null : ((databaseAfter - before.database) * 1000) / TICKS_PER_SECOND,
    };
  };
}

/** The sum of CPU times measured by sampleCpuTime (`total` null at the start). */
export const addCpuTimes = (total, cpu) =>
  total === null
    ? cpu
    : {
        appMs: total.appMs + cpu.appMs,
        databaseMs: total.databaseMs === null ? null : total.databaseMs + cpu.databaseMs,
      };

/** CPU milliseconds per request: `{ appMs, databaseMs }` (null where nothing was measured). */
export const cpuPerRequest = (cpu, requests) => ({
  appMs: cpu && requests > 0 ? cpu.appMs / requests : null,
  databaseMs: cpu?.databaseMs != null && requests > 0 ? cpu.databaseMs / requests : null,
});

export function machine() {
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
export async function measureBackgroundCpu(sampleMs = 1_000) {
  const before = cpuTimes();
  await sleep(sampleMs);
  const after = cpuTimes();
  const total = after.total - before.total;
  return total > 0 ? 1 - (after.idle - before.idle) / total : 0;
}

/** Waits (at most `timeoutMs`) until other processes use at most BUSY_MACHINE_SHARE of the CPU. */
export async function waitForQuietMachine(timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let busy = await measureBackgroundCpu();
  while (busy > BUSY_MACHINE_SHARE && Date.now() < deadline) busy = await measureBackgroundCpu();
  if (busy > BUSY_MACHINE_SHARE) {
    console.log(`    (the machine was still ${percent(busy)} busy after ${timeoutMs / 1000} s; going on)`);
  }
}
