import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { ProductImage, ProductOption } from '../entities/product.entity';
import type { ProductSort } from '../dto/list-products.query.dto';

export interface StorefrontVariantRow {
  id: string;
  sku: string;
  title: string;
  optionValues: Record<string, string>;
  price: number;
  compareAtPrice: number | null;
  position: number;
  inStock: boolean;
}

export interface ProductSummaryRow {
  id: string;
  slug: string;
  title: string;
  images: ProductImage[];
  minPrice: number;
  maxPrice: number;
  variants: StorefrontVariantRow[];
}

/** A list page's row: the position it sorts at and its serialised entry from the read model. */
export interface PageRow {
  id: string;
  /** The value the list is sorted by (cursor position with the id). */
  sortKey: string | number | null;
  summary: string;
}

export interface ProductDetailRow extends ProductSummaryRow {
  description: string;
  attributes: Record<string, string>;
  options: ProductOption[];
  categories: Array<{ id: string; slug: string; name: string }>;
}

export interface CategoryRow {
  id: string;
  parentId: string | null;
  slug: string;
  name: string;
  position: number;
}

export interface ProductSearch {
  /** A MySQL BOOLEAN MODE expression (built from the shopper's words), or absent. */
  fullText?: string;
  /** A category slug or id: it and its descendants. */
  category?: string;
  minPrice?: number;
  maxPrice?: number;
  inStock?: boolean;
  /** Option name → accepted values (alternatives); every option must match the same variant. */
  options: Map<string, string[]>;
  sort: ProductSort;
  after?: { key: string | null; id: string };
  limit: number;
}

/** A level counts when its location serves reservations and has stock not yet held for someone. */
const IN_STOCK = `EXISTS (SELECT 1 FROM inventory_levels l JOIN stock_locations sl ON sl.id = l.location_id
                           WHERE l.variant_id = v.id AND sl.active = 1 AND l.on_hand > l.reserved)`;

/** Active variants of product `ref` as one JSON array: the page needs no query per product. */
const VARIANTS_JSON = (ref: string) => `(SELECT JSON_ARRAYAGG(JSON_OBJECT(
    'id', v.id, 'sku', v.sku, 'title', v.title, 'optionValues', v.option_values, 'price', v.price,
    'compareAtPrice', v.compare_at_price, 'position', v.position, 'inStock', ${IN_STOCK}))
  FROM product_variants v WHERE v.product_id = ${ref} AND v.status = 'active')`;

const SORTS: Record<ProductSort, { key: string; direction: 'ASC' | 'DESC' }> = {
  relevance: { key: 'relevance', direction: 'DESC' },
  newest: { key: 'NULL', direction: 'DESC' },
  price_asc: { key: 'p.min_price', direction: 'ASC' },
  price_desc: { key: 'p.min_price', direction: 'DESC' },
  title: { key: 'p.title', direction: 'ASC' },
};

/** MariaDB returns JSON as text, MySQL as parsed values. */
function json<T>(value: unknown, fallback: T): T {
  if (value === null || value === undefined) return fallback;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

function toVariants(value: unknown): StorefrontVariantRow[] {
  const variants = json<Array<Omit<StorefrontVariantRow, 'inStock'> & { inStock: unknown }>>(value, []);
  return variants
    .map((variant) => ({
      ...variant,
      price: Number(variant.price),
      compareAtPrice: variant.compareAtPrice === null ? null : Number(variant.compareAtPrice),
      inStock: Number(variant.inStock) === 1 || variant.inStock === true,
    }))
    .sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : 1));
}

/**
 * The storefront's reads and its read model. A read is a single SQL statement however many products
 * or variants it returns (the entries are stored serialised), so a page never costs N+1 queries.
 * Reads take the manager of the server they run on (StorefrontService reads a replica when there is one).
 */
@Injectable()
export class StorefrontRepository {
  async search(manager: EntityManager, search: ProductSearch): Promise<PageRow[]> {
    const where: string[] = ["p.status = 'active'", 'p.min_price IS NOT NULL'];
    const params: unknown[] = [];
    const selectParams: unknown[] = [];
    let relevance = 'NULL';
    if (search.fullText !== undefined) {
      // Relevance from the product alone — a title match above a description match, then the shorter
      // (more specific) title — never from corpus statistics: TF-IDF scores move whenever any product
      // changes, and a cursor position in a moving score would repeat and skip products.
      relevance = `(CASE WHEN MATCH(p.title) AGAINST (? IN BOOLEAN MODE) > 0 THEN 1000 ELSE 0 END
                    + 999 - LEAST(CHAR_LENGTH(p.title), 999))`;
      selectParams.push(search.fullText);
      where.push('MATCH(p.title, p.search_text) AGAINST (? IN BOOLEAN MODE)');
      params.push(search.fullText);
    }
    if (search.category !== undefined) {
      where.push(`EXISTS (SELECT 1 FROM product_categories pc JOIN categories c ON c.id = pc.category_id
                           WHERE pc.product_id = p.id
                             AND c.path LIKE CONCAT((SELECT root.path FROM categories root
                                                      WHERE root.slug = ? OR root.id = ? LIMIT 1), '%'))`);
      params.push(search.category, search.category);
    }
    // Price bounds first on the product's own range (indexed columns, no variant lookup): with one
    // bound that is exact; with both, or with other variant filters, one variant must satisfy all.
    if (search.maxPrice !== undefined) {
      where.push('p.min_price <= ?');
      params.push(search.maxPrice);
    }
    if (search.minPrice !== undefined) {
      where.push('p.max_price >= ?');
      params.push(search.minPrice);
    }
    const variantConditions: string[] = [];
    const samePrice =
      (search.minPrice !== undefined && search.maxPrice !== undefined) ||
      search.options.size > 0 ||
      search.inStock;
    if (samePrice && search.minPrice !== undefined) {
      variantConditions.push('v.price >= ?');
      params.push(search.minPrice);
    }
    if (samePrice && search.maxPrice !== undefined) {
      variantConditions.push('v.price <= ?');
      params.push(search.maxPrice);
    }
    for (const [name, values] of search.options) {
      variantConditions.push(
        'EXISTS (SELECT 1 FROM variant_option_values o WHERE o.variant_id = v.id AND o.name = ? AND o.value IN (?))',
      );
      params.push(name, values);
    }
    if (search.inStock) variantConditions.push(IN_STOCK);
    if (variantConditions.length > 0) {
      where.push(`EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = p.id AND v.status = 'active'
                           AND ${variantConditions.join(' AND ')})`);
    }

    const sort = SORTS[search.sort];
    const keyExpression = sort.key === 'relevance' ? relevance : sort.key;
    const keyParams = sort.key === 'relevance' ? selectParams : [];
    const comparator = sort.direction === 'ASC' ? '>' : '<';
    if (search.after) {
      if (sort.key === 'NULL') {
        where.push(`p.id ${comparator} ?`);
        params.push(search.after.id);
      } else {
        where.push(`(${keyExpression} ${comparator} ? OR (${keyExpression} = ? AND p.id ${comparator} ?))`);
        params.push(...keyParams, search.after.key, ...keyParams, search.after.key, search.after.id);
      }
    }
    const order =
      sort.key === 'NULL'
        ? `p.id ${sort.direction}`
        : `${keyExpression} ${sort.direction}, p.id ${sort.direction}`;

    // The page is chosen first (a derived table with its LIMIT, sorting only ids and keys), then its
    // serialised entries are joined: the stored JSON is read for the page's rows, never for every match.
    // `min_price IS NOT NULL` with `active` is exactly when a product has a read-model entry.
    const rows = await manager.query<Array<{ id: string; sort_key: unknown; summary: string }>>(
      `SELECT page.id, page.sort_key, sp.summary
         FROM (SELECT p.id, ${keyExpression} AS sort_key
                 FROM products p
                WHERE ${where.join(' AND ')}
                ORDER BY ${order}
                LIMIT ?) page
         JOIN storefront_products sp ON sp.product_id = page.id
        ORDER BY ${sort.key === 'NULL' ? `page.id ${sort.direction}` : `page.sort_key ${sort.direction}, page.id ${sort.direction}`}`,
      [...keyParams, ...params, ...(sort.key === 'NULL' ? [] : keyParams), search.limit],
    );
    return rows.map((row) => ({
      id: row.id,
      sortKey: row.sort_key === null || row.sort_key === undefined ? null : (row.sort_key as string | number),
      summary: row.summary,
    }));
  }

  /** The serialised page of a visible product, or null. */
  async findDetail(manager: EntityManager, idOrSlug: string, byId: boolean): Promise<string | null> {
    const rows = await manager.query<Array<{ detail: string }>>(
      byId
        ? 'SELECT detail FROM storefront_products WHERE product_id = ?'
        : 'SELECT sp.detail FROM products p JOIN storefront_products sp ON sp.product_id = p.id WHERE p.slug = ?',
      [idOrSlug],
    );
    return rows[0]?.detail ?? null;
  }

  /** Everything the read model holds for these products, for those the storefront may show. */
  async loadForProjection(manager: EntityManager, productIds: string[]): Promise<ProductDetailRow[]> {
    if (productIds.length === 0) return [];
    const rows = await manager.query<Array<Record<string, unknown>>>(
      `SELECT p.id, p.slug, p.title, p.description, p.attributes, p.options, p.images, p.min_price, p.max_price,
              ${VARIANTS_JSON('p.id')} AS variants,
              (SELECT JSON_ARRAYAGG(JSON_OBJECT('id', c.id, 'slug', c.slug, 'name', c.name))
                 FROM product_categories pc JOIN categories c ON c.id = pc.category_id
                WHERE pc.product_id = p.id) AS categories
         FROM products p
        WHERE p.id IN (?) AND p.status = 'active' AND p.min_price IS NOT NULL`,
      [productIds],
    );
    return rows.map((row) => ({
      id: row.id as string,
      slug: row.slug as string,
      title: row.title as string,
      description: row.description as string,
      attributes: json<Record<string, string>>(row.attributes, {}),
      options: json<ProductOption[]>(row.options, []),
      images: json<ProductImage[]>(row.images, []),
      minPrice: Number(row.min_price),
      maxPrice: Number(row.max_price),
      variants: toVariants(row.variants),
      categories: json<Array<{ id: string; slug: string; name: string }>>(row.categories, []).sort((a, b) =>
        a.name.localeCompare(b.name),
      ),
    }));
  }

  /**
   * Replaces the read model of these products: visible ones get `entries`, the others none. Visible
   * entries are upserted rather than deleted and inserted: deleting a key that is not there (a new
   * product) takes a gap lock, and two creators each holding one while inserting deadlock.
   */
  async replaceEntries(
    manager: EntityManager,
    productIds: string[],
    entries: Array<{ productId: string; summary: string; detail: string }>,
  ): Promise<void> {
    const visible = new Set(entries.map((entry) => entry.productId));
    const hidden = productIds.filter((id) => !visible.has(id));
    if (hidden.length > 0)
      await manager.query('DELETE FROM storefront_products WHERE product_id IN (?)', [hidden]);
    if (entries.length > 0)
      await manager.query(
        `INSERT INTO storefront_products (product_id, summary, detail) VALUES ?
           ON DUPLICATE KEY UPDATE summary = VALUES(summary), detail = VALUES(detail)`,
        [entries.map((entry) => [entry.productId, entry.summary, entry.detail])],
      );
  }

  async productIdsStockedAt(manager: EntityManager, locationId: string): Promise<string[]> {
    const rows = await manager.query<Array<{ product_id: string }>>(
      `SELECT DISTINCT v.product_id FROM inventory_levels l JOIN product_variants v ON v.id = l.variant_id
        WHERE l.location_id = ?`,
      [locationId],
    );
    return rows.map((row) => row.product_id);
  }

  async productIdsInCategory(manager: EntityManager, categoryId: string): Promise<string[]> {
    const rows = await manager.query<Array<{ product_id: string }>>(
      'SELECT product_id FROM product_categories WHERE category_id = ?',
      [categoryId],
    );
    return rows.map((row) => row.product_id);
  }

  categories(manager: EntityManager): Promise<CategoryRow[]> {
    return manager.query<CategoryRow[]>(
      'SELECT id, parent_id AS parentId, slug, name, position FROM categories ORDER BY position, name, id',
    );
  }
}
