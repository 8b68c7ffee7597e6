// The bench's MariaDB database and Redis prefix: preparing them, counting what the server does, writing carts.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import mysql from 'mysql2/promise';
import { DATABASE, REDIS } from './environment.mjs';

/** A connection to the server (not to the bench database: it may not exist yet); name tables `db`.table. */
export function connectToServer() {
  return mysql.createConnection({
    host: DATABASE.host,
    port: DATABASE.port,
    user: DATABASE.user,
    password: DATABASE.password,
    connectTimeout: 5_000,
  });
}

/** The bench database's name, quoted for SQL. */
export const db = `\`${DATABASE.name}\``;

/** A Redis client that connects on `connect()` and gives up on a dead server at once. */
export function redisClient() {
  return new Redis({ host: REDIS.host, port: REDIS.port, lazyConnect: true, maxRetriesPerRequest: 1 });
}

/**
 * A fresh database per run so every run starts from the same (freshly migrated) state; with --keep-db only
 * created when missing.
 */
export async function prepareDatabase({ keepDb }) {
  console.log(`› ${keepDb ? 'Keeping' : 'Recreating'} database ${DATABASE.name}`);
  const connection = await connectToServer();
  try {
    if (!keepDb) await connection.query(`DROP DATABASE IF EXISTS ${db}`);
    // Same character set as the app's own ensureDatabase: production config refuses to create it itself.
    await connection.query(
      `CREATE DATABASE IF NOT EXISTS ${db} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await connection.end();
  }
}

/** Calls `found(keys)` for every batch of the keys matching `pattern`. */
async function scanKeys(pattern, found) {
  const redis = redisClient();
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      await found(keys, redis);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Drops what earlier runs left under the bench prefix (rate-limit counters, queues), for the same reason. */
export async function clearRedisPrefix() {
  await scanKeys(`${REDIS.prefix}:*`, async (keys, redis) => {
    if (keys.length > 0) await redis.del(...keys);
  });
}

/** How many storefront cache entries the bench's Redis prefix holds (the cold search must add one per request). */
export async function countCatalogCacheEntries() {
  let count = 0;
  await scanKeys(`${REDIS.prefix}:catalog:*:*`, (keys) => {
    count += keys.length;
  });
  return count;
}

/**
 * MariaDB's server-wide statement counters (SHOW GLOBAL STATUS): `Questions` (every statement a client sent) and
 * one `Com_<kind>` per kind of statement (select, insert, update, delete, begin, commit, set_option, …).
 */
export async function readStatementCounters(connection) {
  const [rows] = await connection.query(
    "SHOW GLOBAL STATUS WHERE Variable_name = 'Questions' OR Variable_name LIKE 'Com\\_%'",
  );
  return Object.fromEntries(rows.map((row) => [row.Variable_name, Number(row.Value)]));
}

/** `{ Questions, kinds: { select: 2, commit: 1, … } }` between two readings; `idle`: what to subtract from each. */
function statementsBetween(before, after, idle = { Questions: 0, kinds: {} }) {
  const kinds = {};
  for (const [name, value] of Object.entries(after)) {
    if (!name.startsWith('Com_')) continue;
    const kind = name.slice(4);
    const count = value - before[name] - (idle.kinds[kind] ?? 0);
    if (count !== 0) kinds[kind] = count;
  }
  return { Questions: after.Questions - before.Questions - idle.Questions, kinds };
}

/** Pairs of readings in a row, whose most common count is what the readings themselves add (see statementMeter). */
const IDLE_READING_PAIRS = 5;

/**
 * The count most of `samples` agree on (ties: the fewer statements), with how many agreed: `{ Questions, kinds,
 * agreed, samples }`. A request's statements are deterministic, while the server-wide counters around it also
 * take others' statements (more) and, on a server whose other clients disconnect meanwhile, may briefly miss a
 * closing connection's counts (fewer): neither the fewest nor the most is safe, the usual count is.
 */
function mostCommonCount(samples) {
  const byCount = Map.groupBy(samples, (sample) => sample.Questions);
  const [, agreeing] = [...byCount].sort(
    ([countA, a], [countB, b]) => b.length - a.length || countA - countB,
  )[0];
  return { ...agreeing[0], agreed: agreeing.length, samples: samples.length };
}

/**
 * SQL statements per request: the server's counters read around each request sent one at a time on an idle app,
 * minus what two readings in a row add (the readings themselves); per step the count most of its requests agree
 * on (see mostCommonCount). Server-wide counters (per-connection ones need performance_schema, off in MariaDB by
 * default): exact when most requests of a step ran while nothing else used the server. `measure(step, send)`
 * returns what `send()` returned; `perStep[step]` is `{ Questions, kinds, agreed, samples }`.
 */
export async function statementMeter(connection) {
  const idlePairs = [];
  for (let pair = 0; pair < IDLE_READING_PAIRS; pair++) {
    idlePairs.push(
      statementsBetween(await readStatementCounters(connection), await readStatementCounters(connection)),
    );
  }
  const idle = mostCommonCount(idlePairs);
  const samples = {};
  const perStep = {};
  const measure = async (step, send) => {
    const before = await readStatementCounters(connection);
    const response = await send();
    samples[step] ??= [];
    samples[step].push(statementsBetween(before, await readStatementCounters(connection), idle));
    perStep[step] = mostCommonCount(samples[step]);
    return response;
  };
  return { perStep, measure };
}

const CART_INSERT_CHUNK = 2_000;

/**
 * Carts written straight to the database: the one copy in bench/ of test/support/cart-factory.ts. The bench is
 * plain Node (.mjs, no ts-node) and cannot import the TypeScript test support (nor hand it a TypeORM DataSource),
 * and the API is no way round: the runs need tens of thousands of carts, three to five requests each, and
 * building them would take longer than the runs that use them (and load the app before it is measured).
 * Guest carts; with `emailOf(index)`, `shippingMethodId` and `address` ready for checkout (the address as shipping
 * and billing address). `linesOf(index)`: the cart's lines, [{ variantId, quantity }]. Returns { id, token, lines }.
 */
export async function insertCarts(count, { linesOf, emailOf, shippingMethodId = null, address = null }) {
  const carts = Array.from({ length: count }, (_, index) => ({
    id: randomUUID(),
    token: randomBytes(24).toString('base64url'),
    lines: linesOf(index),
  }));
  const addressJson = address === null ? null : JSON.stringify(address);
  const connection = await connectToServer();
  try {
    for (let start = 0; start < count; start += CART_INSERT_CHUNK) {
      const chunk = carts.slice(start, start + CART_INSERT_CHUNK);
      await connection.query(
        `INSERT INTO ${db}.carts (id, token_hash, status, email, currency, shipping_method_id,
                shipping_address, billing_address, version) VALUES ?`,
        [
          chunk.map((cart, offset) => [
            cart.id,
            createHash('sha256').update(cart.token, 'utf8').digest('hex'),
            'active',
            emailOf?.(start + offset) ?? null,
            'EUR',
            shippingMethodId,
            addressJson,
            addressJson,
            1,
          ]),
        ],
      );
      const items = chunk.flatMap((cart) =>
        cart.lines.map((line) => [randomUUID(), cart.id, line.variantId, line.quantity]),
      );
      if (items.length > 0) {
        await connection.query(`INSERT INTO ${db}.cart_items (id, cart_id, variant_id, quantity) VALUES ?`, [
          items,
        ]);
      }
    }
  } finally {
    await connection.end();
  }
  return carts;
}
