import { decodeCursor, encodeCursor, InvalidCursorError } from '@app/common';
import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { CachedBody, CatalogCache } from './catalog-cache';
import type { CategoryTreeNodeDto } from './dto/category.dto';
import type { ListProductsQueryDto, ProductSort } from './dto/list-products.query.dto';
import type {
  MoneyDto,
  ProductDetailDto,
  ProductPageDto,
  ProductSummaryDto,
  StorefrontVariantDto,
} from './dto/product.response.dto';
import { ProductNotFoundError } from './catalog.errors';
import { toFullTextQuery } from './full-text-query';
import {
  CategoryRow,
  ProductDetailRow,
  ProductSummaryRow,
  StorefrontRepository,
  StorefrontVariantRow,
} from './storefront.repository';

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The public catalog: what shoppers may see (active products), cached and served as ready JSON. */
@Injectable()
export class StorefrontService {
  constructor(
    private readonly storefront: StorefrontRepository,
    private readonly cache: CatalogCache,
    private readonly config: AppConfig,
  ) {}

  list(query: ListProductsQueryDto): Promise<CachedBody> {
    const sort: ProductSort = query.sort ?? (query.q ? 'relevance' : 'newest');
    // Relevance needs words to rank by; without them the list is newest first.
    const effectiveSort: ProductSort = sort === 'relevance' && !query.q ? 'newest' : sort;
    const after = query.cursor ? this.decodePosition(query.cursor, effectiveSort) : undefined;
    const entry = `products:${createHash('sha1')
      .update(
        JSON.stringify([
          query.q,
          query.category,
          query.minPrice,
          query.maxPrice,
          query.inStock,
          [...(query.option ?? [])].sort(),
          effectiveSort,
          query.cursor,
          query.limit,
        ]),
      )
      .digest('base64url')}`;
    return this.cache.read(entry, () => this.loadPage(query, effectiveSort, after));
  }

  detail(idOrSlug: string): Promise<CachedBody> {
    // Only a possible id or slug reaches the cache and the database (keys stay short and few).
    if (!UUID.test(idOrSlug) && !(idOrSlug.length <= 120 && SLUG.test(idOrSlug)))
      return Promise.reject(new ProductNotFoundError(idOrSlug.slice(0, 120)));
    return this.cache.read(`product:${idOrSlug}`, async () => {
      const row = await this.storefront.findVisible(idOrSlug, UUID.test(idOrSlug));
      if (!row) throw new ProductNotFoundError(idOrSlug);
      return this.toDetail(row);
    });
  }

  categoryTree(): Promise<CachedBody> {
    return this.cache.read('categories', async () => ({
      data: buildTree(await this.storefront.categories()),
    }));
  }

  private async loadPage(
    query: ListProductsQueryDto,
    sort: ProductSort,
    after: { key: string | null; id: string } | undefined,
  ): Promise<ProductPageDto> {
    let fullText: string | undefined;
    if (query.q !== undefined) {
      const expression = toFullTextQuery(query.q);
      if (expression === null) return { data: [], nextCursor: null };
      fullText = expression;
    }
    const options = new Map<string, string[]>();
    for (const filter of query.option ?? []) {
      const separator = filter.indexOf(':');
      const name = filter.slice(0, separator);
      options.set(name, [...(options.get(name) ?? []), filter.slice(separator + 1)]);
    }
    const rows = await this.storefront.search({
      fullText,
      category: query.category,
      minPrice: query.minPrice,
      maxPrice: query.maxPrice,
      inStock: query.inStock,
      options,
      sort,
      after,
      limit: query.limit + 1,
    });
    const hasMore = rows.length > query.limit;
    const page = hasMore ? rows.slice(0, query.limit) : rows;
    const last = page[page.length - 1];
    return {
      data: page.map((row) => this.toSummary(row)),
      nextCursor: hasMore
        ? encodeCursor({ s: sort, k: last.sortKey === null ? '' : String(last.sortKey), id: last.id })
        : null,
    };
  }

  /** A cursor is bound to the sort it was issued for: another sort's position means nothing here. */
  private decodePosition(cursor: string, sort: ProductSort): { key: string | null; id: string } {
    const position = decodeCursor(cursor, ['s', 'k', 'id']);
    if (position.s !== sort || !UUID.test(position.id)) throw new InvalidCursorError();
    return { key: sort === 'newest' ? null : position.k, id: position.id };
  }

  private money(amount: number): MoneyDto {
    return { amount, currency: this.config.catalog.currency };
  }

  private toVariant(variant: StorefrontVariantRow): StorefrontVariantDto {
    return {
      id: variant.id,
      sku: variant.sku,
      title: variant.title,
      optionValues: variant.optionValues,
      price: this.money(variant.price),
      compareAtPrice: variant.compareAtPrice === null ? null : this.money(variant.compareAtPrice),
      inStock: variant.inStock,
    };
  }

  private toSummary(row: ProductSummaryRow): ProductSummaryDto {
    return {
      id: row.id,
      slug: row.slug,
      title: row.title,
      image: row.images[0] ?? null,
      priceRange: { min: this.money(row.minPrice), max: this.money(row.maxPrice) },
      inStock: row.variants.some((variant) => variant.inStock),
      variants: row.variants.map((variant) => this.toVariant(variant)),
    };
  }

  private toDetail(row: ProductDetailRow): ProductDetailDto {
    return {
      ...this.toSummary(row),
      description: row.description,
      attributes: row.attributes,
      options: row.options,
      images: row.images,
      categories: row.categories,
    };
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
