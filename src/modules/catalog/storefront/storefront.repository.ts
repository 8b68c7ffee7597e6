import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';
import type { ProductImage, ProductOption } from '../entities/product.entity';
import type { ProductSort } from '../dto/list-products.query.dto';
import type { PageRow, ProductSearch, StorefrontQuery } from './search/product-search.port';
import type { IndexedTerm } from './search/search-terms';

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

/** A product as the projection reads it: its page, and the text its search terms come from. */
export interface ProjectionRow extends ProductDetailRow {
  searchText: string;
}

/** A product's search index rows: the prefixes of its words with its rank for each (see searchIndexTerms). */
export interface SearchDocument {
  productId: string;
  minPrice: number;
  maxPrice: number;
  terms: IndexedTerm[];
}

/** Search term rows ([product_id, term, relevance, …]) in the order of the (product_id, stamp) index. */
function byIndexOrder(a: unknown[], b: unknown[]): number {
  const [productA, termA, relevanceA] = a as [string, string, number];
  const [productB, termB, relevanceB] = b as [string, string, number];
  return productA < productB
    ? -1
    : productA > productB
      ? 1
      : termA < termB
        ? -1
        : termA > termB
          ? 1
          : relevanceA - relevanceB;
}

/** Rows per INSERT of search terms (a product has about a hundred). */
const TERM_INSERT_CHUNK = 5_000;

/** A level counts when its location serves reservations and has stock not yet held for someone. */
const IN_STOCK = `EXISTS (SELECT 1 FROM inventory_levels l JOIN stock_locations sl ON sl.id = l.location_id
                           WHERE l.variant_id = v.id AND sl.active = 1 AND l.on_hand > l.reserved)`;

/** Active variants of product `ref` as one JSON array: the page needs no query per product. */
const VARIANTS_JSON = (ref: string) => `(SELECT JSON_ARRAYAGG(JSON_OBJECT(
    'id', v.id, 'sku', v.sku, 'title', v.title, 'optionValues', v.option_values, 'price', v.price,
    'compareAtPrice', v.compare_at_price, 'position', v.position, 'inStock', ${IN_STOCK}))
  FROM product_variants v WHERE v.product_id = ${ref} AND v.status = 'active')`;

const SORTS: Record<ProductSort, { key: string; direction: 'ASC' | 'DESC' }> = {
  relevance: { key: 't.relevance', direction: 'DESC' },
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
export class StorefrontRepository implements ProductSearch {
  async search(manager: EntityManager, search: StorefrontQuery): Promise<PageRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    // With terms, the candidates come from the search index (t: product_id, relevance, price range) — one
    // B-tree range per term, holding only products the storefront shows. One term: its rows are read
    // best-ranked first, so a relevance page stops after `limit` rows that pass the filters. Several: a
    // product must carry them all, ranked by its lowest (see searchIndexTerms). Without terms, every
    // product is a candidate.
    const terms = search.terms;
    let from = 'products p';
    const fromParams: unknown[] = [];
    if (terms === undefined) {
      where.push("p.status = 'active'", 'p.min_price IS NOT NULL');
    } else if (terms.length === 1) {
      from = 'product_search_terms t';
      where.push('t.term = ?');
      params.push(terms[0]);
    } else {
      from = `(SELECT product_id, MIN(relevance) AS relevance, MAX(min_price) AS min_price,
                      MAX(max_price) AS max_price
                 FROM product_search_terms WHERE term IN (?) GROUP BY product_id HAVING COUNT(*) = ?) t`;
      fromParams.push(terms, terms.length);
    }
    const id = terms === undefined ? 'p.id' : 't.product_id';
    // A search's rows carry the price range: its bounds and price order need no product row per candidate.
    const prices = terms === undefined ? 'p' : 't';
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
      where.push(`${prices}.min_price <= ?`);
      params.push(search.maxPrice);
    }
    if (search.minPrice !== undefined) {
      where.push(`${prices}.max_price >= ?`);
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
    // Relevance ranks only a search (StorefrontService sorts a list without terms newest first).
    const key =
      sort.key === 't.relevance' && terms === undefined
        ? 'NULL'
        : sort.key.replace('p.min_price', `${prices}.min_price`);
    const comparator = sort.direction === 'ASC' ? '>' : '<';
    if (search.after) {
      if (key === 'NULL') {
        where.push(`${id} ${comparator} ?`);
        params.push(search.after.id);
      } else {
        where.push(`(${key} ${comparator} ? OR (${key} = ? AND ${id} ${comparator} ?))`);
        params.push(search.after.key, search.after.key, search.after.id);
      }
    }
    const order =
      key === 'NULL' ? `${id} ${sort.direction}` : `${key} ${sort.direction}, ${id} ${sort.direction}`;
    // A search joins the product row only for what the index rows lack (category, variants, title order).
    // The index drives: left to choose, the optimizer may scan products by a price bound instead and
    // look every one up in the index (3,000 lookups where 40 rows in rank order suffice).
    let join = '';
    const needsProduct =
      search.category !== undefined || variantConditions.length > 0 || key.startsWith('p.');
    if (terms !== undefined && needsProduct) {
      from = `${from} JOIN products p ON p.id = t.product_id`;
      join = 'STRAIGHT_JOIN ';
    }

    // The page is chosen first (a derived table with its LIMIT, sorting only ids and keys), then its
    // serialised entries are joined: the stored JSON is read for the page's rows, never for every match.
    // `min_price IS NOT NULL` with `active` is exactly when a product has a read-model entry (and rows in
    // the search index).
    const rows = await manager.query<Array<{ id: string; sort_key: unknown; summary: string }>>(
      `SELECT page.id, page.sort_key, sp.summary
         FROM (SELECT ${join}${id} AS id, ${key} AS sort_key
                 FROM ${from}
                WHERE ${where.join(' AND ') || 'TRUE'}
                ORDER BY ${order}
                LIMIT ?) page
         JOIN storefront_products sp ON sp.product_id = page.id
        ORDER BY ${key === 'NULL' ? `page.id ${sort.direction}` : `page.sort_key ${sort.direction}, page.id ${sort.direction}`}`,
      [...fromParams, ...params, search.limit],
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
  async loadForProjection(manager: EntityManager, productIds: string[]): Promise<ProjectionRow[]> {
    if (productIds.length === 0) return [];
    const rows = await manager.query<Array<Record<string, unknown>>>(
      `SELECT p.id, p.slug, p.title, p.description, p.search_text, p.attributes, p.options, p.images, p.min_price, p.max_price,
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
      searchText: row.search_text as string,
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

  /**
   * Replaces the search index rows of these products: `documents` for the visible ones, none for the
   * others. Upserted under a new stamp, then the rows of older stamps deleted — never a delete first: for a
   * new product that would lock the gap its rows go into, and two creators doing so deadlock (as above).
   * The stamp is a hash of what is written, so the same catalog always gives the same rows (the seed is
   * reproducible); the same stamp as before means the same rows as before.
   */
  async replaceSearchTerms(
    manager: EntityManager,
    productIds: string[],
    documents: SearchDocument[],
  ): Promise<void> {
    if (productIds.length === 0) return;
    const stamp = createHash('sha256')
      .update(JSON.stringify([productIds, documents]))
      .digest()
      .readUInt32BE();
    // In the (product_id, stamp) index's order: each row then goes after the ones this write inserted
    // before it. The DELETE below of the product just before this one in that index reads one row past its
    // own, which is this write's first row, and waits for this transaction; a row inserted before that one
    // would then wait for the DELETE's lock, and the two deadlocked (catalog.e2e, many staff creating
    // products at once: time-ordered ids put new products side by side at the end of the index).
    const rows = documents
      .flatMap((document) =>
        document.terms.map((term) => [
          document.productId,
          term.term,
          term.relevance,
          document.minPrice,
          document.maxPrice,
          stamp,
        ]),
      )
      .sort(byIndexOrder);
    for (let start = 0; start < rows.length; start += TERM_INSERT_CHUNK)
      await manager.query(
        `INSERT INTO product_search_terms (product_id, term, relevance, min_price, max_price, stamp) VALUES ?
           ON DUPLICATE KEY UPDATE min_price = VALUES(min_price), max_price = VALUES(max_price),
                                   stamp = VALUES(stamp)`,
        [rows.slice(start, start + TERM_INSERT_CHUNK)],
      );
    await manager.query('DELETE FROM product_search_terms WHERE product_id IN (?) AND stamp <> ?', [
      productIds,
      stamp,
    ]);
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
