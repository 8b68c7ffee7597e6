import { REDIS_CLIENT } from '@app/common';
import { checkedFetch, expectProblem, request } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { getQueueToken } from '@nestjs/bull';
import { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bull';
import { parse } from 'csv-parse';
import type Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { CATALOG_GENERATION_KEY } from '../../src/modules/catalog/cache/catalog-cache.keys';
import { CATALOG_QUEUE } from '../../src/modules/catalog/jobs/catalog.jobs';
import { CatalogImporterService } from '../../src/modules/catalog/import/catalog-importer.service';
import { CSV_COLUMNS } from '../../src/modules/catalog/import/csv-format';
import { AuthClient, createUser } from '../support/auth-client';
import { CatalogAdmin } from '../support/catalog-client';
import { waitFor } from '../support/wait-for';

interface JobView {
  id: string;
  kind: string;
  state: 'queued' | 'running' | 'completed' | 'failed';
  totalRows: number | null;
  rowsDone: number;
  rowsFailed: number;
  rowsCreated: number;
  rowsUpdated: number;
  rowsUnchanged: number;
  percent: number;
  errors: Array<{ line: number; sku: string | null; reason: string }>;
  errorCount: number;
  failure: string | null;
}

type Row = Partial<Record<(typeof CSV_COLUMNS)[number], string>>;

/** RFC 4180 quoting, written independently of the code under test. */
const csvCell = (value: string): string =>
  /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;

/** A generated import file, with what it must do to the catalog. */
interface Fixture {
  csv: string;
  rows: number;
  /** Line → why it must be refused (substring of the reason). */
  bad: Map<number, string>;
  /** SKU → what the variant must look like after the import. */
  variants: Map<string, { slug: string; price: number; compareAt: number | null; size: string }>;
  /** `sku|location` → on hand. */
  stock: Map<string, number>;
  products: Set<string>;
}

/**
 * 10,000 rows: 2,470 products × 4 variants, 78 single-variant products, 40 second-location stock
 * rows, and the 2 rows of a product that exists already with reserved stock. Exactly 50 rows are bad,
 * of 11 kinds; some descriptions span several lines (so line ≠ row number).
 */
function buildFixture(run: string, categories: string[], preSkus: string[]): Fixture {
  // Columns in a shuffled (but fixed) order: the header names them, order is free.
  const columns = [...CSV_COLUMNS].sort((a, b) => (a.length % 5) - (b.length % 5) || a.localeCompare(b));
  const lines: string[] = [columns.join(',')];
  let line = 2;
  const fixture: Fixture = {
    csv: '',
    rows: 0,
    bad: new Map(),
    variants: new Map(),
    stock: new Map(),
    products: new Set(),
  };
  const push = (row: Row, badReason?: string) => {
    const cells = columns.map((column) => row[column] ?? '');
    const text = cells.map(csvCell).join(',');
    if (badReason) fixture.bad.set(line, badReason);
    lines.push(text);
    line += 1 + (text.match(/\n/g)?.length ?? 0);
    fixture.rows++;
  };
  const sizes = ['S', 'M', 'L', 'XL'];
  const productColumns = (slug: string, i: number): Row => ({
    product_slug: slug,
    product_title: `Imported product ${i}`,
    product_status: 'active',
    description:
      i % 97 === 0 || (i % 13 === 10 && i % 2 === 0)
        ? `<p>Line one, "quoted"\nline two</p>\n<p>third, line</p>`
        : `<p>Product ${i}</p>`,
    categories: i % 3 === 0 ? categories.join('|') : categories[i % 2],
    attributes: `material=cotton;origin=EU\\;PT;i=${i}`,
    options: 'size=S|M|L|XL',
  });
  let badKinds = 0;
  const badOn = new Map<number, string>();
  // Broken variant rows (never a product's first row): 38 of 7 kinds.
  const variantBreaks: Array<[string, number]> = [
    ['negative-price', 7],
    ['bad-sku', 6],
    ['bad-option', 6],
    ['duplicate-sku', 6],
    ['compare-below', 6],
    ['on-hand-nan', 5],
    ['unknown-location', 2],
  ];
  for (const [kind, count] of variantBreaks)
    for (let n = 0; n < count; n++) badOn.set(10 + 13 * badKinds++, kind);
  const shopRows = new Set(Array.from({ length: 40 }, (_, n) => 7 + 13 * n * 4));

  for (let i = 0; i < 2470; i++) {
    const slug = `imp-${run}-${i}`;
    const brokenKind = badOn.get(i);
    const brokenVariant = brokenKind ? 1 + (i % 3) : -1;
    fixture.products.add(slug);
    for (let k = 0; k < 4; k++) {
      const sku = `IMP-${run}-${i}-${k}`;
      const price = 1000 + i;
      const row: Row = {
        ...productColumns(slug, i),
        sku,
        variant_title: k === 0 ? `Size ${sizes[k]}` : '',
        option_values: `size=${sizes[k]}`,
        price: String(price),
        compare_at_price: k % 2 === 0 ? String(price + 500) : '',
        weight_grams: String(200 + k),
        barcode: k === 3 ? '' : `400${i}${k}`,
        low_stock_threshold: k === 1 ? '3' : '',
        location: 'main',
        on_hand: String((i + k) % 50),
      };
      if (k !== brokenVariant) {
        push(row);
        fixture.variants.set(sku, {
          slug,
          price,
          compareAt: k % 2 === 0 ? price + 500 : null,
          size: sizes[k],
        });
        fixture.stock.set(`${sku}|main`, (i + k) % 50);
        continue;
      }
      const broken: Record<string, [Row, string]> = {
        'negative-price': [{ ...row, price: '-5' }, 'price must be a whole number'],
        'bad-sku': [{ ...row, sku: `bad sku ${i}!` }, 'sku must be 1-64'],
        'bad-option': [{ ...row, option_values: 'size=XXL' }, 'is not a value of option size'],
        'duplicate-sku': [{ ...row, sku: `IMP-${run}-${i}-${k - 1}` }, 'is already on line'],
        'compare-below': [
          { ...row, compare_at_price: String(price - 1) },
          'compare-at price must be above the price',
        ],
        'on-hand-nan': [{ ...row, on_hand: 'lots' }, 'on_hand must be a whole number'],
        'unknown-location': [{ ...row, location: 'nowhere' }, 'there is no stock location "nowhere"'],
      };
      push(...broken[brokenKind!]);
    }
    if (shopRows.has(i) && !brokenKind) {
      // The same SKU again, only to give its stock at a second location.
      const sku = `IMP-${run}-${i}-0`;
      push({
        ...productColumns(slug, i),
        sku,
        variant_title: 'Size S',
        option_values: 'size=S',
        price: String(1000 + i),
        compare_at_price: String(1500 + i),
        weight_grams: '200',
        barcode: `400${i}0`,
        low_stock_threshold: '',
        location: 'shop',
        on_hand: String(i % 7),
      });
      fixture.stock.set(`${sku}|shop`, i % 7);
    }
  }
  // An existing product whose stock is partly reserved: lowering on-hand below that is refused.
  preSkus.forEach((sku, k) =>
    push(
      {
        product_slug: `pre-${run}`,
        product_title: 'Changed title that must not be applied',
        product_status: 'active',
        options: 'size=S|M',
        sku,
        option_values: `size=${sizes[k]}`,
        price: String(1000 + 200 * k),
        location: 'main',
        on_hand: '2',
      },
      'on_hand below reserved',
    ),
  );
  // Single-variant products: 10 broken in their product columns (then the product is not created).
  const productBreaks = [
    'unknown-category',
    'unknown-category',
    'bad-status',
    'unknown-category',
    'bad-attributes',
  ];
  for (let j = 0; j < 78; j++) {
    const slug = `one-${run}-${j}`;
    const sku = `ONE-${run}-${j}`;
    const row: Row = {
      product_slug: slug,
      product_title: `Single ${j}`,
      product_status: j % 2 === 0 ? 'active' : 'draft',
      description: '',
      categories: categories[0],
      attributes: '',
      options: '',
      sku,
      option_values: '',
      price: String(500 + j),
      location: j % 4 === 0 ? '' : 'main',
      on_hand: j % 4 === 0 ? '' : '9',
    };
    const brokenKind =
      j % 7 === 3 && j < 70 ? productBreaks[Math.floor(j / 7) % productBreaks.length] : undefined;
    if (brokenKind === 'unknown-category')
      push({ ...row, categories: `${categories[0]}|no-such-category-${run}` }, 'there is no category');
    else if (brokenKind === 'bad-status')
      push({ ...row, product_status: 'published' }, 'product_status must be');
    else if (brokenKind === 'bad-attributes')
      push({ ...row, attributes: 'material' }, 'attributes must be name=value');
    else {
      push(row);
      fixture.products.add(slug);
      fixture.variants.set(sku, { slug, price: 500 + j, compareAt: null, size: '' });
      if (j % 4 !== 0) fixture.stock.set(`${sku}|main`, 9);
    }
  }
  fixture.csv = `${lines.join('\n')}\n`;
  return fixture;
}

describe('catalog: CSV import and export', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let worker: INestApplicationContext;
  let client: AuthClient;
  let db: DataSource;
  let redis: Redis;
  let admin: CatalogAdmin;
  let staffId: string;
  let customerToken: string;
  const run = randomBytes(3).toString('hex');
  let fixture: Fixture;

  const upload = (csv: string | Buffer, token = admin.token, contentType = 'text/csv', base = api.baseUrl) =>
    request<{ id: string; state: string; links: { self: string } }>(`${base}/v1/admin/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body: csv,
    });

  /** Polls the job until it finishes, sampling this process's RSS (API and worker run in it). */
  async function waitForJob(id: string): Promise<{ job: JobView; ms: number; peakRssMb: number }> {
    const started = Date.now();
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      for (;;) {
        const response = await admin.send<JobView>('GET', `/v1/admin/jobs/${id}`);
        expect(response.status).toBe(200);
        if (response.body.state === 'completed' || response.body.state === 'failed')
          return { job: response.body, ms: Date.now() - started, peakRssMb: Math.round(peak / 2 ** 20) };
        if (Date.now() - started > 60_000) throw new Error(`job ${id} still ${response.body.state}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      clearInterval(sampler);
    }
  }

  /** Everything an import could touch, reduced to numbers: equal before and after means "no change". */
  /** Every catalog side effect written so far has been published and run by the worker. */
  async function catalogSettled(): Promise<void> {
    const queue = worker.get<Queue>(getQueueToken(CATALOG_QUEUE), { strict: false });
    await waitFor(
      async () => {
        const [{ n }] = await db.query<Array<{ n: string }>>(
          "SELECT COUNT(*) AS n FROM outbox WHERE queue = 'catalog' AND published_at IS NULL",
        );
        const counts = await queue.getJobCounts();
        return Number(n) === 0 && counts.waiting + counts.active + counts.delayed === 0;
      },
      15_000,
      'the catalog side effects to run',
    );
  }

  async function catalogFingerprint(): Promise<Record<string, string>> {
    const one = async (sql: string) => {
      const [row] = await db.query<Array<{ n: string; h: string | null }>>(sql);
      return `${row.n}:${row.h ?? ''}`;
    };
    return {
      products: await one(
        `SELECT COUNT(*) n, SUM(CRC32(CONCAT_WS('|', id, version, updated_at, title, status, min_price, max_price, search_text))) h FROM products`,
      ),
      variants: await one(
        `SELECT COUNT(*) n, SUM(CRC32(CONCAT_WS('|', id, version, updated_at, price, COALESCE(compare_at_price, ''), title, position))) h FROM product_variants`,
      ),
      optionRows: await one(
        `SELECT COUNT(*) n, SUM(CRC32(CONCAT_WS('|', variant_id, name, value))) h FROM variant_option_values`,
      ),
      categories: await one(
        `SELECT COUNT(*) n, SUM(CRC32(CONCAT_WS('|', product_id, category_id))) h FROM product_categories`,
      ),
      levels: await one(
        `SELECT COUNT(*) n, SUM(CRC32(CONCAT_WS('|', variant_id, location_id, on_hand, reserved, updated_at))) h FROM inventory_levels`,
      ),
      movements: await one('SELECT COUNT(*) n, NULL h FROM inventory_movements'),
      audit: await one(
        `SELECT COUNT(*) n, NULL h FROM audit_log WHERE target_type IN ('product', 'variant')`,
      ),
      invalidations: await one(`SELECT COUNT(*) n, NULL h FROM outbox WHERE queue = 'catalog'`),
      cacheGeneration: (await redis.get(CATALOG_GENERATION_KEY)) ?? '0',
    };
  }

  beforeAll(async () => {
    env = await TestEnvironment.create();
    api = await env.startApi();
    worker = await env.startWorker();
    client = new AuthClient(api.baseUrl);
    db = api.app.get(DataSource);
    redis = api.app.get(REDIS_CLIENT);
    const staff = await createUser(client, db, { role: 'staff' });
    staffId = staff.id;
    admin = new CatalogAdmin(client, staff.tokens.accessToken);
    customerToken = (await createUser(client, db)).tokens.accessToken;

    const categories = [await admin.createCategory('Shirts'), await admin.createCategory('Sale')];
    // No locations API yet: the rows an inventory module would write.
    for (const [code, priority] of [
      ['main', 0],
      ['shop', 1],
    ] as const)
      await db.query(
        'INSERT INTO stock_locations (id, code, name, priority, active, version) VALUES (?, ?, ?, ?, 1, 1)',
        [uuidv7(), code, `Location ${code}`, priority],
      );
    // A product that exists before the import, with stock reserved (10 on hand, 5 reserved, per the ledger).
    const pre = await admin.createProduct({ slug: `pre-${run}`, title: `Pre ${run}` });
    for (const variant of pre.variants) {
      await db.query(
        `INSERT INTO inventory_levels (variant_id, location_id, on_hand, reserved)
         SELECT ?, id, 10, 5 FROM stock_locations WHERE code = 'main'`,
        [variant.id],
      );
      await db.query(
        `INSERT INTO inventory_movements (variant_id, location_id, reason, on_hand_delta, reserved_delta, actor)
         SELECT ?, id, 'received', 10, 0, 'system' FROM stock_locations WHERE code = 'main'
         UNION ALL SELECT ?, id, 'reservation', 0, 5, 'system' FROM stock_locations WHERE code = 'main'`,
        [variant.id, variant.id],
      );
    }
    fixture = buildFixture(
      run,
      categories.map((category) => category.slug),
      pre.variants.map((variant) => variant.sku),
    );
  });
  afterAll(() => env.cleanup());

  it('imports 10,000 rows: the good ones committed, each bad one reported with its line', async () => {
    expect(fixture.rows).toBe(10_000);
    expect(fixture.bad.size).toBe(50);
    await catalogSettled();
    const before = await catalogFingerprint();

    const accepted = await upload(fixture.csv);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({
      id: expect.any(String),
      state: 'queued',
      links: { self: `/v1/admin/jobs/${accepted.body.id}` },
    });
    expect(accepted.headers.get('location')).toBe(`/v1/admin/jobs/${accepted.body.id}`);
    const { job, ms, peakRssMb } = await waitForJob(accepted.body.id);
    process.stdout.write(`import of 10,000 rows: ${ms} ms; peak RSS (API + worker + Jest) ${peakRssMb} MB\n`);

    expect(job).toEqual(
      expect.objectContaining({
        kind: 'import',
        state: 'completed',
        totalRows: 10_000,
        rowsDone: 9_950,
        rowsFailed: 50,
        errorCount: 50,
        percent: 100,
        failure: null,
      }),
    );
    // Exactly the lines broken on purpose, each for its reason.
    expect(job.errors.map((error) => error.line)).toEqual([...fixture.bad.keys()].sort((a, b) => a - b));
    for (const error of job.errors) expect(error.reason).toContain(fixture.bad.get(error.line));
    expect(job.rowsCreated).toBe(fixture.variants.size);
    expect(job.rowsUpdated).toBe(40); // the second-location stock rows of variants created just before

    // The catalog holds exactly the expected variants, prices and stock.
    const variants = await db.query<
      Array<{
        sku: string;
        slug: string;
        price: number;
        compare_at_price: number | null;
        option_values: string;
      }>
    >(
      `SELECT v.sku, p.slug, v.price, v.compare_at_price, v.option_values
         FROM product_variants v JOIN products p ON p.id = v.product_id
        WHERE p.slug LIKE 'imp-${run}-%' OR p.slug LIKE 'one-${run}-%'`,
    );
    expect(
      new Map(
        variants.map((v) => [
          v.sku,
          {
            slug: v.slug,
            price: v.price,
            compareAt: v.compare_at_price,
            size:
              (typeof v.option_values === 'string'
                ? (JSON.parse(v.option_values) as Record<string, string>)
                : v.option_values
              ).size ?? '',
          },
        ]),
      ),
    ).toEqual(fixture.variants);
    const products = await db.query<Array<{ slug: string; min_price: number; version: number }>>(
      `SELECT slug, min_price, version FROM products WHERE slug LIKE 'imp-${run}-%' OR slug LIKE 'one-${run}-%'`,
    );
    expect(new Set(products.map((p) => p.slug))).toEqual(fixture.products);
    expect(products.every((p) => p.version === 1 && p.min_price >= 500)).toBe(true);
    const levels = await db.query<Array<{ sku: string; code: string; on_hand: number }>>(
      `SELECT v.sku, l.code, il.on_hand FROM inventory_levels il
         JOIN product_variants v ON v.id = il.variant_id JOIN stock_locations l ON l.id = il.location_id
         JOIN products p ON p.id = v.product_id
        WHERE p.slug LIKE 'imp-${run}-%' OR p.slug LIKE 'one-${run}-%'`,
    );
    expect(new Map(levels.map((l) => [`${l.sku}|${l.code}`, l.on_hand]))).toEqual(fixture.stock);
    // The existing product kept its title and its stock (its rows were refused).
    const [pre] = await db.query<Array<{ title: string }>>('SELECT title FROM products WHERE slug = ?', [
      `pre-${run}`,
    ]);
    expect(pre.title).toBe(`Pre ${run}`);

    // The ledger explains every level: per level, the deltas add up to on_hand and reserved.
    const unbalanced = await db.query(
      `SELECT il.variant_id FROM inventory_levels il
         LEFT JOIN (SELECT variant_id, location_id, SUM(on_hand_delta) oh, SUM(reserved_delta) r
                      FROM inventory_movements GROUP BY variant_id, location_id) m
                ON m.variant_id = il.variant_id AND m.location_id = il.location_id
        WHERE COALESCE(m.oh, 0) <> il.on_hand OR COALESCE(m.r, 0) <> il.reserved`,
    );
    expect(unbalanced).toEqual([]);
    const [movements] = await db.query<Array<{ n: string; bad: string }>>(
      `SELECT COUNT(*) n, SUM(reason <> 'correction' OR actor <> ? OR reserved_delta <> 0) bad
         FROM inventory_movements WHERE reference = ?`,
      [`user:${staffId}`, `import:${accepted.body.id}`],
    );
    expect(Number(movements.n)).toBe([...fixture.stock.values()].filter((onHand) => onHand !== 0).length);
    expect(Number(movements.bad)).toBe(0);
    const [audited] = await db.query<Array<{ n: string }>>(
      `SELECT COUNT(*) n FROM audit_log WHERE action = 'catalog.imported' AND target_id = ? AND actor_id = ?`,
      [accepted.body.id, staffId],
    );
    expect(Number(audited.n)).toBe(1);
    // The storefront cache was told: the generation moved.
    expect(Number((await catalogFingerprint()).cacheGeneration)).toBeGreaterThan(
      Number(before.cacheGeneration),
    );
    // The product is on the storefront with its imported data.
    const shown = await client.get<{ title: string; variants: Array<{ sku: string }> }>(
      `/v1/products/imp-${run}-1`,
    );
    expect(shown.status).toBe(200);
    expect(shown.body.variants.map((v) => v.sku)).toEqual([0, 1, 2, 3].map((k) => `IMP-${run}-1-${k}`));
  }, 120_000); // the job is bounded by waitForJob (60 s); 10,000 rows took 28 s on a loaded CI box

  it('re-importing the same file changes nothing (no version, timestamp, audit, ledger row or cache purge)', async () => {
    await catalogSettled();
    const before = await catalogFingerprint();
    const accepted = await upload(fixture.csv);
    expect(accepted.status).toBe(202);
    const { job, ms } = await waitForJob(accepted.body.id);
    process.stdout.write(`re-import of the same 10,000 rows: ${ms} ms\n`);
    expect(job).toEqual(
      expect.objectContaining({
        state: 'completed',
        rowsDone: 9_950,
        rowsFailed: 50,
        rowsCreated: 0,
        rowsUpdated: 0,
        rowsUnchanged: 9_950,
      }),
    );
    expect(await catalogFingerprint()).toEqual(before);
  });

  it('exports every variant and stock level as CSV in the import format; re-importing the export changes nothing', async () => {
    const started = Date.now();
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const response = await checkedFetch(`${api.baseUrl}/v1/admin/exports/products.csv`, {
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="products.csv"');
    const text = await response.text();
    clearInterval(sampler);
    process.stdout.write(
      `export of ${text.length} bytes: ${Date.now() - started} ms; peak RSS (API + worker + Jest) ${Math.round(peak / 2 ** 20)} MB\n`,
    );
    const records = await new Promise<string[][]>((resolve, reject) =>
      parse(text, {}, (error, rows: string[][]) => (error ? reject(error) : resolve(rows))),
    );
    expect(records[0]).toEqual([...CSV_COLUMNS]);
    // One row per variant and level; a variant without a level once, with no location.
    const [expected] = await db.query<Array<{ n: string }>>(
      'SELECT COUNT(*) n FROM product_variants v LEFT JOIN inventory_levels il ON il.variant_id = v.id',
    );
    expect(records.length - 1).toBe(Number(expected.n));
    const row = (sku: string, location: string) =>
      Object.fromEntries(
        CSV_COLUMNS.map((column, index) => [
          column,
          records.find((r) => r[7] === sku && r[15] === location)?.[index],
        ]),
      );
    expect(row(`IMP-${run}-7-0`, 'shop')).toEqual(
      expect.objectContaining({
        product_slug: `imp-${run}-7`,
        attributes: 'material=cotton;origin=EU\\;PT;i=7',
        options: 'size=S|M|L|XL',
        option_values: 'size=S',
        price: '1007',
        compare_at_price: '1507',
        on_hand: '0',
      }),
    );
    expect(row(`ONE-${run}-0`, '')).toEqual(expect.objectContaining({ location: '', on_hand: '' }));

    const drafts = await (
      await checkedFetch(`${api.baseUrl}/v1/admin/exports/products.csv?status=draft`, {
        headers: { authorization: `Bearer ${admin.token}` },
      })
    ).text();
    expect(drafts.split('\n').filter((line) => line.includes(`ONE-${run}-`)).length).toBe(
      [...fixture.variants.entries()].filter(
        ([sku]) => sku.startsWith(`ONE-${run}-`) && Number(sku.split('-').pop()) % 2 === 1,
      ).length,
    );
    expect(drafts).not.toContain(`IMP-${run}-`);

    await catalogSettled();
    const before = await catalogFingerprint();
    const accepted = await upload(text);
    const { job, ms } = await waitForJob(accepted.body.id);
    process.stdout.write(`re-import of the export: ${ms} ms\n`);
    expect(job).toEqual(
      expect.objectContaining({
        state: 'completed',
        rowsDone: records.length - 1,
        rowsFailed: 0,
        rowsCreated: 0,
        rowsUpdated: 0,
      }),
    );
    expect(await catalogFingerprint()).toEqual(before);
  });

  it('keeps values with separators, archived products and archived variants through export and re-import', async () => {
    const product = await admin.createProduct({
      attributes: { note: 'a=b; c|d \\ e', 'odd=key': 'x' },
      options: [{ name: 'fit', values: ['slim|tall', 'a;b', 'c=d'] }],
      variants: [
        { sku: `SEP-${run}-1`, optionValues: { fit: 'slim|tall' }, price: 100 },
        { sku: `SEP-${run}-2`, optionValues: { fit: 'a;b' }, price: 200, compareAtPrice: 300 },
      ],
    });
    expect(
      (
        await admin.send(
          'POST',
          `/v1/admin/products/${product.id}/variants/${product.variants[1].id}/archive`,
        )
      ).status,
    ).toBe(200);
    expect((await admin.send('POST', `/v1/admin/products/${product.id}/archive`)).status).toBe(200);
    const csv = await (
      await checkedFetch(`${api.baseUrl}/v1/admin/exports/products.csv?status=archived`, {
        headers: { authorization: `Bearer ${admin.token}` },
      })
    ).text();
    expect(csv).toContain(`SEP-${run}-2`);
    // The archives' cache invalidations go through the outbox to the worker: let them land first, or
    // they would bump the cache generation during the import and look like its doing.
    await catalogSettled();
    const before = await catalogFingerprint();
    const { job } = await waitForJob((await upload(csv)).body.id);
    expect(job).toEqual(
      expect.objectContaining({ state: 'completed', rowsFailed: 0, rowsCreated: 0, rowsUpdated: 0 }),
    );
    expect(await catalogFingerprint()).toEqual(before);

    // And a real change is applied: one price, one version step, one audit row, nothing else.
    const rows = await new Promise<string[][]>((resolve, reject) =>
      parse(csv, {}, (error, parsed: string[][]) => (error ? reject(error) : resolve(parsed))),
    );
    const edited = rows
      .map((cells, index) =>
        index > 0 && cells[7] === `SEP-${run}-1` ? cells.map((c, i) => (i === 10 ? '150' : c)) : cells,
      )
      .map((cells) => cells.map(csvCell).join(','))
      .join('\n');
    const second = await waitForJob((await upload(edited)).body.id);
    expect(second.job).toEqual(
      expect.objectContaining({ state: 'completed', rowsUpdated: 1, rowsFailed: 0 }),
    );
    const after = await admin.send<{
      version: number;
      variants: Array<{ sku: string; price: number }>;
    }>('GET', `/v1/admin/products/${product.id}`);
    expect(after.body.variants.find((v) => v.sku === `SEP-${run}-1`)!.price).toBe(150);
    expect(after.body.version).toBe(product.version + 3); // archive variant, archive product, import
  });

  it('refuses what is not a usable CSV upload, before any job exists', async () => {
    const count = async () =>
      Number((await db.query<Array<{ n: string }>>('SELECT COUNT(*) n FROM catalog_jobs'))[0].n);
    const jobsBefore = await count();
    expectProblem(await upload('{"rows":[]}', admin.token, 'application/json'), 415);
    expectProblem(await upload('sku\nA', admin.token, 'text/plain'), 415);
    expectProblem(await upload('sku,product_slug,colour\nA-1,a,red\n'), 422, '/problems/invalid-import-file');
    expectProblem(await upload(''), 422, '/problems/invalid-import-file');
    expectProblem(await upload('price\n5\n'), 422, '/problems/invalid-import-file');
    const small = await env.startApi([], { catalog: { importMaxBytes: 2048 } });
    const big = `product_slug,sku\n${'a,A-1\n'.repeat(500)}`;
    expectProblem(await upload(big, admin.token, 'text/csv', small.baseUrl), 413);
    const accepted = await upload(
      'product_slug,sku\na,A-1\n',
      admin.token,
      'text/csv; charset=utf-8',
      small.baseUrl,
    );
    expect(accepted.status).toBe(202);
    expect(await count()).toBe(jobsBefore + 1);
    // Rows are checked by the worker, not at upload: this one lacks what creating a product needs.
    const { job } = await waitForJob(accepted.body.id);
    expect(job.errors).toEqual([
      { line: 2, sku: 'A-1', reason: 'product_title is required to create product a' },
    ]);
  });

  it('fails a job whose file is not valid CSV further down, before writing any row', async () => {
    await catalogSettled();
    const before = await catalogFingerprint();
    const csv = `product_slug,product_title,sku,price\nbroken-${run},Broken,BRK-${run}-1,100\nbroken-${run},"unclosed,BRK-${run}-2,100\n`;
    const { job } = await waitForJob((await upload(csv)).body.id);
    expect(job).toEqual(
      expect.objectContaining({
        state: 'failed',
        rowsDone: 0,
        failure: expect.stringContaining('not valid CSV'),
      }),
    );
    expect(await catalogFingerprint()).toEqual(before);
  });

  it('reports unknown jobs as 404 and keeps customers out', async () => {
    expectProblem(
      await admin.send('GET', `/v1/admin/jobs/${uuidv7()}`),
      404,
      '/problems/catalog-job-not-found',
    );
    expectProblem(await upload(fixture.csv.slice(0, 500), customerToken), 403);
    expectProblem(await client.get(`/v1/admin/jobs/${uuidv7()}`, customerToken), 403);
    expectProblem(await client.get('/v1/admin/exports/products.csv', customerToken), 403);
    expectProblem(await client.get('/v1/admin/exports/products.csv'), 401);
  });

  it('runs a job once: a redelivered finished job does nothing', async () => {
    const importer = worker.get(CatalogImporterService);
    const [last] = await db.query<Array<{ id: string }>>(
      "SELECT id FROM catalog_jobs WHERE state = 'completed' ORDER BY id DESC LIMIT 1",
    );
    await catalogSettled();
    const before = await catalogFingerprint();
    await expect(importer.run(last.id)).resolves.toBe('already-finished');
    expect(await catalogFingerprint()).toEqual(before);
  });
});
