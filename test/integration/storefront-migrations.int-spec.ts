import { loadConfig, withOverrides } from '@app/config';
import { buildDataSourceOptions, dropDatabase, ensureDatabase } from '@app/database';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../src/database/migrations';
import { StorefrontReadModel1795496321313 } from '../../src/database/migrations/1795496321313-StorefrontReadModel';
import { StorefrontMapping } from '../../src/modules/catalog/storefront/storefront-mapping';
import { refreshStorefront } from '../../src/modules/catalog/storefront/storefront-projection.service';
import { StorefrontRepository } from '../../src/modules/catalog/storefront/storefront.repository';

/**
 * The storefront read model's migrations are frozen (they import no app code): the entries that the
 * backfill of StorefrontReadModel wrote, carried through every later migration (StorefrontMoneyShape),
 * must equal what today's projection renders for the same catalog. A catalog that existed before the
 * read model is built with SQL at that schema version, then the remaining migrations run.
 */
describe('frozen storefront migrations on real MySQL', () => {
  const config = withOverrides(loadConfig(), {
    database: { name: `sk_migr_${randomBytes(4).toString('hex')}`, poolSize: 2 },
  });
  const boundary = MIGRATIONS.indexOf(StorefrontReadModel1795496321313);
  let db: DataSource;

  const migrate = async (migrations: Function[]): Promise<void> => {
    const source = new DataSource({ ...buildDataSourceOptions(config.database), migrations });
    await source.initialize();
    try {
      await source.runMigrations({ transaction: 'each' });
    } finally {
      await source.destroy();
    }
  };

  beforeAll(async () => {
    expect(boundary).toBeGreaterThan(0);
    await ensureDatabase(config.database);
    await migrate(MIGRATIONS.slice(0, boundary));
    db = new DataSource(buildDataSourceOptions(config.database));
    await db.initialize();
  });
  afterAll(async () => {
    await db?.destroy();
    await dropDatabase(config.database);
  });

  /** A product as the schema before the read model stores it: two variants, one in stock, two categories. */
  async function productBeforeReadModel(title: string, status = 'active'): Promise<string> {
    const id = randomUUID();
    const slug = `${title.toLowerCase().replace(/\W+/g, '-')}-${id.slice(0, 8)}`;
    await db.query(
      `INSERT INTO products (id, slug, title, description, search_text, status, attributes, options, images, min_price, max_price)
       VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, 1999, 2499)`,
      [
        id,
        slug,
        title,
        `<p>${title} "quoted", with a comma</p>`,
        status,
        JSON.stringify({ material: 'wool' }),
        JSON.stringify([{ name: 'Size', values: ['S', 'M'] }]),
        JSON.stringify([{ url: 'https://img.example/a.jpg', alt: title }]),
      ],
    );
    const location = randomUUID();
    await db.query(`INSERT INTO stock_locations (id, code, name) VALUES (?, ?, 'Main')`, [
      location,
      `L${id.slice(0, 8)}`,
    ]);
    for (const [position, size, price, compareAt, onHand] of [
      [1, 'M', 2499, null, 0],
      [0, 'S', 1999, 2999, 5],
    ] as const) {
      const variant = randomUUID();
      await db.query(
        `INSERT INTO product_variants (id, product_id, sku, title, option_values, price, compare_at_price, position)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [variant, id, `${slug}-${size}`, size, JSON.stringify({ Size: size }), price, compareAt, position],
      );
      await db.query(`INSERT INTO inventory_levels (variant_id, location_id, on_hand) VALUES (?, ?, ?)`, [
        variant,
        location,
        onHand,
      ]);
    }
    for (const name of ['Winter', 'Knitwear']) {
      const category = randomUUID();
      await db.query(`INSERT INTO categories (id, slug, name, path) VALUES (?, ?, ?, ?)`, [
        category,
        `${name.toLowerCase()}-${category.slice(0, 8)}`,
        name,
        `/${category}`,
      ]);
      await db.query(`INSERT INTO product_categories (product_id, category_id) VALUES (?, ?)`, [
        id,
        category,
      ]);
    }
    return id;
  }

  async function entries(ids: string[]): Promise<Map<string, { summary: unknown; detail: unknown }>> {
    const rows = await db.query<Array<{ product_id: string; summary: string; detail: string }>>(
      'SELECT product_id, summary, detail FROM storefront_products WHERE product_id IN (?)',
      [ids],
    );
    return new Map(
      rows.map((row) => [
        row.product_id,
        { summary: JSON.parse(row.summary), detail: JSON.parse(row.detail) },
      ]),
    );
  }

  it('backfills the catalog that existed, and the later migrations bring it to what the app renders', async () => {
    const shown = [await productBeforeReadModel('Scarf'), await productBeforeReadModel('Mittens')];
    const draft = await productBeforeReadModel('Hidden hat', 'draft');

    await migrate(MIGRATIONS);

    const migrated = await entries([...shown, draft]);
    expect([...migrated.keys()].sort()).toEqual([...shown].sort());

    // Today's projection of the same rows, written over the migrated entries.
    await db.transaction((manager) =>
      refreshStorefront(
        manager,
        new StorefrontRepository(),
        new StorefrontMapping(config.catalog.currency),
        shown,
      ),
    );
    const rendered = await entries(shown);
    for (const id of shown) expect(migrated.get(id)).toEqual(rendered.get(id));
    // The entry is not trivially empty: it carries what the shopper sees.
    expect(rendered.get(shown[0])?.detail).toMatchObject({
      title: 'Scarf',
      inStock: true,
      categories: [{ name: 'Knitwear' }, { name: 'Winter' }],
    });
  });
});
