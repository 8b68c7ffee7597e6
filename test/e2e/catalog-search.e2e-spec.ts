import { request } from '@app/testing';
import { DataSource } from 'typeorm';
import { AuthClient, createUser } from '../support/auth-client';
import { CatalogAdmin, uniqueSuffix, type AdminProduct } from '../support/catalog-client';
import { TestApi, TestEnvironment } from '../support/test-environment';

interface Page {
  data: Array<{ id: string; title: string }>;
  nextCursor: string | null;
}

/** A word no other product of the run carries: letters only, so it is one searchable word. */
const word = (stem: string) => `${stem}${uniqueSuffix().replace(/[0-9]/g, (digit) => 'qwrtypsdfg'[+digit])}`;

/**
 * The storefront search index (product_search_terms) is part of the read model: every write that changes
 * what a product shows — create, rename, describe, reprice, archive, activate, import — changes what finds
 * it, in the same transaction. Searches go through the HTTP API; the cache is on, as in production.
 */
describe('catalog: the storefront search index follows every catalog write', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let client: AuthClient;
  let admin: CatalogAdmin;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    await env.startWorker(); // runs the import jobs
    client = new AuthClient(api.baseUrl);
    const staff = await createUser(client, api.app.get(DataSource), { role: 'staff' });
    admin = new CatalogAdmin(client, staff.tokens.accessToken);
  }, 30_000);
  afterAll(() => env?.cleanup());

  const found = async (query: string): Promise<string[]> => {
    const response = await client.get<Page>(`/v1/products?${query}`);
    expect(response.status).toBe(200);
    return response.body.data.map((product) => product.id);
  };
  const search = (words: string) => found(`q=${encodeURIComponent(words)}`);

  const patch = async (product: AdminProduct, body: Record<string, unknown>): Promise<AdminProduct> => {
    const response = await admin.send<AdminProduct>('PATCH', `/v1/admin/products/${product.id}`, {
      ...body,
      version: product.version,
    });
    expect(response.status).toBe(200);
    return response.body;
  };

  it('a renamed product is found by its new word and no longer by its old one', async () => {
    const [before, after] = [word('quillon'), word('tabard')];
    let product = await admin.createProduct({ title: `Marlowe ${before} Coat` });
    expect(await search(before)).toEqual([product.id]);

    product = await patch(product, { title: `Marlowe ${after} Coat` });
    expect(await search(after)).toEqual([product.id]);
    expect(await search(after.slice(0, 5))).toContain(product.id);
    expect(await search(before)).toEqual([]);
    expect(await search(before.slice(0, 7))).toEqual([]);
  });

  it('a new description is searched, the old one not; a new price moves the price filter', async () => {
    const [before, after] = [word('gossamer'), word('brocade')];
    let product = await admin.createProduct({ description: `<p>Woven from ${before}.</p>` });
    expect(await search(before)).toEqual([product.id]);

    product = await patch(product, { description: `<p>Woven from <b>${after}</b>.</p>` });
    expect(await search(after)).toEqual([product.id]);
    expect(await search(before)).toEqual([]);

    // Variants cost 1000 and 1200: the index rows carry the product's price range.
    expect(await found(`q=${after}&maxPrice=999`)).toEqual([]);
    expect(await found(`q=${after}&maxPrice=1000`)).toEqual([product.id]);
    for (const variant of product.variants) {
      const response = await admin.send('PATCH', `/v1/admin/products/${product.id}/variants/${variant.id}`, {
        price: 500,
        version: variant.version,
      });
      expect(response.status).toBe(200);
    }
    expect(await found(`q=${after}&maxPrice=500`)).toEqual([product.id]);
    expect(await found(`q=${after}&minPrice=600`)).toEqual([]);
  });

  it('an archived product is not found; a draft is found once it is activated', async () => {
    const [archived, drafted] = [word('pelisse'), word('doublet')];
    const gone = await admin.createProduct({ title: `Old ${archived}` });
    expect(await search(archived)).toEqual([gone.id]);
    expect((await admin.send('POST', `/v1/admin/products/${gone.id}/archive`)).status).toBe(200);
    expect(await search(archived)).toEqual([]);

    const draft = await admin.createProduct({ title: `New ${drafted}`, status: 'draft' });
    expect(await search(drafted)).toEqual([]);
    await patch(draft, { status: 'active' });
    expect(await search(drafted)).toEqual([draft.id]);
  });

  it('finds words whatever their accents and case, every word required, title matches first', async () => {
    const stem = word('brulee');
    const inTitle = await admin.createProduct({ title: `Crème ${stem} Set` });
    const inDescription = await admin.createProduct({
      title: `Ramekins ${uniqueSuffix()}`,
      description: `<p>For crème ${stem} at home.</p>`,
    });
    const longerTitle = await admin.createProduct({ title: `Crème ${stem} Set with Torch` });
    expect(await search(`CREME ${stem.toUpperCase()}`)).toEqual([
      inTitle.id,
      longerTitle.id,
      inDescription.id,
    ]);
    expect(await search(`crèm ${stem.slice(0, 6)}`)).toEqual([inTitle.id, longerTitle.id, inDescription.id]);
    expect(await search(`torch ${stem}`)).toEqual([longerTitle.id]);
    expect(await search(`${stem} ramekins`)).toEqual([inDescription.id]);
    expect(await search(`${stem} ${word('nothing')}`)).toEqual([]);
  });

  it('a CSV import indexes what it creates and re-indexes what it renames', async () => {
    const [before, after] = [word('jerkin'), word('surcoat')];
    const slug = `import-search-${uniqueSuffix()}`;
    const sku = `IMP-${uniqueSuffix()}`;
    const importCsv = async (title: string) => {
      const csv = `product_slug,product_title,product_status,sku,price\n${slug},${title},active,${sku},1500\n`;
      const accepted = await request<{ id: string }>(`${api.baseUrl}/v1/admin/imports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'text/csv' },
        body: csv,
      });
      expect(accepted.status).toBe(202);
      const started = Date.now();
      for (;;) {
        const job = await admin.send<{ state: string }>('GET', `/v1/admin/jobs/${accepted.body.id}`);
        if (job.body.state === 'completed') return;
        if (job.body.state === 'failed' || Date.now() - started > 30_000)
          throw new Error(`import job ${job.body.state}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await importCsv(`Imported ${before}`);
    const [id] = await search(before);
    expect(id).toBeDefined();

    await importCsv(`Imported ${after}`);
    expect(await search(after)).toEqual([id]);
    expect(await search(before)).toEqual([]);
  });
});
