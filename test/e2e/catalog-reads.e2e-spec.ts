import { request, SmtpReceiver } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CatalogCache } from '../../src/modules/catalog/cache/catalog.cache';
import { EVENTS_QUEUE } from '../../src/modules/notifications/jobs/events.jobs';
import { MAIL_QUEUE } from '../../src/modules/notifications/mail/mail.jobs';
import { AuthClient, createUser } from '../support/auth-client';
import { CatalogAdmin, uniqueSuffix, type AdminProduct } from '../support/catalog-client';
import { waitFor, waitForQueuesToSettle } from '../support/wait-for';

interface Summary {
  id: string;
  slug: string;
  title: string;
  variants: Array<{ id: string; price: number }>;
}
interface Page {
  data: Summary[];
  nextCursor: string | null;
}

/** Counts the SQL statements one DataSource sends (other apps in this process are not counted). */
function countQueries(db: DataSource): { count: () => number; restore: () => void } {
  let count = 0;
  const original = db.createQueryRunner.bind(db);
  db.createQueryRunner = (...args: Parameters<DataSource['createQueryRunner']>) => {
    const runner = original(...args);
    const query = runner.query.bind(runner);
    runner.query = ((...queryArgs: Parameters<typeof runner.query>) => {
      count++;
      return query(...queryArgs);
    }) as typeof runner.query;
    return runner;
  };
  return { count: () => count, restore: () => delete (db as Partial<DataSource>).createQueryRunner };
}

describe('catalog: storefront reads — search, pages, cache across replicas, no N+1', () => {
  let env: TestEnvironment;
  let first: TestApi;
  let second: TestApi;
  let uncached: TestApi;
  let client: AuthClient;
  let otherClient: AuthClient;
  let db: DataSource;
  let admin: CatalogAdmin;
  let receiver: SmtpReceiver;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    env = await TestEnvironment.create({ catalog: { staffAlertEmail: 'alerts@shop.test' } });
    receiver = await SmtpReceiver.start();
    first = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    second = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    uncached = await env.startApi([], { catalog: { cacheEnabled: false }, rateLimit: { max: 1_000_000 } });
    worker = await env.startWorker([], { mail: { host: '127.0.0.1', port: receiver.port, secure: false } });
    client = new AuthClient(first.baseUrl);
    otherClient = new AuthClient(second.baseUrl);
    db = first.app.get(DataSource);
    const staff = await createUser(client, db, { role: 'staff' });
    admin = new CatalogAdmin(client, staff.tokens.accessToken);
  }, 30_000);
  afterAll(async () => {
    await env?.cleanup();
    await receiver?.close();
  });

  it('a price changed through replica A is what replica B serves next, every time', async () => {
    const product = await admin.createProduct();
    const variant = product.variants[0];
    let version = variant.version;
    for (let price = 2000; price < 2020; price++) {
      // Both replicas hold the old price in the shared cache before each write.
      expect((await otherClient.get<Summary>(`/v1/products/${product.slug}`)).status).toBe(200);
      await otherClient.get<Page>(`/v1/products?limit=5`);
      const updated = await admin.send<AdminProduct>(
        'PATCH',
        `/v1/admin/products/${product.id}/variants/${variant.id}`,
        {
          price,
          version,
        },
      );
      expect(updated.status).toBe(200);
      version = updated.body.variants[0].version;
      const detail = await otherClient.get<Summary>(`/v1/products/${product.slug}`);
      expect(detail.body.variants.find((v) => v.id === variant.id)?.price).toBe(price);
      const list = await otherClient.get<Page>(`/v1/products?limit=5`);
      expect(list.body.data.find((p) => p.id === product.id)?.variants[0].price).toBe(price);
    }
  });

  it('a repeated storefront read (answered before Nest) is byte for byte the response Nest gave, headers included', async () => {
    const product = await admin.createProduct();
    const path = `/v1/products/${product.slug}`;
    const lookups = jest.spyOn(first.app.get(CatalogCache), 'hitFor');
    const original = await client.get(path); // through Nest: validated, cached, remembered
    const repeat = await client.get(path); // the hit path
    expect(repeat.status).toBe(200);
    // The hit lookup runs on the storefront's routes only: a probe or an API write pays nothing for it.
    expect(lookups).toHaveBeenCalledTimes(2);
    expect((await request(`${first.baseUrl}/health/live`)).status).toBe(200);
    expect(lookups).toHaveBeenCalledTimes(2);
    lookups.mockRestore();
    expect(repeat.text).toBe(original.text);
    for (const header of [
      'etag',
      'cache-control',
      'content-type',
      'x-content-type-options',
      'content-security-policy',
    ])
      expect([header, repeat.headers.get(header)]).toEqual([header, original.headers.get(header)]);
    expect(repeat.headers.get('x-request-id')).toMatch(/.+/);
    expect(repeat.headers.get('x-request-id')).not.toBe(original.headers.get('x-request-id'));
    const revalidated = await client.send('GET', path, {
      headers: { 'if-none-match': original.headers.get('etag')! },
    });
    expect(revalidated.status).toBe(304);
    // What Nest refused is never repeated as a hit: it is refused again, every time.
    for (let i = 0; i < 3; i++) expect((await client.get('/v1/products?limit=10000')).status).toBe(400);
    // Archived: the next read, on this or the other replica, is a 404 — not the remembered page.
    await admin.send('POST', `/v1/admin/products/${product.id}/archive`);
    expect((await client.get(path)).status).toBe(404);
    expect((await otherClient.get(path)).status).toBe(404);
  });

  it('search ranks a title match first, and answers an empty result for words nothing contains', async () => {
    const word = `zephyr${uniqueSuffix().replace(/[0-9]/g, 'q')}`;
    const inDescription = await admin.createProduct({
      title: `Plain Coat ${uniqueSuffix()}`,
      description: `<p>Lined with ${word} for winter.</p>`,
    });
    const inTitle = await admin.createProduct({ title: `Marlowe ${word} Scarf` });
    await admin.createProduct({ title: `Unrelated Hat ${uniqueSuffix()}` });
    const found = await client.get<Page>(`/v1/products?q=${word}`);
    expect(found.status).toBe(200);
    expect(found.body.data.map((p) => p.id)).toEqual([inTitle.id, inDescription.id]);
    // A prefix finds it too; boolean operators typed by a shopper change nothing.
    const prefix = await client.get<Page>(`/v1/products?q=${encodeURIComponent(`-${word.slice(0, 8)}`)}`);
    expect(prefix.body.data[0]?.id).toBe(inTitle.id);
    expect((await client.get<Page>('/v1/products?q=qqqxxqqzzyy')).body).toEqual({
      data: [],
      nextCursor: null,
    });
    expect((await client.get<Page>('/v1/products?q=the')).body).toEqual({ data: [], nextCursor: null });
  });

  it('filters by price range, option values and stock on the same variant', async () => {
    const category = await admin.createCategory('Filters');
    const product = await admin.createProduct({
      categoryIds: [category.id],
      options: [
        { name: 'colour', values: ['red', 'blue'] },
        { name: 'size', values: ['S', 'M'] },
      ],
      variants: [
        { sku: `F-${uniqueSuffix()}`, optionValues: { colour: 'red', size: 'S' }, price: 1500 },
        { sku: `F-${uniqueSuffix()}`, optionValues: { colour: 'blue', size: 'M' }, price: 3000 },
      ],
    });
    const ids = async (query: string) =>
      (await client.get<Page>(`/v1/products?category=${category.slug}&${query}`)).body.data.map((p) => p.id);
    expect(await ids('option=colour:red')).toEqual([product.id]);
    expect(await ids('option=colour:red&option=size:M')).toEqual([]); // no red M variant
    expect(await ids('option=colour:red&option=colour:blue&option=size:M')).toEqual([product.id]);
    expect(await ids('minPrice=2000&maxPrice=2500')).toEqual([]);
    expect(await ids('minPrice=2500')).toEqual([product.id]);
    expect(await ids('inStock=true')).toEqual([]);
  });

  it.each(['newest', 'price_asc', 'price_desc', 'title', 'relevance'])(
    'pages sorted by %s while products are added and archived: no duplicates, no stable item skipped',
    async (sort) => {
      const word = `pagetest${uniqueSuffix().replace(/[0-9]/g, 'x')}`;
      const category = await admin.createCategory(`Pages ${sort}`);
      const make = (i: number) =>
        admin.createProduct({
          title: `${['Alpha', 'Bravo', 'Charlie', 'Delta'][i % 4]} ${word} ${i}`,
          categoryIds: [category.id],
          options: [],
          // Repeated prices and titles make ties that only the id can break.
          variants: [{ sku: `P-${uniqueSuffix()}`, price: 1000 + (i % 3) * 100 }],
        });
      const stable: AdminProduct[] = [];
      for (let i = 0; i < 24; i++) stable.push(await make(i));
      const doomed: AdminProduct[] = [];
      for (let i = 24; i < 30; i++) doomed.push(await make(i));

      const query = `/v1/products?limit=5&sort=${sort}&${sort === 'relevance' ? `q=${word}` : `category=${category.slug}`}`;
      const seen: string[] = [];
      let cursor: string | null = null;
      let page = 0;
      do {
        const response: { body: Page; status: number } = await client.get<Page>(
          `${query}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(response.status).toBe(200);
        seen.push(...response.body.data.map((p) => p.id));
        cursor = response.body.nextCursor;
        // Between pages the catalog changes: new products arrive, others are archived.
        if (page < doomed.length) await admin.send('POST', `/v1/admin/products/${doomed[page].id}/archive`);
        await make(100 + page);
        page++;
      } while (cursor && page < 50);
      expect(new Set(seen).size).toBe(seen.length);
      for (const product of stable) expect(seen).toContain(product.id);
    },
    60_000,
  );

  it('a product list page costs the same number of SQL statements for 5 or 20 products (no N+1)', async () => {
    const category = await admin.createCategory('NPlusOne');
    for (let i = 0; i < 20; i++) {
      await admin.createProduct({
        categoryIds: [category.id],
        options: [{ name: 'size', values: ['S', 'M', 'L'] }],
        variants: ['S', 'M', 'L'].map((size) => ({
          sku: `N-${uniqueSuffix()}`,
          optionValues: { size },
          price: 900,
        })),
      });
    }
    const uncachedClient = new AuthClient(uncached.baseUrl);
    const counter = countQueries(uncached.app.get(DataSource));
    try {
      const statementsFor = async (limit: number) => {
        const before = counter.count();
        const response = await uncachedClient.get<Page>(
          `/v1/products?category=${category.slug}&limit=${limit}`,
        );
        expect(response.body.data).toHaveLength(limit);
        expect(response.body.data.every((p) => p.variants.length === 3)).toBe(true);
        return counter.count() - before;
      };
      const small = await statementsFor(5);
      const large = await statementsFor(20);
      expect(large).toBe(small);
      expect(large).toBeLessThanOrEqual(1);
      const before = counter.count();
      expect((await uncachedClient.get(`/v1/products/${(await admin.createProduct()).slug}`)).status).toBe(
        200,
      );
      expect(counter.count() - before).toBeLessThanOrEqual(1);
    } finally {
      counter.restore();
    }
  });

  it('mails staff once when a variant falls below its low-stock threshold, and records the event', async () => {
    const location = (
      await admin.send<{ id: string }>('POST', '/v1/admin/locations', {
        code: `ls-${uniqueSuffix()}`,
        name: 'LS',
      })
    ).body;
    const product = await admin.createProduct({
      title: `Lantern ${uniqueSuffix()}`,
      options: [],
      variants: [{ sku: `LOW-${uniqueSuffix()}`, price: 100, lowStockThreshold: 5 }],
    });
    const variant = product.variants[0];
    await admin.send('POST', '/v1/admin/inventory/adjustments', {
      variantId: variant.id,
      locationId: location.id,
      delta: 6,
      reason: 'received',
    });
    const reserveOne = (n: number) =>
      admin.send('POST', '/v1/admin/inventory/reservations', {
        reference: `low:${uniqueSuffix()}`,
        lines: [{ variantId: variant.id, quantity: n }],
      });
    expect((await reserveOne(1)).status).toBe(201); // 5 left: not below 5
    expect((await reserveOne(2)).status).toBe(201); // 3 left: crossed
    expect((await reserveOne(1)).status).toBe(201); // 2 left: already below, no second alert
    const mail = await receiver.waitForMessage(
      (message) => message.parsed.subject?.includes(variant.sku) ?? false,
    );
    expect(mail.recipients).toEqual(['alerts@shop.test']);
    expect(mail.parsed.subject).toBe(`Low stock: ${variant.sku} has 3 left`);
    expect(mail.parsed.text).toContain('below its low-stock threshold of 5');
    const events = await db.query<Array<{ payload: string | Record<string, unknown> }>>(
      "SELECT payload FROM outbox WHERE queue = 'events' AND job_name = 'inventory.low-stock'",
    );
    const mine = events
      .map(
        (row) => (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as { sku: string },
      )
      .filter((payload) => payload.sku === variant.sku);
    expect(mine).toEqual([{ variantId: variant.id, sku: variant.sku, available: 3, threshold: 5 }]);
    // No second alert: once the worker has run every event and mail job, still one mail.
    await waitForQueuesToSettle(worker, [EVENTS_QUEUE, MAIL_QUEUE]);
    expect(receiver.messages.filter((message) => message.parsed.subject?.includes(variant.sku))).toHaveLength(
      1,
    );
  });

  it('an imported stock count goes through the ledger: a correction movement and a low-stock alert', async () => {
    const code = `imp-${uniqueSuffix()}`;
    const location = (
      await admin.send<{ id: string }>('POST', '/v1/admin/locations', { code, name: 'Import' })
    ).body;
    const product = await admin.createProduct({
      options: [],
      variants: [{ sku: `IMP-${uniqueSuffix()}`, price: 100, lowStockThreshold: 5 }],
    });
    const variant = product.variants[0];
    await admin.send('POST', '/v1/admin/inventory/adjustments', {
      variantId: variant.id,
      locationId: location.id,
      delta: 10,
      reason: 'received',
    });
    const accepted = await request<{ id: string }>(`${first.baseUrl}/v1/admin/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'text/csv' },
      body: `product_slug,sku,location,on_hand\n${product.slug},${variant.sku},${code},2\n`,
    });
    expect(accepted.status).toBe(202);
    await waitFor(
      async () =>
        (await admin.send<{ state: string }>('GET', `/v1/admin/jobs/${accepted.body.id}`)).body.state ===
        'completed',
      10_000,
      'the import job to complete',
    );
    const mail = await receiver.waitForMessage(
      (message) => message.parsed.subject?.includes(variant.sku) ?? false,
    );
    expect(mail.parsed.subject).toBe(`Low stock: ${variant.sku} has 2 left`);
    const movements = await admin.send<{
      data: Array<{ reason: string; onHandDelta: number; reference: string }>;
    }>('GET', `/v1/admin/inventory/movements?variantId=${variant.id}`);
    expect(movements.body.data[0]).toEqual(
      expect.objectContaining({
        reason: 'correction',
        onHandDelta: -8,
        reference: `import:${accepted.body.id}`,
      }),
    );
  });

  it('the read model holds exactly the visible products, with their current prices and stock (after every write above)', async () => {
    const visible = await db.query<Array<{ id: string }>>(
      "SELECT id FROM products WHERE status = 'active' AND min_price IS NOT NULL ORDER BY id",
    );
    const modelled = await db.query<Array<{ product_id: string; detail: string }>>(
      'SELECT product_id, detail FROM storefront_products ORDER BY product_id',
    );
    expect(modelled.map((row) => row.product_id)).toEqual(visible.map((row) => row.id));
    const variants = await db.query<Array<{ id: string; price: number; in_stock: number | string }>>(
      `SELECT v.id, v.price, EXISTS (SELECT 1 FROM inventory_levels l JOIN stock_locations sl ON sl.id = l.location_id
                                      WHERE l.variant_id = v.id AND sl.active = 1 AND l.on_hand > l.reserved) AS in_stock
         FROM product_variants v WHERE v.status = 'active'`,
    );
    const truth = new Map(
      variants.map((v) => [v.id, { price: Number(v.price), inStock: Number(v.in_stock) === 1 }]),
    );
    for (const row of modelled) {
      const detail = JSON.parse(row.detail) as {
        variants: Array<{ id: string; price: number; inStock: boolean }>;
      };
      for (const variant of detail.variants)
        expect({ id: variant.id, price: variant.price, inStock: variant.inStock }).toEqual({
          id: variant.id,
          ...truth.get(variant.id),
        });
    }
  });
});
