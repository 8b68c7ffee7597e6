// The payment section's customers: what one of them does with an order, how a run of them is measured, and how
// many SQL statements a payment and a read make.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connectToServer, readStatementCounters, statementMeter } from '../lib/database.mjs';
import { ROOT_DIR } from '../lib/environment.mjs';
import { FlowStepError, flowStep, shopperConnection } from '../lib/http.mjs';
import { summarizeTimes } from '../lib/load.mjs';
import { assertAlive, sleep, whileStopped } from '../lib/processes.mjs';
import {
  cpuPerRequest,
  sampleCpuSplit,
  sampleCpuTime,
  sampleRss,
  waitForQuietMachine,
} from '../lib/sampling.mjs';
import { paymentJobTimes, waitForPaymentsDrained } from './payment-worker.mjs';

const SANDBOX_PROVIDER_SOURCE = join(ROOT_DIR, 'src/modules/payments/providers/sandbox.provider.ts');
const ENVIRONMENT_SOURCE = join(ROOT_DIR, 'libs/config/src/environment.ts');
// A dead app or worker makes every flow fail: stop after this many failures.
export const PAYMENT_MAX_FAILURES = 200;
// An order not paid this long after its payment request counts as a failed flow.
const PAID_TIMEOUT_MS = 60_000;

/** The sandbox's test cards, read from its source (bench/ is plain JavaScript and cannot import it). */
export function sandboxCards() {
  const source = readFileSync(SANDBOX_PROVIDER_SOURCE, 'utf8');
  const card = (name) => {
    const match = new RegExp(`\\b${name}: '(\\d{12,19})'`).exec(source);
    if (!match) throw new Error(`SANDBOX_CARDS.${name} not found in ${SANDBOX_PROVIDER_SOURCE}`);
    return match[1];
  };
  return { succeeds: card('succeeds'), succeedsLater: card('succeedsLater') };
}

/** The delayed card's settle delay in this run: --app-env's, else the app's default (read from its source). */
export function sandboxSettleDelayMs(appEnv) {
  if (appEnv.SANDBOX_SETTLE_DELAY_MS !== undefined) return Number(appEnv.SANDBOX_SETTLE_DELAY_MS);
  const match = /\bSANDBOX_SETTLE_DELAY_MS = ([\d_]+);/.exec(readFileSync(ENVIRONMENT_SOURCE, 'utf8'));
  if (!match) throw new Error(`the default of SANDBOX_SETTLE_DELAY_MS not found in ${ENVIRONMENT_SOURCE}`);
  return Number(match[1].replaceAll('_', ''));
}

/** One request of a payment flow, counted per step in the section's statuses (see flowStep). */
const paymentStep = (section, connection, ...request) => flowStep(section.statuses, connection, ...request);

/** Checks a ready cart out (paymentMethod card, fresh Idempotency-Key): the order, readable with the cart token. */
export async function placeCardOrder(section, connection, cart) {
  const started = performance.now();
  const response = await paymentStep(
    section,
    connection,
    'checkout',
    'POST',
    `/v1/carts/${cart.id}/checkout`,
    { 'x-cart-token': cart.token, 'idempotency-key': randomUUID() },
    { paymentMethod: 'card' },
    201,
  );
  const checkoutMs = performance.now() - started;
  section.ordersPlaced += 1;
  for (const line of cart.lines)
    section.unitsGranted.set(line.variantId, (section.unitsGranted.get(line.variantId) ?? 0) + line.quantity);
  const order = JSON.parse(response.text);
  return { id: order.id, token: cart.token, total: order.total, checkoutMs, startedAt: started };
}

/** Sends the payment request; its answer must be 201 in one of `expectedStates`. */
async function requestPayment(section, connection, order, card, expectedStates) {
  const response = await paymentStep(
    section,
    connection,
    'payment',
    'POST',
    `/v1/orders/${order.id}/payments`,
    { 'x-order-token': order.token, 'idempotency-key': randomUUID() },
    { paymentMethod: card },
    201,
  );
  const { state } = JSON.parse(response.text);
  if (!expectedStates.includes(state)) {
    throw new FlowStepError('payment', `201 with state ${state}`, response.text);
  }
}

/**
 * Pays `order` with `card` and reads the order until it is paid: the first read at once after the answer, or,
 * with `readAfterMs`, that long after the request; then every `pollIntervalMs`.
 */
export async function payAndAwaitPaid(
  section,
  connection,
  order,
  { card, expectedStates, readAfterMs = 0, pollIntervalMs },
) {
  const sentAt = performance.now();
  const sentWallMs = Date.now();
  await requestPayment(section, connection, order, card, expectedStates);
  const paymentMs = performance.now() - sentAt;
  let reads = 0;
  let nextReadAt = sentAt + readAfterMs;
  for (;;) {
    const wait = nextReadAt - performance.now();
    if (wait > 0) await sleep(wait);
    const readStartedAt = performance.now();
    const read = await paymentStep(
      section,
      connection,
      'read',
      'GET',
      `/v1/orders/${order.id}`,
      { 'x-order-token': order.token },
      undefined,
      200,
    );
    const answeredAt = performance.now();
    reads += 1;
    const seen = JSON.parse(read.text);
    if (seen.status === 'paid') {
      return {
        readAfterMs,
        paymentMs,
        toPaidMs: answeredAt - sentAt,
        // The app's own moment of the change: same clock, no poll interval in it.
        toPaidAtMs: Date.parse(seen.paidAt) - sentWallMs,
        reads,
        endedAt: answeredAt,
      };
    }
    if (seen.status !== 'pending_payment' || answeredAt - sentAt > PAID_TIMEOUT_MS) {
      throw new FlowStepError(
        'read',
        `200 with status ${seen.status} ${((answeredAt - sentAt) / 1000).toFixed(1)} s after the payment request`,
        read.text,
      );
    }
    nextReadAt = readStartedAt + pollIntervalMs;
  }
}

/**
 * Each connection takes the next item and runs `work` on it until none is left (closed loop); failures are
 * recorded. The time is from the first request to the last answer. `spreadMs` staggers the connections' starts
 * evenly over that time: customers who all wait the same settle delay would otherwise stay in step, and every
 * ~4 s the worker would get 100 settlements at once instead of a steady stream (its jobs then waited seconds for
 * a slot in a first try).
 */
export async function runCustomers(section, connections, items, work, { spreadMs = 0 } = {}) {
  const startedAt = performance.now();
  const results = [];
  let next = 0;
  await Promise.all(
    connections.map(async (connection, index) => {
      if (spreadMs > 0) await sleep((index * spreadMs) / connections.length);
      while (next < items.length && section.failures.length < PAYMENT_MAX_FAILURES) {
        const index = next++;
        try {
          results.push(await work(connection, items[index]));
        } catch (error) {
          if (!(error instanceof FlowStepError)) throw error;
          section.failures.push({ step: error.step, status: error.status, message: error.message });
        }
      }
    }),
  );
  return { results, seconds: (performance.now() - startedAt) / 1000 };
}

/** The times of a run's paid orders (see payAndAwaitPaid). */
function summarizePaidOrders(results, seconds) {
  const times = (of) => summarizeTimes(results.map(of));
  const reads = results.reduce((sum, result) => sum + result.reads, 0);
  return {
    paid: results.length,
    seconds,
    paidPerSecond: results.length / seconds,
    toPaid: times((result) => result.toPaidMs),
    toPaidAt: times((result) => result.toPaidAtMs),
    payment: times((result) => result.paymentMs),
    ...(results[0]?.checkoutMs !== undefined && {
      checkout: times((result) => result.checkoutMs),
      flow: times((result) => result.flowMs),
    }),
    ...(results[0]?.readAfterMs > 0 && {
      // What the webhook path adds to the sandbox's own wait: settle job, delivery, webhook, outbox, job.
      beyondSettleDelay: times((result) => result.toPaidMs - result.readAfterMs),
      beyondSettleDelayToPaidAt: times((result) => result.toPaidAtMs - result.readAfterMs),
    }),
    readsPerOrder: results.length > 0 ? reads / results.length : 0,
    paidAtFirstRead: results.filter((result) => result.reads === 1).length,
  };
}

/** One measured run: its orders paid by `connections`, then the wait until the worker has worked off its work. */
export async function measurePaymentRun(
  id,
  description,
  { app, worker, section, connections, items, work, spreadMs = 0 },
) {
  console.log(`    ${id}: ${description}; ${items.length} orders, ${connections.length} customers`);
  // Others' work on the same cores (tests, builds) would be measured as the app's slowness.
  await waitForQuietMachine();
  const counters = await connectToServer();
  try {
    const statementsBefore = (await readStatementCounters(counters)).Questions;
    const failuresBefore = section.failures.length;
    const startedAtMs = Date.now();
    const stopApiRss = sampleRss(app.child.pid);
    const stopWorkerRss = sampleRss(worker.child.pid);
    const stopCpu = await sampleCpuSplit(app.child.pid, worker.child.pid);
    const stopCpuTime = await sampleCpuTime(app.child.pid);
    const { results, seconds } = await runCustomers(section, connections, items, work, { spreadMs });
    const cpuTime = stopCpuTime();
    const cpu = stopCpu();
    const peakRssMb = stopApiRss();
    const workerPeakRssMb = stopWorkerRss();
    assertAlive(app);
    assertAlive(worker);
    const drain = await waitForPaymentsDrained(app, worker);
    const statements = (await readStatementCounters(counters)).Questions - statementsBefore;
    const worked = await paymentJobTimes(startedAtMs);
    return {
      id,
      description,
      customers: connections.length,
      orders: items.length,
      ...summarizePaidOrders(results, seconds),
      failedFlows: section.failures.length - failuresBefore,
      cpu,
      // The API's and the whole MariaDB server's (the worker's statements included) per order paid.
      cpuPerOrder: cpuPerRequest(cpuTime, results.length),
      peakRssMb,
      workerPeakRssMb,
      drain,
      ...worked,
      // Server-wide, from the first request until drained: the API's and the worker's statements for the run
      // (the webhooks included), the polls, the drain's own few checks, and whatever else used the server.
      statementsPerOrder: results.length > 0 ? statements / results.length : 0,
    };
  } finally {
    await counters.end();
  }
}

/**
 * SQL statements per payment request (success card) and per order read, on an idle app (see statementMeter); the
 * worker's webhook work for each payment is drained before the next one is measured, and the worker is stopped
 * while a request is counted: its outbox relay polls every few hundred milliseconds (SET TRANSACTION, BEGIN,
 * SELECT …), which the server-wide counters would add to the request.
 */
export async function countPaymentStatements(app, worker, orders, card) {
  const connection = await connectToServer();
  const customer = shopperConnection(app.baseUrl);
  try {
    const meter = await statementMeter(connection);
    const measure = async (step, method, path, headers, body, expected) => {
      const response = await whileStopped(worker.child, () =>
        meter.measure(step, () => customer.send(method, path, headers, body)),
      );
      if (response.status !== expected) {
        throw new Error(`${method} ${path} answered ${response.status}: ${response.text.slice(0, 300)}`);
      }
    };
    for (const order of orders) {
      const headers = { 'x-order-token': order.token };
      await measure(
        'payment',
        'POST',
        `/v1/orders/${order.id}/payments`,
        { ...headers, 'idempotency-key': randomUUID() },
        { paymentMethod: card },
        201,
      );
      await measure('read', 'GET', `/v1/orders/${order.id}`, headers, undefined, 200);
      await waitForPaymentsDrained(app, worker);
    }
    return meter.perStep;
  } finally {
    customer.close();
    await connection.end();
  }
}
