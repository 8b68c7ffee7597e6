import { expectProblem } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { DataSource } from 'typeorm';
import { AuthClient, createUser } from '../support/auth-client';
import { CatalogAdmin, uniqueSuffix } from '../support/catalog-client';

interface Summary {
  id: string;
  slug: string;
  title: string;
  inStock: boolean;
  currency: string;
  priceRange: { min: number };
  variants: Array<{ sku: string; price: number }>;
}
interface Page {
  data: Summary[];
  nextCursor: string | null;
}

describe('catalog: staff writes and storefront reads', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let client: AuthClient;
  let db: DataSource;
  let admin: CatalogAdmin;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    api = await env.startApi();
    client = new AuthClient(api.baseUrl);
    db = api.app.get(DataSource);
    const staff = await createUser(client, db, { role: 'staff' });
    admin = new CatalogAdmin(client, staff.tokens.accessToken);
  });
  afterAll(() => env.cleanup());

  it('creates a product with variants and shows it on the storefront by slug and id', async () => {
    const category = await admin.createCategory('Shirts');
    const product = await admin.createProduct({ categoryIds: [category.id], title: 'Sturdy Linen Shirt' });
    expect(product.variants.map((v) => v.price)).toEqual([1000, 1200]);
    expect(product.currency).toMatch(/^[A-Z]{3}$/);
    expect(product.version).toBe(1);

    const bySlug = await client.get<Summary & { categories: Array<{ id: string }> }>(
      `/v1/products/${product.slug}`,
    );
    expect(bySlug.status).toBe(200);
    expect(bySlug.body.title).toBe('Sturdy Linen Shirt');
    expect(bySlug.body.categories.map((c) => c.id)).toEqual([category.id]);
    expect(bySlug.body.priceRange.min).toBe(1000);
    expect(bySlug.body.currency).toBe(product.currency);
    expect(bySlug.body.inStock).toBe(false);
    expect(bySlug.headers.get('etag')).toMatch(/^".+"$/);
    expect(bySlug.headers.get('cache-control')).toContain('max-age=');
    const byId = await client.get<Summary>(`/v1/products/${product.id}`);
    expect(byId.body.slug).toBe(product.slug);
  });

  it('never shows draft or archived products', async () => {
    const draft = await admin.createProduct({ status: 'draft' });
    expectProblem(await client.get(`/v1/products/${draft.slug}`), 404, '/problems/product-not-found');
    const active = await admin.createProduct();
    expect((await client.get(`/v1/products/${active.slug}`)).status).toBe(200);
    expect((await admin.send('POST', `/v1/admin/products/${active.id}/archive`)).status).toBe(200);
    expectProblem(await client.get(`/v1/products/${active.slug}`), 404);
  });

  it('many staff creating products at once all succeed, each with its storefront entry (no deadlock 500)', async () => {
    // New products' ids are time-ordered, so their read-model rows all land at the end of one index.
    const deadlocks = async () =>
      Number(
        (await db.query<Array<{ Value: string }>>("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'"))[0].Value,
      );
    const deadlocksBefore = await deadlocks();
    const statuses = Array.from({ length: 40 }, (_, index) => (index % 4 === 0 ? 'draft' : 'active'));
    const outcomes = await Promise.allSettled(statuses.map((status) => admin.createProduct({ status })));
    const failures = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [String(outcome.reason)] : [],
    );
    expect(failures).toEqual([]);
    // Retries would hide them, at a price: creating products must not deadlock in the first place.
    expect(await deadlocks()).toBe(deadlocksBefore);
    const created = outcomes.map((outcome) => (outcome as PromiseFulfilledResult<{ id: string }>).value);
    const entries = await db.query<Array<{ product_id: string }>>(
      'SELECT product_id FROM storefront_products WHERE product_id IN (?)',
      [created.map((product) => product.id)],
    );
    expect(entries.map((entry) => entry.product_id).sort()).toEqual(
      created
        .filter((_, index) => statuses[index] === 'active')
        .map((product) => product.id)
        .sort(),
    );
  });

  it('answers 304 to a matching If-None-Match and a new ETag after a write', async () => {
    const product = await admin.createProduct();
    const first = await client.get(`/v1/products/${product.slug}`);
    const etag = first.headers.get('etag')!;
    const revalidated = await client.send('GET', `/v1/products/${product.slug}`, {
      headers: { 'if-none-match': etag },
    });
    expect(revalidated.status).toBe(304);
    expect(revalidated.text).toBe('');
    expect(revalidated.headers.get('etag')).toBe(etag);
    const patched = await admin.send('PATCH', `/v1/admin/products/${product.id}`, {
      title: 'Renamed',
      version: 1,
    });
    expect(patched.status).toBe(200);
    const after = await client.send<Summary>('GET', `/v1/products/${product.slug}`, {
      headers: { 'if-none-match': etag },
    });
    expect(after.status).toBe(200);
    expect(after.body.title).toBe('Renamed');
    expect(after.headers.get('etag')).not.toBe(etag);
  });

  it('refuses a stale version with 409 and a stale If-Match with 412, never overwriting', async () => {
    const product = await admin.createProduct();
    expect(
      (await admin.send('PATCH', `/v1/admin/products/${product.id}`, { title: 'First', version: 1 })).status,
    ).toBe(200);
    expectProblem(
      await admin.send('PATCH', `/v1/admin/products/${product.id}`, { title: 'Lost update', version: 1 }),
      409,
      '/problems/stale-version',
    );
    expectProblem(
      await admin.send(
        'PATCH',
        `/v1/admin/products/${product.id}`,
        { title: 'Lost update', version: 2 },
        { 'if-match': 'W/"1"' },
      ),
      412,
      '/problems/stale-version',
    );
    const current = await admin.send<{ title: string; version: number }>(
      'GET',
      `/v1/admin/products/${product.id}`,
    );
    expect(current.body).toEqual(expect.objectContaining({ title: 'First', version: 2 }));
    expect(current.headers.get('etag')).toBe('W/"2"');

    // Two writers racing from the same version: exactly one wins.
    const results = await Promise.all(
      ['A', 'B', 'C', 'D'].map((title) =>
        admin.send('PATCH', `/v1/admin/products/${product.id}`, { title, version: 2 }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
  });

  it('sanitises descriptions: no script and no event handler ever comes back', async () => {
    const product = await admin.createProduct({
      description:
        '<p onclick="steal()">Soft <strong>linen</strong><script>alert(1)</script></p><img src=x onerror=alert(1)><a href="javascript:alert(1)">x</a><a href="https://example.com">ok</a>',
    });
    for (const body of [
      product.description,
      (await client.get<{ description: string }>(`/v1/products/${product.slug}`)).body.description,
    ]) {
      expect(body).not.toMatch(/<script/i);
      expect(body).not.toMatch(/onerror|onclick/i);
      expect(body).not.toMatch(/javascript:/i);
      expect(body).toContain('<strong>linen</strong>');
      expect(body).toContain('href="https://example.com"');
    }
    const [row] = await db.query<Array<{ description: string }>>(
      'SELECT description FROM products WHERE id = ?',
      [product.id],
    );
    expect(row.description).not.toMatch(/<script|onerror|onclick/i);
  });

  it('audits every staff write', async () => {
    const product = await admin.createProduct();
    await admin.send('PATCH', `/v1/admin/products/${product.id}`, { title: 'Audited', version: 1 });
    await admin.send('PATCH', `/v1/admin/products/${product.id}/variants/${product.variants[0].id}`, {
      price: 999,
      version: 1,
    });
    const rows = await db.query<Array<{ action: string }>>(
      'SELECT action FROM audit_log WHERE target_id IN (?) ORDER BY id',
      [[product.id, product.variants[0].id]],
    );
    expect(rows.map((r) => r.action)).toEqual(['product.created', 'product.updated', 'variant.updated']);
  });

  it('refuses bad input with problem+json and writes nothing', async () => {
    const suffix = uniqueSuffix();
    const count = async () =>
      Number((await db.query<Array<{ n: string }>>('SELECT COUNT(*) AS n FROM products'))[0].n);
    const before = await count();
    const base = {
      title: `Bad ${suffix}`,
      slug: `bad-${suffix}`,
      options: [{ name: 'size', values: ['S'] }],
    };
    expectProblem(
      await admin.send('POST', '/v1/admin/products', {
        ...base,
        variants: [{ sku: `N-${suffix}`, optionValues: { size: 'S' }, price: -1 }],
      }),
      400,
    );
    const existing = await admin.createProduct();
    expectProblem(
      await admin.send('POST', '/v1/admin/products', {
        ...base,
        variants: [{ sku: existing.variants[0].sku, optionValues: { size: 'S' }, price: 100 }],
      }),
      409,
      '/problems/sku-taken',
    );
    expectProblem(
      await admin.send('POST', '/v1/admin/products', {
        ...base,
        options: [{ name: 'size', values: ['S', 'M'] }],
        variants: [
          { sku: `D-${suffix}`, optionValues: { size: 'S' }, price: 100 },
          { sku: `D-${suffix}`, optionValues: { size: 'M' }, price: 100 },
        ],
      }),
      409,
      '/problems/sku-taken',
    );
    expectProblem(
      await admin.send('POST', '/v1/admin/products', {
        ...base,
        categoryIds: ['0192f1d4-6f1e-7c3a-9b1a-3f2d1c0b9a87'],
      }),
      422,
      '/problems/unknown-category',
    );
    expectProblem(
      await admin.send('POST', '/v1/admin/products', { ...base, slug: existing.slug }),
      409,
      '/problems/slug-taken',
    );
    expectProblem(
      await admin.send('POST', '/v1/admin/products', { ...base, description: 'x'.repeat(2 * 1024 * 1024) }),
      413,
    );
    expectProblem(
      await admin.send('POST', '/v1/admin/products', { ...base, description: 'x'.repeat(200_000) }),
      400,
    );
    expectProblem(
      await admin.send('POST', '/v1/admin/products', {
        ...base,
        variants: [{ sku: `O-${suffix}`, optionValues: { size: 'XXL' }, price: 1 }],
      }),
      422,
      '/problems/invalid-option-values',
    );
    expectProblem(
      await admin.send('POST', '/v1/admin/products', { ...base, price: 5, unknownField: 1 }),
      400,
    );
    expectProblem(await client.get('/v1/products?limit=10000'), 400);
    expectProblem(await client.get('/v1/products?minPrice=-5'), 400);
    expectProblem(await client.get('/v1/products?cursor=bm90LWpzb24'), 422, '/problems/invalid-cursor');
    expect(await count()).toBe(before + 1); // only the `existing` product
    const [orphans] = await db.query<Array<{ n: string }>>(
      'SELECT COUNT(*) AS n FROM product_variants v LEFT JOIN products p ON p.id = v.product_id WHERE p.id IS NULL',
    );
    expect(Number(orphans.n)).toBe(0);
  });

  it('moves category subtrees and filters by a category with its descendants', async () => {
    const root = await admin.createCategory('Clothing');
    const child = await admin.createCategory('Tops', root.id);
    const grandchild = await admin.createCategory('Tees', child.id);
    const other = await admin.createCategory('Garden');
    const tee = await admin.createProduct({ categoryIds: [grandchild.id] });
    const spade = await admin.createProduct({ categoryIds: [other.id] });
    const slugsIn = async (category: string) =>
      (await client.get<Page>(`/v1/products?category=${category}&limit=100`)).body.data.map((p) => p.slug);
    expect(await slugsIn(root.slug)).toEqual([tee.slug]);
    expect(await slugsIn(other.id)).toEqual([spade.slug]);
    expectProblem(
      await admin.send('PATCH', `/v1/admin/categories/${root.id}`, { parentId: grandchild.id, version: 1 }),
      422,
      '/problems/category-cycle',
    );
    // Move "Tops" (with "Tees") under "Garden": the tee is now found under Garden, not Clothing.
    expect(
      (await admin.send('PATCH', `/v1/admin/categories/${child.id}`, { parentId: other.id, version: 1 }))
        .status,
    ).toBe(200);
    expect(await slugsIn(root.slug)).toEqual([]);
    expect((await slugsIn(other.slug)).sort()).toEqual([tee.slug, spade.slug].sort());
    const tree = await client.get<{
      data: Array<{ id: string; children: Array<{ id: string; children: Array<{ id: string }> }> }>;
    }>('/v1/categories');
    const garden = tree.body.data.find((node) => node.id === other.id)!;
    expect(garden.children[0].id).toBe(child.id);
    expect(garden.children[0].children[0].id).toBe(grandchild.id);
    expectProblem(
      await admin.send('DELETE', `/v1/admin/categories/${other.id}`),
      409,
      '/problems/category-not-empty',
    );
  });
});
