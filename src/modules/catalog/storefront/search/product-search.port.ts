import type { EntityManager } from 'typeorm';
import type { ProductSort } from '../../dto/list-products.query.dto';

/** A list page's row: the position it sorts at and its serialised entry from the read model. */
export interface PageRow {
  id: string;
  /** The value the list is sorted by (cursor position with the id). */
  sortKey: string | number | null;
  summary: string;
}

/** A storefront list page: its filters, order and cursor position. */
export interface StorefrontQuery {
  /** Search terms (see queryTerms): every one must be a prefix of one of the product's words. */
  terms?: string[];
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

/**
 * Where the storefront's text search runs. The provider bound in CatalogModule is MariaDB's own index
 * (StorefrontRepository over product_search_terms, which refreshStorefront rewrites in the transaction of
 * every storefront change, so a search never sees a product's old words). An external engine
 * (Meilisearch, OpenSearch) would implement this too, answering the same page for the same query — every
 * term a prefix of one of the product's words, the filters, the order and the cursor position — and be
 * fed from the outbox job each catalog change already writes (catalog:invalidate), after the commit.
 */
export interface ProductSearch {
  /**
   * Up to `query.limit` rows of visible products carrying every term, in the query's order after its
   * cursor position. `manager` is the database session the page is read in (a replica's, when caught up).
   */
  search(manager: EntityManager, query: StorefrontQuery & { terms: string[] }): Promise<PageRow[]>;
}

export const PRODUCT_SEARCH = Symbol('PRODUCT_SEARCH');
