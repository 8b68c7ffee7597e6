import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The storefront read model (storefront_products), filled for the catalog that exists: from here on
 * every write that changes a product's storefront entry rebuilds it in its own transaction.
 *
 * Frozen: the query and the entry shape below are the ones the app had when this migration was
 * written (money as `{amount, currency}` objects; StorefrontMoneyShape rewrites them later), copied
 * here so that what this migration writes never changes with the app's code. The entries stay
 * JSON.stringify text rather than SQL-built JSON because StorefrontMoneyShape edits that exact text
 * (compact, keys in mapping order), which MySQL's JSON functions do not produce. The catalog currency
 * is the one setting it needs: CATALOG_CURRENCY as the app read it then (default EUR).
 */

const BATCH = 500;

type Money = { amount: number; currency: string };
interface VariantRow {
  id: string;
  sku: string;
  title: string;
  optionValues: unknown;
  price: unknown;
  compareAtPrice: unknown;
  position: number;
  inStock: unknown;
}

/** MariaDB returns JSON as text, MySQL as parsed values. */
function json<T>(value: unknown, fallback: T): T {
  if (value === null || value === undefined) return fallback;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

function entries(row: Record<string, unknown>, currency: string): { summary: string; detail: string } {
  const money = (amount: unknown): Money => ({ amount: Number(amount), currency });
  const variants = json<VariantRow[]>(row.variants, [])
    .map((variant) => ({
      ...variant,
      inStock: Number(variant.inStock) === 1 || variant.inStock === true,
    }))
    .sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : 1));
  const images = json<unknown[]>(row.images, []);
  const summary = {
    id: row.id,
    slug: row.slug,
    title: row.title,
    image: images[0] ?? null,
    priceRange: { min: money(row.min_price), max: money(row.max_price) },
    inStock: variants.some((variant) => variant.inStock),
    variants: variants.map((variant) => ({
      id: variant.id,
      sku: variant.sku,
      title: variant.title,
      optionValues: variant.optionValues,
      price: money(variant.price),
      compareAtPrice: variant.compareAtPrice === null ? null : money(variant.compareAtPrice),
      inStock: variant.inStock,
    })),
  };
  const categories = json<Array<{ id: string; slug: string; name: string }>>(row.categories, []).sort(
    (a, b) => a.name.localeCompare(b.name),
  );
  const detail = {
    ...summary,
    description: row.description,
    attributes: json<Record<string, string>>(row.attributes, {}),
    options: json<unknown[]>(row.options, []),
    images,
    categories,
  };
  return { summary: JSON.stringify(summary), detail: JSON.stringify(detail) };
}

export class StorefrontReadModel1795496321313 implements MigrationInterface {
  name = 'StorefrontReadModel1795496321313';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`storefront_products\` (
                \`product_id\` char(36) NOT NULL,
                \`summary\` mediumtext NOT NULL,
                \`detail\` mediumtext NOT NULL,
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                PRIMARY KEY (\`product_id\`)
            ) ENGINE = InnoDB
        `);
    // Migrations run outside the app's validated configuration; this is the value it would have read.
    // eslint-disable-next-line no-restricted-properties
    const currency = process.env.CATALOG_CURRENCY || 'EUR';
    const products = (await queryRunner.query(
      `SELECT id FROM products WHERE status = 'active' ORDER BY id`,
    )) as Array<{ id: string }>;
    for (let start = 0; start < products.length; start += BATCH) {
      const ids = products.slice(start, start + BATCH).map((product) => product.id);
      const rows = (await queryRunner.query(
        `SELECT p.id, p.slug, p.title, p.description, p.attributes, p.options, p.images, p.min_price, p.max_price,
                (SELECT JSON_ARRAYAGG(JSON_OBJECT(
                    'id', v.id, 'sku', v.sku, 'title', v.title, 'optionValues', v.option_values, 'price', v.price,
                    'compareAtPrice', v.compare_at_price, 'position', v.position, 'inStock',
                    EXISTS (SELECT 1 FROM inventory_levels l JOIN stock_locations sl ON sl.id = l.location_id
                             WHERE l.variant_id = v.id AND sl.active = 1 AND l.on_hand > l.reserved)))
                   FROM product_variants v WHERE v.product_id = p.id AND v.status = 'active') AS variants,
                (SELECT JSON_ARRAYAGG(JSON_OBJECT('id', c.id, 'slug', c.slug, 'name', c.name))
                   FROM product_categories pc JOIN categories c ON c.id = pc.category_id
                  WHERE pc.product_id = p.id) AS categories
           FROM products p
          WHERE p.id IN (?) AND p.status = 'active' AND p.min_price IS NOT NULL`,
        [ids],
      )) as Array<Record<string, unknown>>;
      if (rows.length === 0) continue;
      await queryRunner.query('INSERT INTO storefront_products (product_id, summary, detail) VALUES ?', [
        rows.map((row) => {
          const { summary, detail } = entries(row, currency);
          return [row.id, summary, detail];
        }),
      ]);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP TABLE \`storefront_products\`
        `);
  }
}
