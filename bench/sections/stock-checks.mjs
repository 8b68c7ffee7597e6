// The commerce sections' own final checks, in SQL on the bench database after the load: nothing oversold, the
// ledger summing to the levels, every order paid once.
import { connectToServer, db, redisClient } from '../lib/database.mjs';
import { REDIS } from '../lib/environment.mjs';
import { SHOP } from './shop.mjs';

const sum = (values) => values.reduce((total, value) => total + value, 0);

/**
 * Every inventory level of the variants with the sums of its movement ledger: the one copy in bench/ of
 * levelsWithLedger in test/support/inventory-checks.ts, which bench/ (plain Node, no ts-node) cannot import. No
 * API answers it: the admin API shows levels, not the ledger's sums.
 */
async function levelsWithLedger(connection, variantIds) {
  const [rows] = await connection.query(
    `SELECT l.variant_id, l.location_id, l.on_hand, l.reserved,
            COALESCE(SUM(m.on_hand_delta), 0) AS ledger_on_hand, COALESCE(SUM(m.reserved_delta), 0) AS ledger_reserved
       FROM ${db}.inventory_levels l
       LEFT JOIN ${db}.inventory_movements m ON m.variant_id = l.variant_id AND m.location_id = l.location_id
      WHERE l.variant_id IN (?)
      GROUP BY l.variant_id, l.location_id, l.on_hand, l.reserved`,
    [variantIds],
  );
  return rows.map((row) => ({
    variantId: row.variant_id,
    locationId: row.location_id,
    onHand: Number(row.on_hand),
    reserved: Number(row.reserved),
    ledgerOnHand: Number(row.ledger_on_hand),
    ledgerReserved: Number(row.ledger_reserved),
  }));
}

/** Each variant's levels summed over its locations, and a problem per location whose ledger differs. */
async function stockByVariant(connection, variantIds, problems) {
  const byVariant = new Map();
  for (const level of await levelsWithLedger(connection, variantIds)) {
    const total = byVariant.get(level.variantId) ?? { onHand: 0, reserved: 0 };
    byVariant.set(level.variantId, {
      onHand: total.onHand + level.onHand,
      reserved: total.reserved + level.reserved,
    });
    if (level.ledgerOnHand !== level.onHand || level.ledgerReserved !== level.reserved) {
      problems.push(
        `${level.variantId}@${level.locationId}: ledger (${level.ledgerOnHand}/${level.ledgerReserved}) ` +
          `differs from the level (${level.onHand}/${level.reserved})`,
      );
    }
  }
  return byVariant;
}

/** Units per variant in the orders that match `where` (SQL on `o` orders and `ol` order lines). */
async function unitsInOrders(connection, where, parameters) {
  const [rows] = await connection.query(
    `SELECT ol.variant_id, SUM(ol.quantity) AS units
       FROM ${db}.order_lines ol JOIN ${db}.orders o ON o.id = ol.order_id
      WHERE ${where}
      GROUP BY ol.variant_id`,
    parameters,
  );
  return new Map(rows.map((row) => [row.variant_id, Number(row.units)]));
}

/**
 * Per variant: a level exists, nothing is oversold, on hand is what was received, and reserved equals each of
 * `expected` ({ label: Map or (variantId) => units }). Returns the reserved units of all of them.
 */
function checkVariants(variantIds, byVariant, expected, problems) {
  let reservedUnits = 0;
  for (const variantId of variantIds) {
    const level = byVariant.get(variantId);
    if (!level) {
      problems.push(`${variantId}: no inventory level`);
      continue;
    }
    reservedUnits += level.reserved;
    if (level.onHand - level.reserved < 0)
      problems.push(`${variantId}: oversold, available ${level.onHand - level.reserved}`);
    for (const [label, unitsOf] of Object.entries(expected)) {
      const units = unitsOf(variantId);
      if (level.reserved !== units)
        problems.push(`${variantId}: reserved ${level.reserved}, ${label} ${units}`);
    }
    if (level.onHand !== SHOP.stockPerVariant)
      problems.push(`${variantId}: on hand ${level.onHand}, ${SHOP.stockPerVariant} were received`);
  }
  return reservedUnits;
}

/**
 * The checkout section's final check, for every variant the checkouts used: nothing oversold (on_hand − reserved ≥
 * 0), nothing but the run's orders on them, reserved = the units of their pending orders = the units of the 201
 * answers, on_hand untouched, the movement ledger summing to the levels, and one order per 201 answer.
 */
export async function checkNoOversell(run, checkoutsAnswered201) {
  const connection = await connectToServer();
  const problems = [];
  try {
    const ids = run.variants;
    const byVariant = await stockByVariant(connection, ids, problems);
    const pendingUnits = await unitsInOrders(
      connection,
      `o.status = 'pending_payment' AND ol.variant_id IN (?)`,
      [ids],
    );
    const runEmails = `bench-checkout-${run.tag}-%`;
    const [[{ orders }]] = await connection.query(
      `SELECT COUNT(*) AS orders FROM ${db}.orders WHERE email LIKE ?`,
      [runEmails],
    );
    const [[{ others }]] = await connection.query(
      `SELECT COUNT(DISTINCT o.id) AS others
         FROM ${db}.orders o JOIN ${db}.order_lines ol ON ol.order_id = o.id
        WHERE ol.variant_id IN (?) AND o.email NOT LIKE ?`,
      [ids, runEmails],
    );
    const reservedUnits = checkVariants(
      ids,
      byVariant,
      {
        'pending orders hold': (variantId) => pendingUnits.get(variantId) ?? 0,
        'the 201 answers were for': (variantId) => run.unitsGranted[ids.indexOf(variantId)],
      },
      problems,
    );
    if (Number(orders) !== checkoutsAnswered201)
      problems.push(`${orders} orders in the database for ${checkoutsAnswered201} checkouts answered 201`);
    if (Number(others) !== 0) problems.push(`${others} orders of other runs hold these variants`);
    return {
      variants: ids.length,
      orders: Number(orders),
      checkoutsAnswered201,
      reservedUnits,
      pendingUnits: sum([...pendingUnits.values()]),
      grantedUnits: sum(run.unitsGranted),
      problems,
      passed: problems.length === 0,
    };
  } finally {
    await connection.end();
  }
}

/** Orders by status, and a problem unless every order placed is in the database and paid. */
async function checkOrdersPaid(connection, emails, ordersPlaced, problems) {
  const [statuses] = await connection.query(
    `SELECT status, COUNT(*) AS orders FROM ${db}.orders WHERE email LIKE ? GROUP BY status`,
    [emails],
  );
  const ordersByStatus = Object.fromEntries(statuses.map((row) => [row.status, Number(row.orders)]));
  const orders = sum(Object.values(ordersByStatus));
  if (orders !== ordersPlaced)
    problems.push(`${orders} orders in the database for ${ordersPlaced} answers 201`);
  if ((ordersByStatus.paid ?? 0) !== orders)
    problems.push(`not every order is paid: ${JSON.stringify(ordersByStatus)}`);
  return { orders, ordersByStatus };
}

/** Each order has one payment captured for its total, backed by one sandbox charge, its webhook event applied. */
async function checkPaymentRows(connection, emails, orders, problems) {
  const [[payments]] = await connection.query(
    `SELECT COUNT(*) AS orders, SUM(t.payments) AS payments, SUM(t.payments <> 1 OR t.good <> 1) AS wrong
       FROM (SELECT o.id, COUNT(p.id) AS payments,
                    COALESCE(SUM(p.state = 'captured' AND p.amount = o.total AND p.captured_amount = o.total
                                 AND p.refunded_amount = 0 AND p.flagged_reason IS NULL), 0) AS good
               FROM ${db}.orders o LEFT JOIN ${db}.payments p ON p.order_id = o.id
              WHERE o.email LIKE ? GROUP BY o.id) t`,
    [emails],
  );
  if (Number(payments.wrong) > 0)
    problems.push(`${payments.wrong} orders without exactly one payment captured for their total`);

  const [[charges]] = await connection.query(
    `SELECT SUM(t.charges) AS charges, SUM(t.charges <> 1 OR t.good <> 1) AS wrong
       FROM (SELECT p.id, COUNT(c.id) AS charges, COALESCE(SUM(c.captured = p.amount), 0) AS good
               FROM ${db}.payments p JOIN ${db}.orders o ON o.id = p.order_id
               LEFT JOIN ${db}.sandbox_charges c ON c.payment_id = p.id
              WHERE o.email LIKE ? GROUP BY p.id) t`,
    [emails],
  );
  if (Number(charges.wrong) > 0)
    problems.push(`${charges.wrong} payments without exactly one sandbox charge of their amount`);

  const [[events]] = await connection.query(
    `SELECT COUNT(*) AS events, COALESCE(SUM(e.processed_at IS NULL), 0) AS unprocessed
       FROM ${db}.payment_events e
       JOIN ${db}.payments p ON p.provider = e.provider
                             AND p.provider_reference = JSON_UNQUOTE(JSON_EXTRACT(e.event, '$.paymentReference'))
       JOIN ${db}.orders o ON o.id = p.order_id
      WHERE o.email LIKE ?`,
    [emails],
  );
  // One event per charge: the capture (the success card's at once, the delayed card's when it settles).
  if (Number(events.events) !== orders)
    problems.push(`${events.events} webhook events recorded for ${orders} orders (one capture event each)`);
  if (Number(events.unprocessed) > 0) problems.push(`${events.unprocessed} webhook events not applied`);
  return {
    payments: Number(payments.payments ?? 0),
    charges: Number(charges.charges ?? 0),
    webhookEvents: Number(events.events),
  };
}

async function countFailedJobs(queue) {
  const redis = redisClient();
  try {
    await redis.connect();
    return await redis.zcard(`${REDIS.prefix}:bull:${queue}:failed`);
  } finally {
    redis.disconnect();
  }
}

/**
 * The payment section's final check over every order it placed: each is paid, with exactly one payment, captured
 * for the order's total and not flagged, backed by exactly one sandbox charge of that amount (no double charge),
 * whose webhook event was recorded once and applied; no job of `queue` failed; and on the section's variants
 * nothing is oversold, the ledger sums to the levels, on hand is untouched and reserved = the units of the orders
 * (a paid order keeps its reservation until fulfilment) = the units of the 201 answers.
 */
export async function checkPayments(section, ordersPlaced, queue) {
  const connection = await connectToServer();
  const emails = `bench-payment-${section.tag}-%`;
  const problems = [];
  try {
    const { orders, ordersByStatus } = await checkOrdersPaid(connection, emails, ordersPlaced, problems);
    const rows = await checkPaymentRows(connection, emails, orders, problems);
    const byVariant = await stockByVariant(connection, section.variants, problems);
    const unitsOfOrders = await unitsInOrders(connection, 'o.email LIKE ?', [emails]);
    const reservedUnits = checkVariants(
      section.variants,
      byVariant,
      {
        'its orders hold': (variantId) => unitsOfOrders.get(variantId) ?? 0,
        'the 201 answers were for': (variantId) => section.unitsGranted.get(variantId) ?? 0,
      },
      problems,
    );
    const failedJobs = await countFailedJobs(queue);
    if (failedJobs > 0) problems.push(`${failedJobs} jobs of the payments queue failed`);
    return {
      orders,
      ordersPlaced,
      ordersByStatus,
      ...rows,
      failedPaymentJobs: failedJobs,
      variants: section.variants.length,
      reservedUnits,
      unitsOfOrders: sum([...unitsOfOrders.values()]),
      grantedUnits: sum([...section.unitsGranted.values()]),
      problems,
      passed: problems.length === 0,
    };
  } finally {
    await connection.end();
  }
}
