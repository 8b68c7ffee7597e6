// What the processes and the machine use while the load runs: RSS, CPU per process, the machine's background load.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
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
  const ticksPerSecond = 100;
  let before = cpuTicksOf(app.child.pid);
  while (Date.now() < deadline) {
    await sleep(500);
    const after = cpuTicksOf(app.child.pid);
    if ((after - before) / ticksPerSecond / 0.5 < 0.1) return;
    before = after;
  }
  console.log(`    (the app was still busy after ${timeoutMs / 1000} s; going on)`);
}

/** Process ids of MariaDB/MySQL on this machine (to split the CPU between the app and the database). */
function databasePids() {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const name = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (name === 'mariadbd' || name === 'mysqld') pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
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
export function sampleCpuSplit(appPid, workerPid = undefined) {
  const dbPids = databasePids();
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
      appCores: cores((ticksOf([appPid]) - before.app) / 100),
      ...(workerPid !== undefined && { workerCores: cores((ticksOf(workerPids) - before.worker) / 100) }),
      databaseCores: cores((ticksOf(dbPids) - before.db) / 100),
      harnessCores: cores((harness.user + harness.system) / 1e6),
    };
    const busyTicks = machine.total - before.machine.total - (machine.idle - before.machine.idle);
    const machineBusyCores = cores(busyTicks / 100);
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
