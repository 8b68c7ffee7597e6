import { decodeCursor, encodeCursor, InvalidCursorError } from '@app/common';
import { ReplicaReads } from '@app/database';
import { Inject, Injectable } from '@nestjs/common';
import { CachedBody, CatalogCache } from '../cache/catalog.cache';
import type { CategoryTreeNodeDto } from '../dto/category.dto';
import type { ListProductsQueryDto, ProductSort } from '../dto/list-products.query.dto';
import { ProductNotFoundError } from '../catalog.errors';
import { PRODUCT_SEARCH, type ProductSearch, type StorefrontQuery } from './search/product-search.port';
import { queryTerms } from './search/search-terms';
import { CategoryRow, StorefrontRepository } from './storefront.repository';

const EMPTY_PAGE = '{"data":[],"nextCursor":null}';
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The public catalog: what shoppers may see (active products), cached and served as ready JSON. Read
 * from a replica when one is configured, never older than the primary when the read began (the cache
 * files it under the generation read before: see ReplicaReads.current).
 */
@Injectable()
export class StorefrontService {
  constructor(
    private readonly storefront: StorefrontRepository,
    private readonly cache: CatalogCache,
    private readonly reads: ReplicaReads,
    @Inject(PRODUCT_SEARCH) private readonly productSearch: ProductSearch,
  ) {}

  /** `url` is the request's: the response is remembered for it (see StorefrontHitsService). */
  async list(query: ListProductsQueryDto, url: string): Promise<CachedBody> {
    const sort: ProductSort = query.sort ?? (query.q ? 'relevance' : 'newest');
    // Relevance needs words to rank by; without them the list is newest first.
    const effectiveSort: ProductSort = sort === 'relevance' && !query.q ? 'newest' : sort;
    const after = query.cursor ? this.decodePosition(query.cursor, effectiveSort) : undefined;
    // The validated query, canonical, is the key (bounded by the DTO's limits; no hashing per read).
    const entry = `products:${JSON.stringify([
      query.q,
      query.category,
      query.minPrice,
      query.maxPrice,
      query.inStock,
      [...(query.option ?? [])].sort(),
      effectiveSort,
      query.cursor,
      query.limit,
    ])}`;
    return this.remember(url, await this.cache.read(entry, () => this.loadPage(query, effectiveSort, after)));
  }

  async detail(idOrSlug: string, url: string): Promise<CachedBody> {
    // Only a possible id or slug reaches the cache and the database (keys stay short and few).
    const byId = UUID.test(idOrSlug);
    if (!byId && !(idOrSlug.length <= 120 && SLUG.test(idOrSlug)))
      throw new ProductNotFoundError(idOrSlug.slice(0, 120));
    const cached = await this.cache.read(`product:${idOrSlug}`, async () => {
      const detail = await this.reads.current((manager) =>
        this.storefront.findDetail(manager, idOrSlug, byId),
      );
      if (detail === null) throw new ProductNotFoundError(idOrSlug);
      return detail;
    });
    return this.remember(url, cached);
  }

  async categoryTree(url: string): Promise<CachedBody> {
    const cached = await this.cache.read('categories', async () =>
      JSON.stringify({
        data: buildTree(await this.reads.current((manager) => this.storefront.categories(manager))),
      }),
    );
    return this.remember(url, cached);
  }

  private remember(url: string, cached: CachedBody): CachedBody {
    this.cache.rememberUrl(url, cached);
    return cached;
  }

  /** The page as JSON text, assembled from the read model's serialised entries. */
  private async loadPage(
    query: ListProductsQueryDto,
    sort: ProductSort,
    after: { key: string | null; id: string } | undefined,
  ): Promise<string> {
    let terms: string[] | undefined;
    if (query.q !== undefined) {
      const found = queryTerms(query.q);
      if (found === null) return EMPTY_PAGE;
      terms = found;
    }
    const options = new Map<string, string[]>();
    for (const filter of query.option ?? []) {
      const separator = filter.indexOf(':');
      const name = filter.slice(0, separator);
      options.set(name, [...(options.get(name) ?? []), filter.slice(separator + 1)]);
    }
    const search: StorefrontQuery = {
      category: query.category,
      minPrice: query.minPrice,
      maxPrice: query.maxPrice,
      inStock: query.inStock,
      options,
      sort,
      after,
      limit: query.limit + 1,
    };
    const rows = await this.reads.current((manager) =>
      terms === undefined
        ? this.storefront.search(manager, search)
        : this.productSearch.search(manager, { ...search, terms }),
    );
    const hasMore = rows.length > query.limit;
    const page = hasMore ? rows.slice(0, query.limit) : rows;
    const last = page[page.length - 1];
    const nextCursor = hasMore
      ? encodeCursor({ s: sort, k: last.sortKey === null ? '' : String(last.sortKey), id: last.id })
      : null;
    return `{"data":[${page.map((row) => row.summary).join(',')}],"nextCursor":${JSON.stringify(nextCursor)}}`;
  }

  /** A cursor is bound to the sort it was issued for: another sort's position means nothing here. */
  private decodePosition(cursor: string, sort: ProductSort): { key: string | null; id: string } {
    const position = decodeCursor(cursor, ['s', 'k', 'id']);
    if (position.s !== sort || !UUID.test(position.id)) throw new InvalidCursorError();
    return { key: sort === 'newest' ? null : position.k, id: position.id };
  }
}

/** Nests the flat, position-ordered rows into a tree (any depth). */
export function buildTree(rows: CategoryRow[]): CategoryTreeNodeDto[] {
  const nodes = new Map<string, CategoryTreeNodeDto>(
    rows.map((row) => [
      row.id,
      { id: row.id, slug: row.slug, name: row.name, position: row.position, children: [] },
    ]),
  );
  const roots: CategoryTreeNodeDto[] = [];
  for (const row of rows) {
    const node = nodes.get(row.id)!;
    const parent = row.parentId ? nodes.get(row.parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}
