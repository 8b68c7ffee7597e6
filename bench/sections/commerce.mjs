// The commerce group's add-to-cart scenario and its checkout section (the payment section: ./payments.mjs).
import { performance } from 'node:perf_hooks';
import { randomBytes, randomUUID } from 'node:crypto';
import { budgetCheck, failedChecks, statementChecks } from '../lib/budgets.mjs';
import { ANSWER_SAMPLE_SIZE } from '../lib/ceilings.mjs';
import { connectToServer, insertCarts, statementMeter } from '../lib/database.mjs';
import { formatRate } from '../lib/format.mjs';
import { FlowStepError, distinctIndices, flowFailures, flowStep, shopperConnection } from '../lib/http.mjs';
import { summarizeTimes, waitUntilSteady } from '../lib/load.mjs';
import { assertAlive, startApp, stopChild } from '../lib/processes.mjs';
import { cpuPerRequest, sampleCpuSplit, sampleCpuTime, sampleRss, waitUntilIdle } from '../lib/sampling.mjs';
import { SHOP, createStockedVariants, setUpShop } from './shop.mjs';
import { checkNoOversell } from './stock-checks.mjs';

/** The checkout section's id and group for --scenarios and --only. */
export const CHECKOUT_ID = 'checkout';
export const CHECKOUT_GROUP = 'commerce';

/**
 * add-to-cart: guest carts written straight to the database (see insertCarts), each holding `initialLines` lines,
 * and a pool of `variants`. Request n goes to cart n mod C and adds the variant after the cart's own ones,
 * (c + initialLines + pass) mod V, quantity 1: on the first pass over the carts every request adds a third line to
 * a two-line cart (so every answer is a three-line cart, and the bare ceiling's body matches all of them); should a
 * run outlast the carts, the next pass adds a fourth line, and so on up to V lines, then raises quantities by 1.
 * V stays far below CART_MAX_LINES (100) and a line would need ~1,000 passes to reach 999. C is sized for
 * `maxExpectedRps` over the whole scenario (warm-up, answer sample and every round).
 */
const ADD_TO_CART = {
  variants: 16,
  initialLines: 2,
  maxExpectedRps: 1_500,
  minCarts: 2_000,
};

export const ADD_TO_CART_SCENARIO = {
  id: 'add-to-cart',
  group: 'commerce',
  name: 'POST /v1/carts/{id}/items (guest, X-Cart-Token)',
  method: 'POST',
  path: '/v1/carts/{id}/items',
  barePath: '/v1/carts/:id/items',
  expectedStatus: 200,
  minRatio: 0.1,
  maxStatements: 4,
  prepare: (app, context) => prepareAddToCart(app, context),
};

/** The add-to-cart scenario's carts, variants and request stream (see ADD_TO_CART). */
async function prepareAddToCart(app, context) {
  const shop = await setUpShop(app, context);
  const { settings } = context;
  const variants = await createStockedVariants(app, shop, ADD_TO_CART.variants, 'cart');
  const scenarioSeconds =
    2 * settings.warmupSeconds + settings.rounds * settings.durationSeconds + ANSWER_SAMPLE_SIZE / 100;
  const cartCount = Math.max(ADD_TO_CART.minCarts, Math.ceil(ADD_TO_CART.maxExpectedRps * scenarioSeconds));
  const started = Date.now();
  const V = variants.length;
  const carts = await insertCarts(cartCount, {
    linesOf: (index) =>
      Array.from({ length: ADD_TO_CART.initialLines }, (_, line) => ({
        variantId: variants[(index + line) % V],
        quantity: 1,
      })),
  });
  console.log(
    `    ${cartCount} guest carts of ${ADD_TO_CART.initialLines} lines written to the database in ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s; ${V} variants`,
  );
  const bodies = variants.map((variantId) => JSON.stringify({ variantId, quantity: 1 }));
  let appRequests = 0;
  return {
    path: `/v1/carts/${carts[0].id}/items`,
    headers: { 'content-type': 'application/json' },
    requestStream: (side) => {
      let n = 0;
      return () => {
        const index = n % cartCount;
        const pass = Math.floor(n / cartCount);
        n += 1;
        if (side === 'app') appRequests = n;
        const cart = carts[index];
        return {
          path: `/v1/carts/${cart.id}/items`,
          headers: { 'x-cart-token': cart.token },
          body: bodies[(index + ADD_TO_CART.initialLines + pass) % V],
        };
      };
    },
    describeRun: () => ({
      carts: cartCount,
      initialLinesPerCart: ADD_TO_CART.initialLines,
      variants: V,
      appRequestsBuilt: appRequests,
      passesOverTheCarts: appRequests / cartCount,
    }),
  };
}

/**
 * The checkout section: `shoppers` virtual shoppers (--shoppers), each looping the whole guest flow over one
 * keep-alive connection of its own: POST /v1/carts, 3 × POST …/items (3 different variants of `variants`, 1-2
 * units each), PUT …/addresses (DE, with the guest's email), PUT …/shipping-method, POST …/checkout with a fresh
 * Idempotency-Key. Closed loop: a shopper starts the next flow when the last one ended.
 */
export const CHECKOUT = {
  variants: 48,
  linesPerCheckout: 3,
  shoppers: 20,
  defaultDurationSeconds: 15,
  // Issue 20: at least 80 flows per second with 20 shoppers on a 2-core machine (twice what issue 5's code did).
  minCheckoutsPerSecond: 80,
  // The warm-up: 2-s windows until two in a row are within 10 % (see waitUntilSteady), at most 30 s.
  warmup: { windowSeconds: 2, tolerance: 0.1, maxSeconds: 30 },
};

export const CHECKOUT_STEPS = ['create', 'add', 'address', 'shipping', 'checkout'];
/** The order read after a checkout (GET /v1/orders/{id}): counted for its statements, not part of the loop. */
export const ORDER_READ_STEP = 'read';
/** Issue 20: the most SQL statements per request of each step. */
const STATEMENT_BUDGETS = { create: 2, add: 4, address: 3, shipping: 3, checkout: 16, [ORDER_READ_STEP]: 2 };
const STEP_REQUESTS = {
  create: 'POST /v1/carts',
  add: 'POST /v1/carts/{id}/items',
  address: 'PUT /v1/carts/{id}/addresses',
  shipping: 'PUT /v1/carts/{id}/shipping-method',
  checkout: 'POST /v1/carts/{id}/checkout',
  [ORDER_READ_STEP]: 'GET /v1/orders/{id}',
};
const REQUESTS_PER_FLOW = CHECKOUT.linesPerCheckout + 4;
/** Flows sent one request at a time to count the statements (the fewest per step, see statementMeter). */
const STATEMENT_FLOWS = 5;
// A dead app makes every flow fail at once: stop looping after this many failures.
const CHECKOUT_MAX_FAILURES = 200;

/**
 * One shopper's whole checkout: the flow's and the checkout request's times (ms) and the order ({ id, token });
 * counts the units the order reserved per variant index. Throws FlowStepError at the first answer other than the
 * expected one.
 */
async function checkoutFlow(connection, run, n) {
  const { shop, variants, tag, statuses } = run;
  const step = (name, method, path, headers, body, expected) =>
    flowStep(statuses, connection, name, method, path, headers, body, expected);
  const started = performance.now();
  const created = JSON.parse((await step('create', 'POST', '/v1/carts', {}, {}, 201)).text);
  const cart = `/v1/carts/${created.id}`;
  const headers = { 'x-cart-token': created.token };
  const lines = distinctIndices(CHECKOUT.linesPerCheckout, variants.length).map((index) => ({
    index,
    quantity: 1 + Math.floor(Math.random() * 2),
  }));
  for (const line of lines) {
    const item = { variantId: variants[line.index], quantity: line.quantity };
    await step('add', 'POST', `${cart}/items`, headers, item, 200);
  }
  const email = `bench-checkout-${tag}-${n}@example.test`;
  await step('address', 'PUT', `${cart}/addresses`, headers, { shippingAddress: SHOP.address, email }, 200);
  const shipping = { shippingMethodId: shop.shippingMethodId };
  await step('shipping', 'PUT', `${cart}/shipping-method`, headers, shipping, 200);
  const checkoutStarted = performance.now();
  const placed = await step(
    'checkout',
    'POST',
    `${cart}/checkout`,
    { ...headers, 'idempotency-key': randomUUID() },
    { paymentMethod: 'bank_transfer' },
    201,
  );
  const ended = performance.now();
  for (const line of lines) run.unitsGranted[line.index] += line.quantity;
  const order = { id: JSON.parse(placed.text).id, token: created.token };
  return { flowMs: ended - started, checkoutMs: ended - checkoutStarted, endedAt: ended, order };
}

/**
 * Every shopper loops the flow (closed loop) until `seconds` have passed, or until `stop.requested` is set when
 * `seconds` is null; flows under way then are finished. `flows` receives each finished flow.
 */
async function runShoppers(run, connections, seconds, { flows = [], stop = { requested: false } } = {}) {
  const startedAt = performance.now();
  const deadline = seconds === null ? Infinity : startedAt + seconds * 1000;
  await Promise.all(
    connections.map(async (connection) => {
      while (performance.now() < deadline && !stop.requested && run.failures.length < CHECKOUT_MAX_FAILURES) {
        const n = run.nextFlow++;
        try {
          flows.push(await checkoutFlow(connection, run, n));
        } catch (error) {
          if (!(error instanceof FlowStepError)) throw error;
          run.failures.push({ flow: n, step: error.step, status: error.status, message: error.message });
        }
      }
    }),
  );
  return { flows, startedAt, deadline, seconds };
}

/** The step a request of the flow belongs to. */
function checkoutStepOf(method, path) {
  if (method === 'GET') return ORDER_READ_STEP;
  if (method === 'PUT') return path.endsWith('/addresses') ? 'address' : 'shipping';
  if (path.endsWith('/items')) return 'add';
  return path.endsWith('/checkout') ? 'checkout' : 'create';
}

/**
 * SQL statements per request of each step of the flow and of the order's read after it (see statementMeter), over
 * a few flows one request at a time.
 */
async function countStatementsPerStep(app, run, flows = STATEMENT_FLOWS) {
  const connection = await connectToServer();
  const shopper = shopperConnection(app.baseUrl);
  try {
    const meter = await statementMeter(connection);
    const measuring = {
      send: (method, path, headers, body) =>
        meter.measure(checkoutStepOf(method, path), () => shopper.send(method, path, headers, body)),
    };
    for (let flow = 0; flow < flows; flow++) {
      const { order } = await checkoutFlow(measuring, run, run.nextFlow++);
      const headers = { 'x-order-token': order.token };
      await flowStep(
        run.statuses,
        measuring,
        ORDER_READ_STEP,
        'GET',
        `/v1/orders/${order.id}`,
        headers,
        undefined,
        200,
      );
    }
    return meter.perStep;
  } finally {
    shopper.close();
    await connection.end();
  }
}

/** The measured part: the shoppers' flows, then the statement count and the final check. */
async function measureCheckouts(app, run, connections, settings) {
  console.log(`    measured: ${settings.checkoutDurationSeconds} s`);
  const stopSampling = sampleRss(app.child.pid);
  const stopCpu = await sampleCpuSplit(app.child.pid);
  const stopCpuTime = await sampleCpuTime(app.child.pid);
  const measured = await runShoppers(run, connections, settings.checkoutDurationSeconds);
  const cpuTime = stopCpuTime();
  const cpu = stopCpu();
  const peakRssMb = stopSampling();
  assertAlive(app);
  const inWindow = measured.flows.filter((flow) => flow.endedAt <= measured.deadline);
  await waitUntilIdle(app);
  console.log(`    counting SQL statements per request (${STATEMENT_FLOWS} flows, one request at a time)`);
  const statementsPerRequest = await countStatementsPerStep(app, run);
  const checkoutsAnswered201 = run.statuses.checkout[201] ?? 0;
  console.log('    checking stock, reservations, ledger and orders');
  const check = await checkNoOversell(run, checkoutsAnswered201);
  return {
    shoppers: settings.shoppers,
    durationSeconds: settings.checkoutDurationSeconds,
    checkoutsPerSecond: inWindow.length / measured.seconds,
    checkoutsInWindow: inWindow.length,
    requestsPerSecond: (inWindow.length * REQUESTS_PER_FLOW) / measured.seconds,
    flow: summarizeTimes(measured.flows.map((flow) => flow.flowMs)),
    checkout: summarizeTimes(measured.flows.map((flow) => flow.checkoutMs)),
    flowsMeasured: measured.flows.length,
    flowsStarted: run.nextFlow,
    statuses: run.statuses,
    failures: run.failures,
    peakRssMb,
    cpu,
    // Every flow measured ran whole between the two readings (runShoppers waits for those under way).
    cpuPerRequest: cpuPerRequest(cpuTime, measured.flows.length * REQUESTS_PER_FLOW),
    cpuPerFlow: cpuPerRequest(cpuTime, measured.flows.length),
    statementsPerRequest,
    check,
  };
}

/** The shoppers' loop until its rate is steady (see CHECKOUT.warmup), discarded. */
async function warmUp(run, connections) {
  const { windowSeconds, tolerance, maxSeconds } = CHECKOUT.warmup;
  console.log(
    `    warm-up until steady: ${windowSeconds}-s windows until two in a row are within ` +
      `${Math.round(tolerance * 100)} %, at most ${maxSeconds} s; discarded`,
  );
  const flows = [];
  const stop = { requested: false };
  const looping = runShoppers(run, connections, null, { flows, stop });
  // Handled here too, so a failure while the rate is watched is no unhandled rejection (awaited below).
  looping.catch(() => {});
  const warmup = await waitUntilSteady(() => flows.length, CHECKOUT.warmup);
  stop.requested = true;
  await looping;
  console.log(
    `    warm-up flows/s per window: ${warmup.rates.map((rate) => rate.toFixed(1)).join(', ')}` +
      (warmup.steady ? ' (steady)' : ' (NOT steady: measuring anyway)'),
  );
  return warmup;
}

export async function benchmarkCheckout(settings, context) {
  console.log(
    `› Checkout: ${settings.shoppers} virtual shoppers, each looping new cart → ${CHECKOUT.linesPerCheckout} × add → ` +
      'address → shipping method → checkout',
  );
  const app = await startApp(settings.appEnv);
  try {
    const shop = await setUpShop(app, context);
    const variants = await createStockedVariants(app, shop, CHECKOUT.variants, 'checkout');
    console.log(`    ${variants.length} variants with ${formatRate(SHOP.stockPerVariant)} units each`);
    const run = {
      shop,
      variants,
      tag: randomBytes(4).toString('hex'),
      statuses: Object.fromEntries([...CHECKOUT_STEPS, ORDER_READ_STEP].map((step) => [step, {}])),
      unitsGranted: variants.map(() => 0),
      failures: [],
      nextFlow: 0,
    };
    const connections = Array.from({ length: settings.shoppers }, () => shopperConnection(app.baseUrl));
    try {
      const warmup = await warmUp(run, connections);
      assertAlive(app);
      await waitUntilIdle(app);
      return evaluateCheckout(settings, {
        warmup,
        ...(await measureCheckouts(app, run, connections, settings)),
      });
    } finally {
      for (const connection of connections) connection.close();
    }
  } finally {
    await stopChild(app.child);
  }
}

function evaluateCheckout(settings, result) {
  const subject = `guest checkout (${settings.shoppers} shoppers)`;
  const checks = [
    budgetCheck(
      subject,
      `${result.checkoutsPerSecond.toFixed(1)} flows/s with ${settings.shoppers} shoppers`,
      `≥ ${CHECKOUT.minCheckoutsPerSecond} flows/s with ${CHECKOUT.shoppers} shoppers`,
      result.checkoutsPerSecond >= CHECKOUT.minCheckoutsPerSecond && settings.shoppers === CHECKOUT.shoppers,
    ),
    budgetCheck(
      subject,
      `API peak RSS ${result.peakRssMb.toFixed(1)} MB`,
      `≤ ${settings.memoryBudgetMb} MB`,
      result.peakRssMb <= settings.memoryBudgetMb,
    ),
    budgetCheck(
      subject,
      result.check.passed
        ? '0 oversold (ledger = levels)'
        : `final check: ${result.check.problems.slice(0, 5).join('; ')}`,
      '0 oversold',
      result.check.passed,
    ),
    ...statementChecks(result.statementsPerRequest, STATEMENT_BUDGETS, STEP_REQUESTS),
  ];
  const failures = [
    ...flowFailures(result.failures, {
      max: CHECKOUT_MAX_FAILURES,
      stopped: 'stopped looping',
      describe: (first) => `flow ${first.flow}, ${first.message}`,
    }),
    ...failedChecks(checks),
  ];
  return {
    id: CHECKOUT_ID,
    group: CHECKOUT_GROUP,
    route: `POST /v1/carts, ${CHECKOUT.linesPerCheckout} × POST …/items, PUT …/addresses (DE), PUT …/shipping-method, POST …/checkout (Idempotency-Key)`,
    variants: CHECKOUT.variants,
    minCheckoutsPerSecond: CHECKOUT.minCheckoutsPerSecond,
    ...result,
    checks,
    verdict: failures.length > 0 ? 'FAIL' : 'PASS',
    failedFlows: result.failures.length,
    flowFailures: result.failures.slice(0, 20),
    failures,
  };
}
