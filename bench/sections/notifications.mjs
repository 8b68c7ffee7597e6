// The notifications group: real-time streams (`sse`) and outgoing webhooks (`webhooks`).
//
// `sse` holds N concurrent event streams on one API process (customers, each at the per-person stream limit) and
// publishes events into the Redis stream the API replicas read, the way the worker does (one entry per customer
// per round, so every stream receives one event per round): fan-out latency from XADD to the event's arrival on
// each stream (p50/p99), and the API's memory per connection (RSS growth while the streams opened).
// `webhooks` registers one endpoint at a local receiver, writes M domain events to the outbox in one statement and
// times the worker until the receiver holds M distinct deliveries (relay, fan-out, signed HTTP delivery).
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { connectToServer, db, redisClient } from '../lib/database.mjs';
import { REDIS, appEnvironment } from '../lib/environment.mjs';
import { formatRate, formatTable } from '../lib/format.mjs';
import { register, request, signIn } from '../lib/http.mjs';
import { percentile } from '../lib/load.mjs';
import { sleep, startApp, stopChild } from '../lib/processes.mjs';
import { startWorker } from './payment-worker.mjs';
import { adminToken } from './shop.mjs';

export const NOTIFICATIONS_GROUP = 'notifications';
export const REALTIME_ID = 'sse';
export const WEBHOOKS_ID = 'webhooks';

export const REALTIME = {
  /** The target: 2,000 concurrent streams on one API process. */
  streams: 2_000,
  /** The app's limit per person (EVENTS_MAX_STREAMS_PER_USER allows at most 100). */
  streamsPerCustomer: 100,
  rounds: 20,
  roundIntervalMs: 100,
  openConcurrency: 50,
  deliveryTimeoutMs: 15_000,
};

export const WEBHOOKS = { events: 1_000, timeoutMs: 180_000 };

function readRssMb(pid) {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

async function customers(app, count) {
  const tag = Date.now().toString(36);
  const list = [];
  for (let index = 0; index < count; index++) {
    const account = {
      email: `sse-${tag}-${index}@bench.example`,
      password: 'bench-sse-password-7a1d',
      name: 'Sse',
    };
    await register(app.baseUrl, account);
    const { accessToken } = await signIn(app.baseUrl, account);
    const me = await request(app.baseUrl, {
      method: 'GET',
      path: '/v1/me',
      headers: { authorization: `Bearer ${accessToken}` },
    });
    list.push({ token: accessToken, id: JSON.parse(me.body.toString('utf8')).id });
  }
  return list;
}

/** One open stream: resolves once the server sent its `ready` event; records each bench event's arrival time. */
function openStream(baseUrl, customer, arrivals) {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${baseUrl}/v1/events`,
      { agent: false, headers: { authorization: `Bearer ${customer.token}`, accept: 'text/event-stream' } },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`GET /v1/events answered ${res.statusCode}`));
          return;
        }
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          buffer += chunk;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (/^event: ready$/m.test(block)) resolve(req);
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (!data || !data.includes('benchSentAt')) continue;
            const sentAt = JSON.parse(data).data?.benchSentAt ?? JSON.parse(data).benchSentAt;
            if (typeof sentAt === 'number') arrivals.push(Date.now() - sentAt);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
}

async function openStreams(app, list, count, arrivals) {
  const streams = [];
  const errors = [];
  let next = 0;
  const opener = async () => {
    while (next < count) {
      const index = next++;
      try {
        streams.push(
          await openStream(app.baseUrl, list[Math.floor(index / REALTIME.streamsPerCustomer)], arrivals),
        );
      } catch (error) {
        errors.push(error.message);
      }
    }
  };
  await Promise.all(Array.from({ length: REALTIME.openConcurrency }, opener));
  return { streams, errors };
}

async function publishRounds(list, expected, arrivals) {
  const redis = redisClient();
  await redis.connect();
  try {
    for (let round = 0; round < REALTIME.rounds; round++) {
      const pipeline = redis.pipeline();
      for (const customer of list) {
        const event = {
          id: `bench-${round}-${customer.id}`,
          type: 'order.paid',
          timestamp: new Date().toISOString(),
          customerId: customer.id,
          orderId: null,
          data: { benchSentAt: Date.now(), round },
        };
        pipeline.xadd(`${REDIS.prefix}:realtime:events`, '*', 'event', JSON.stringify(event));
      }
      await pipeline.exec();
      await sleep(REALTIME.roundIntervalMs);
    }
    const deadline = Date.now() + REALTIME.deliveryTimeoutMs;
    while (arrivals.length < expected && Date.now() < deadline) await sleep(50);
  } finally {
    redis.disconnect();
  }
}

export async function benchmarkRealtime(settings) {
  const count = settings.sseStreams;
  console.log(`\n› Real-time streams: ${count} concurrent streams, ${REALTIME.rounds} events each`);
  const app = await startApp({
    ...settings.appEnv,
    EVENTS_MAX_STREAMS_PER_USER: String(REALTIME.streamsPerCustomer),
  });
  const failures = [];
  try {
    const list = await customers(app, Math.ceil(count / REALTIME.streamsPerCustomer));
    const rssBeforeMb = readRssMb(app.child.pid);
    const arrivals = [];
    const opened = await openStreams(app, list, count, arrivals);
    await sleep(1_000);
    const rssAfterMb = readRssMb(app.child.pid);
    const streams = opened.streams.length;
    if (opened.errors.length > 0)
      failures.push(`${opened.errors.length} streams refused: ${opened.errors[0]}`);
    const expected = streams * REALTIME.rounds;
    await publishRounds(list, expected, arrivals);
    for (const stream of opened.streams) stream.destroy();
    const sorted = [...arrivals].sort((a, b) => a - b);
    if (arrivals.length !== expected)
      failures.push(`${expected - arrivals.length} of ${expected} events never arrived`);
    if (streams < REALTIME.streams) failures.push(`${streams} streams held, target ${REALTIME.streams}`);
    return {
      streams,
      customers: list.length,
      events: expected,
      received: arrivals.length,
      latencyMs: { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? 0 },
      rssMb: { before: rssBeforeMb, after: rssAfterMb },
      kbPerStream: streams > 0 ? ((rssAfterMb - rssBeforeMb) * 1024) / streams : 0,
      failures,
    };
  } finally {
    await stopChild(app.child);
  }
}

function startReceiver() {
  const ids = new Set();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      ids.add(req.headers['webhook-id']);
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, ids, port: server.address().port })),
  );
}

async function insertEvents(count) {
  const connection = await connectToServer();
  try {
    const rows = Array.from({ length: count }, (_, index) => [
      'events',
      'inventory.low-stock',
      JSON.stringify({ variantId: `bench-${index}`, sku: `BENCH-${index}`, available: 1, threshold: 5 }),
    ]);
    await connection.query(`INSERT INTO ${db}.outbox (queue, job_name, payload) VALUES ?`, [rows]);
  } finally {
    await connection.end();
  }
}

export async function benchmarkWebhooks(settings) {
  const count = settings.webhookEvents;
  // The SSRF guard refuses 127.0.0.1 unless allow-listed, and production refuses the allow-list: development mode.
  const env = {
    ...settings.appEnv,
    NODE_ENV: 'development',
    WEBHOOKS_ALLOW_HTTP: 'true',
    WEBHOOKS_ALLOWED_HOSTS: '127.0.0.1',
  };
  console.log(
    `\n› Webhooks: ${count} events to one endpoint at a local receiver (API + worker, NODE_ENV=development)`,
  );
  const receiver = await startReceiver();
  const app = await startApp(env);
  let worker;
  try {
    worker = await startWorker(appEnvironment(new URL(app.baseUrl).port, env));
    const token = await adminToken(app);
    const created = await request(app.baseUrl, {
      method: 'POST',
      path: '/v1/admin/webhooks',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: `http://127.0.0.1:${receiver.port}/hook`, eventTypes: ['inventory.*'] }),
    });
    if (created.status !== 201)
      throw new Error(`POST /v1/admin/webhooks answered ${created.status}: ${created.body}`);
    const started = Date.now();
    await insertEvents(count);
    const deadline = started + WEBHOOKS.timeoutMs;
    while (receiver.ids.size < count && Date.now() < deadline) await sleep(100);
    const seconds = (Date.now() - started) / 1000;
    const failures =
      receiver.ids.size < count ? [`${count - receiver.ids.size} of ${count} deliveries missing`] : [];
    return {
      events: count,
      delivered: receiver.ids.size,
      seconds,
      perSecond: receiver.ids.size / seconds,
      failures,
    };
  } finally {
    if (worker) await stopChild(worker.child);
    await stopChild(app.child);
    receiver.server.close();
  }
}

export function printNotifications({ realtime, webhooks }) {
  if (realtime) {
    console.log('\nReal-time streams (one API process; events published into its Redis stream)');
    console.log(
      formatTable([
        ['streams', 'customers', 'events received', 'fan-out p50 ms', 'p99 ms', 'max ms', 'KB per stream'],
        [
          String(realtime.streams),
          String(realtime.customers),
          `${realtime.received}/${realtime.events}`,
          realtime.latencyMs.p50.toFixed(1),
          realtime.latencyMs.p99.toFixed(1),
          realtime.latencyMs.max.toFixed(1),
          realtime.kbPerStream.toFixed(1),
        ],
      ]),
    );
    for (const failure of realtime.failures) console.log(`  FAIL sse: ${failure}`);
  }
  if (webhooks) {
    console.log('\nWebhooks (outbox → events → delivery jobs → signed HTTP to a local receiver)');
    console.log(
      formatTable([
        ['events', 'delivered', 'seconds', 'deliveries/s'],
        [
          String(webhooks.events),
          String(webhooks.delivered),
          webhooks.seconds.toFixed(1),
          formatRate(webhooks.perSecond),
        ],
      ]),
    );
    for (const failure of webhooks.failures) console.log(`  FAIL webhooks: ${failure}`);
  }
}
