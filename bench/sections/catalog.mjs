// The catalog scenarios and their catalog: seeded once per run (or kept, see --keep-db) and read for their facts.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { relativeToFloor } from '../lib/ceilings.mjs';
import { connectToServer, db } from '../lib/database.mjs';
import { BENCH_DIR, DATABASE, ROOT_DIR, serviceEnvironment } from '../lib/environment.mjs';
import { request } from '../lib/http.mjs';
import { runCommand } from '../lib/processes.mjs';

/** The catalog the catalog scenarios run against: `npm run seed -- --products 10000 --seed 42` (DESIGN.md). */
export const CATALOG = { products: 10_000, seed: 42 };
/** The storefront list page of the budgets: the first 20 active products, newest first. */
const LIST_PAGE = '/v1/products?limit=20';
/** The second app process of the catalog scenarios that measure without the Redis read cache. */
const CACHE_DISABLED = { CATALOG_CACHE_ENABLED: 'false' };
/**
 * The cold search: request n asks for word n mod W (W words from the seeded titles) under a price ceiling of
 * PRICE_FLOOR + (n mod PRICE_STEPS) minor units. PRICE_STEPS is prime, so (word, ceiling) only repeats after
 * W × PRICE_STEPS requests (≥ 200k for any W ≥ 20), far more than any run sends: every request is a new cache key.
 */
const SEARCH = {
  priceFloor: 2_000,
  priceSteps: 10_007,
  minProductsPerWord: 20,
  connections: 10,
};

/** The catalog scenarios (see SCENARIOS in ./scenarios.mjs for the fields). */
export const CATALOG_SCENARIOS = [
  {
    id: 'catalog-list',
    group: 'catalog',
    name: `GET ${LIST_PAGE} (warm cache)`,
    method: 'GET',
    path: LIST_PAGE,
    relativeTo: relativeToFloor(0.9),
  },
  {
    id: 'catalog-detail',
    group: 'catalog',
    name: 'GET /v1/products/{slug} (warm cache)',
    method: 'GET',
    relativeTo: relativeToFloor(0.9),
    prepare: async (app, { catalog }) => ({ path: `/v1/products/${catalog.detailSlug}` }),
  },
  {
    id: 'catalog-304',
    group: 'catalog',
    name: `GET ${LIST_PAGE}, If-None-Match (304)`,
    method: 'GET',
    path: LIST_PAGE,
    expectedStatus: 304,
    relativeTo: relativeToFloor(0.9),
    // The ETag of the page as it is now: the catalog does not change during the run, so it stays current.
    prepare: async (app) => {
      const page = await request(app.baseUrl, { method: 'GET', path: LIST_PAGE });
      if (page.status !== 200 || typeof page.headers.etag !== 'string') {
        throw new Error(`GET ${LIST_PAGE} answered ${page.status} without an ETag: cannot revalidate`);
      }
      return { headers: { 'if-none-match': page.headers.etag } };
    },
  },
  {
    id: 'catalog-search-cold',
    group: 'catalog',
    name: 'GET /v1/products?q={word}&maxPrice={n}&limit=20 (cold cache)',
    method: 'GET',
    path: '/v1/products',
    connections: SEARCH.connections,
    maxP99Ms: 50,
    maxDatabaseCpuMs: 1,
    coldCache: true,
    prepare: async (app, { catalog }) => ({ nextPath: searchPaths(catalog.searchWords) }),
  },
  {
    id: 'catalog-list-nocache',
    group: 'catalog',
    name: `GET ${LIST_PAGE} (cache disabled)`,
    method: 'GET',
    path: LIST_PAGE,
    appEnv: CACHE_DISABLED,
    minRps: 1_500,
  },
  {
    id: 'catalog-detail-nocache',
    group: 'catalog',
    name: 'GET /v1/products/{slug} (cache disabled)',
    method: 'GET',
    appEnv: CACHE_DISABLED,
    minRps: 3_000,
    prepare: async (app, { catalog }) => ({ path: `/v1/products/${catalog.detailSlug}` }),
  },
];

/** The cold search's paths, one new (word, price ceiling) pair per call. */
function searchPaths(words) {
  if (words.length === 0 || words.length % SEARCH.priceSteps === 0) {
    throw new Error(`the cold search needs 1 to ${SEARCH.priceSteps - 1} words, got ${words.length}`);
  }
  let next = 0;
  return () => {
    const n = next++;
    const word = encodeURIComponent(words[n % words.length]);
    return `/v1/products?q=${word}&maxPrice=${SEARCH.priceFloor + (n % SEARCH.priceSteps)}&limit=20`;
  };
}

const SEED_CATALOG_SOURCE = join(ROOT_DIR, 'scripts/seed-catalog.ts');
/** What decides the rows a seed writes: the seed's code and the schema it writes into. */
const SEED_INPUTS = ['scripts/seed.ts', 'scripts/seed-catalog.ts', 'scripts/seed', 'src/database/migrations'];
const CATALOG_FINGERPRINT_FILE = join(BENCH_DIR, 'results/catalog-fingerprint.json');

/** The tables the seed writes, read from its source (bench/ is plain JavaScript and cannot import it). */
function catalogTables() {
  const match = /export const CATALOG_TABLES = \[([^\]]*)\]/.exec(readFileSync(SEED_CATALOG_SOURCE, 'utf8'));
  const tables = match ? [...match[1].matchAll(/'([a-z_]+)'/g)].map((found) => found[1]) : [];
  if (tables.length === 0) throw new Error(`CATALOG_TABLES not found in ${SEED_CATALOG_SOURCE}`);
  return tables;
}

function filesUnder(path) {
  const absolute = join(ROOT_DIR, path);
  if (!existsSync(absolute)) return [];
  if (!statSync(absolute).isDirectory()) return [absolute];
  return readdirSync(absolute, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

function seedInputsHash() {
  const hash = createHash('sha256');
  const files = SEED_INPUTS.flatMap(filesUnder).sort();
  for (const file of files)
    hash.update(relative(ROOT_DIR, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

/**
 * What identifies the catalog in the bench database: the seed's options and inputs, the migrations applied and
 * a checksum of every catalog table. Null when the database has no migrated schema yet.
 */
async function catalogFingerprint() {
  const connection = await connectToServer();
  try {
    const [migrations] = await connection.query(`SELECT name FROM ${db}.migrations ORDER BY id`);
    const tables = catalogTables();
    const [checksums] = await connection.query(
      `CHECKSUM TABLE ${tables.map((table) => `${db}.\`${table}\``).join(', ')} EXTENDED`,
    );
    return {
      ...CATALOG,
      inputs: seedInputsHash(),
      migrations: migrations.map((row) => row.name),
      checksums: Object.fromEntries(
        checksums.map((row) => [row.Table, row.Checksum === null ? null : String(row.Checksum)]),
      ),
    };
  } catch (error) {
    if (error.code === 'ER_NO_SUCH_TABLE' || error.code === 'ER_BAD_DB_ERROR') return null;
    throw error;
  } finally {
    await connection.end();
  }
}

function recordedFingerprint() {
  try {
    return JSON.parse(readFileSync(CATALOG_FINGERPRINT_FILE, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Seeds the deterministic catalog with `npm run seed` (as a developer would) into the bench database, under the
 * bench's Redis prefix. The seed refuses --reset in production, so it runs as development; the app's secrets do
 * not matter to it. With --keep-db the seed is skipped when the database holds exactly what the last seed wrote.
 */
export async function prepareCatalog(settings) {
  if (settings.keepDb) {
    const current = await catalogFingerprint();
    if (current !== null && JSON.stringify(current) === JSON.stringify(recordedFingerprint())) {
      console.log(
        `› Catalog: ${DATABASE.name} still holds the seeded ${CATALOG.products}-product catalog, not reseeded`,
      );
      return { reseeded: false, ...(await readCatalogFacts()) };
    }
  }
  console.log(`› Seeding ${CATALOG.products} products (seed ${CATALOG.seed}) into ${DATABASE.name}`);
  const started = Date.now();
  const options = ['--products', String(CATALOG.products), '--seed', String(CATALOG.seed), '--reset'];
  await runCommand('npm', ['run', '--silent', 'seed', '--', ...options], {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? ROOT_DIR,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    ...serviceEnvironment(),
    DB_CREATE_IF_MISSING: 'false',
  });
  const seedSeconds = (Date.now() - started) / 1000;
  await mkdir(dirname(CATALOG_FINGERPRINT_FILE), { recursive: true });
  await writeFile(CATALOG_FINGERPRINT_FILE, `${JSON.stringify(await catalogFingerprint(), null, 2)}\n`);
  return { reseeded: true, seedSeconds, ...(await readCatalogFacts()) };
}

/** The stopwords and shortest word search leaves out (catalog/storefront/search/search-terms.ts). */
const FULL_TEXT_STOPWORDS = new Set(
  'a about an are as at be by com de en for from how i in is it la of on or that the this to was what when where who will with und www'.split(
    ' ',
  ),
);
const FULL_TEXT_MIN_WORD = 3;

/** Every word of the titles that the search index holds and that at least `minProducts` titles carry, sorted. */
function searchWordsOf(titles, minProducts) {
  const productsPerWord = new Map();
  for (const title of titles) {
    const words = new Set(
      title
        .normalize('NFKC')
        .toLowerCase()
        .split(/[^\p{L}\p{N}]+/u)
        .filter((word) => word.length >= FULL_TEXT_MIN_WORD && !FULL_TEXT_STOPWORDS.has(word)),
    );
    for (const word of words) productsPerWord.set(word, (productsPerWord.get(word) ?? 0) + 1);
  }
  return [...productsPerWord]
    .filter(([, count]) => count >= minProducts)
    .map(([word]) => word)
    .sort();
}

/**
 * What the catalog scenarios need from the seeded rows: the slug of the newest active product (the first a
 * shopper sees on the list page) and the search words: every word of the active products' titles that the
 * search index holds and that at least SEARCH.minProductsPerWord products carry, in alphabetical order.
 */
async function readCatalogFacts() {
  const connection = await connectToServer();
  try {
    const visible = `status = 'active' AND min_price IS NOT NULL`;
    const [[newest]] = await connection.query(
      `SELECT slug FROM ${db}.products WHERE ${visible} ORDER BY id DESC LIMIT 1`,
    );
    const [titles] = await connection.query(`SELECT title FROM ${db}.products WHERE ${visible}`);
    if (!newest) throw new Error(`${DATABASE.name} has no active product`);
    const searchWords = searchWordsOf(
      titles.map((row) => row.title),
      SEARCH.minProductsPerWord,
    );
    return { activeProducts: titles.length, detailSlug: newest.slug, searchWords };
  } finally {
    await connection.end();
  }
}
