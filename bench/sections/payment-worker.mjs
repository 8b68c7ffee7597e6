// The payment section's worker: started beside the API, waited for until it has worked off a run, and asked where
// the run's worker time went.
import { performance } from 'node:perf_hooks';
import { connectToServer, db, redisClient } from '../lib/database.mjs';
import { READY_TIMEOUT_MS, REDIS, WORKER_ENTRY } from '../lib/environment.mjs';
import { summarizeTimes } from '../lib/load.mjs';
import { hasExited, printOutput, sleep, spawnAppProcess } from '../lib/processes.mjs';
import { waitUntilIdle } from '../lib/sampling.mjs';

/** The queue the sandbox's jobs and the webhook jobs run on (src/modules/payments/payments.jobs.ts). */
export const PAYMENTS_QUEUE_NAME = 'payments';
/** Queues of the payment flow whose jobs must be worked off before the next run (domain events: order.paid). */
const PAYMENT_FLOW_QUEUES = [PAYMENTS_QUEUE_NAME, 'events'];
// Between runs: how long the worker may take to work off the webhooks of the run before.
const DRAIN_TIMEOUT_MS = 120_000;

/** Redis connections of processes consuming the payments queue: Bull names them `<prefix>:<base64 of the queue>`. */
async function countPaymentsConsumers() {
  const name = `${REDIS.prefix}:bull:${Buffer.from(PAYMENTS_QUEUE_NAME).toString('base64')}`;
  const redis = redisClient();
  try {
    await redis.connect();
    const clients = await redis.call('CLIENT', 'LIST');
    return String(clients)
      .split('\n')
      .filter((line) => / name=(\S+)/.exec(line)?.[1].startsWith(name)).length;
  } finally {
    redis.disconnect();
  }
}

/**
 * The worker process, with the API's environment (a deployment gives both the same). Ready once it consumes the
 * payments queue. A consumer already there (a worker left over from an interrupted run) would take this run's
 * jobs with another webhook URL and secret, so it is refused.
 */
export async function startWorker(environment) {
  if ((await countPaymentsConsumers()) > 0) {
    throw new Error(
      `another process already consumes the ${REDIS.prefix} payments queue (a worker left from an earlier run?)`,
    );
  }
  console.log('› Starting the worker');
  const { child, output } = spawnAppProcess(WORKER_ENTRY, environment);
  const worker = { child, output, label: 'worker' };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while ((await countPaymentsConsumers()) === 0) {
    if (hasExited(child) || Date.now() > deadline) {
      printOutput('worker', output, 4_000);
      throw new Error(
        hasExited(child)
          ? `the worker exited before it consumed the payments queue (${child.signalCode ?? `code ${child.exitCode}`})`
          : `the worker did not consume the payments queue within ${READY_TIMEOUT_MS / 1000} s`,
      );
    }
    await sleep(250);
  }
  return worker;
}

/** What the payment flow still has to do: outbox rows not relayed, payment events not applied, jobs of its queues. */
async function pendingPaymentWork(connection, redis) {
  const [[{ outbox }]] = await connection.query(
    `SELECT COUNT(*) AS outbox FROM ${db}.outbox WHERE published_at IS NULL`,
  );
  const [[{ events }]] = await connection.query(
    `SELECT COUNT(*) AS events FROM ${db}.payment_events WHERE processed_at IS NULL`,
  );
  let jobs = 0;
  for (const queue of PAYMENT_FLOW_QUEUES) {
    const key = `${REDIS.prefix}:bull:${queue}`;
    const [wait, active, delayed] = await Promise.all([
      redis.lrange(`${key}:wait`, 0, -1),
      redis.lrange(`${key}:active`, 0, -1),
      // The events queue holds no delayed jobs; the payments queue's are settle jobs, retries and
      // the next run of the repeatable reconciliation job (always there, so not work left over).
      redis.zrange(`${key}:delayed`, 0, -1),
    ]);
    jobs += [...wait, ...active, ...delayed].filter((id) => !id.startsWith('repeat:')).length;
  }
  return { outbox: Number(outbox), events: Number(events), jobs };
}

/**
 * Waits until the payment flow's work is done: every outbox row relayed, every payment event applied, no job of
 * the flow's queues waiting, running or due later (the delayed card's settle jobs, retries), then the API and the
 * worker idle. Returns the seconds it took and whether it got there within DRAIN_TIMEOUT_MS.
 */
export async function waitForPaymentsDrained(app, worker) {
  const started = performance.now();
  const deadline = started + DRAIN_TIMEOUT_MS;
  const connection = await connectToServer();
  const redis = redisClient();
  try {
    await redis.connect();
    for (;;) {
      const pending = await pendingPaymentWork(connection, redis);
      if (pending.outbox + pending.events + pending.jobs === 0) break;
      if (performance.now() > deadline) {
        console.log(
          `    (not drained after ${DRAIN_TIMEOUT_MS / 1000} s: ${JSON.stringify(pending)}; going on)`,
        );
        return { seconds: (performance.now() - started) / 1000, drained: false, pending };
      }
      await sleep(100);
    }
  } finally {
    redis.disconnect();
    await connection.end();
  }
  const seconds = (performance.now() - started) / 1000;
  await waitUntilIdle(app);
  await waitUntilIdle(worker);
  return { seconds, drained: true };
}

/** Per job name: the waits, run times and retries of the payments queue's jobs completed since `sinceMs`. */
async function completedJobTimes(redis, sinceMs) {
  const key = `${REDIS.prefix}:bull:${PAYMENTS_QUEUE_NAME}`;
  const ids = await redis.zrangebyscore(`${key}:completed`, sinceMs, '+inf');
  const pipeline = redis.pipeline();
  for (const id of ids)
    pipeline.hmget(`${key}:${id}`, 'name', 'timestamp', 'opts', 'processedOn', 'finishedOn', 'attemptsMade');
  const byName = new Map();
  for (const [error, fields] of await pipeline.exec()) {
    if (error || fields[0] === null) continue;
    const [name, timestamp, opts, processedOn, finishedOn, attemptsMade] = fields;
    // The job's own `delay` field is zeroed when Bull promotes it; the delay asked for stays in its options.
    const delay = Number(JSON.parse(opts ?? '{}').delay ?? 0);
    const times = byName.get(name) ?? { waits: [], runs: [], retried: 0 };
    times.waits.push(Number(processedOn) - Number(timestamp) - delay);
    times.runs.push(Number(finishedOn) - Number(processedOn));
    if (Number(attemptsMade) > 1) times.retried += 1;
    byName.set(name, times);
  }
  return byName;
}

/**
 * Where the worker's part of a run went: for each job of the payments queue that finished since `sinceMs` (epoch
 * ms), by job name, how long it waited for one of the queue's processing slots once due (processedOn − timestamp −
 * the delay asked for; a retry's wait includes its backoff), how long it ran (finishedOn − processedOn; for a webhook delivery,
 * the API's answer to it) and how many needed more than one attempt; and how long the outbox took to hand the
 * queue's rows to Bull (published_at − created_at, both the database's clock). Bull keeps completed jobs (up to
 * 10,000 per queue, src/queues/queues.module.ts), far more than a run makes.
 */
export async function paymentJobTimes(sinceMs) {
  const redis = redisClient();
  const connection = await connectToServer();
  try {
    await redis.connect();
    const byName = await completedJobTimes(redis, sinceMs);
    const [relayed] = await connection.query(
      `SELECT TIMESTAMPDIFF(MICROSECOND, created_at, published_at) / 1000 AS ms
         FROM ${db}.outbox
        WHERE queue = ? AND published_at IS NOT NULL AND created_at >= FROM_UNIXTIME(? / 1000)`,
      [PAYMENTS_QUEUE_NAME, sinceMs],
    );
    return {
      jobs: Object.fromEntries(
        [...byName].map(([name, times]) => [
          name,
          {
            count: times.runs.length,
            wait: summarizeTimes(times.waits),
            run: summarizeTimes(times.runs),
            retried: times.retried,
          },
        ]),
      ),
      outboxRelay: { rows: relayed.length, ...summarizeTimes(relayed.map((row) => Number(row.ms))) },
    };
  } finally {
    redis.disconnect();
    await connection.end();
  }
}
