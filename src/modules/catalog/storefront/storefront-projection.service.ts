import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { searchIndexTerms } from './search/search-terms';
import { StorefrontMapping } from './storefront-mapping';
import { StorefrontRepository } from './storefront.repository';

const BATCH = 500;

/**
 * Rebuilds the storefront read model of the given products inside the caller's transaction, so the
 * model changes exactly when the data it shows does. Products the storefront may not show (draft,
 * archived, no active variant) lose their entry. The search index (the products' terms) is part of the
 * model and changes with it. Also used by the seed.
 */
export async function refreshStorefront(
  manager: EntityManager,
  repository: Pick<StorefrontRepository, 'loadForProjection' | 'replaceEntries' | 'replaceSearchTerms'>,
  mapping: StorefrontMapping,
  productIds: Iterable<string>,
): Promise<void> {
  const ids = [...new Set(productIds)].sort();
  for (let start = 0; start < ids.length; start += BATCH) {
    const batch = ids.slice(start, start + BATCH);
    const rows = await repository.loadForProjection(manager, batch);
    await repository.replaceEntries(
      manager,
      batch,
      rows.map((row) => ({
        productId: row.id,
        summary: JSON.stringify(mapping.summary(row)),
        detail: JSON.stringify(mapping.detail(row)),
      })),
    );
    await repository.replaceSearchTerms(
      manager,
      batch,
      rows.map((row) => ({
        productId: row.id,
        minPrice: row.minPrice,
        maxPrice: row.maxPrice,
        terms: searchIndexTerms(row.title, row.searchText),
      })),
    );
  }
}

@Injectable()
export class StorefrontProjectionService {
  private readonly mapping: StorefrontMapping;

  constructor(
    private readonly storefront: StorefrontRepository,
    config: AppConfig,
  ) {
    this.mapping = new StorefrontMapping(config.catalog.currency);
  }

  refresh(manager: EntityManager, productIds: Iterable<string>): Promise<void> {
    return refreshStorefront(manager, this.storefront, this.mapping, productIds);
  }

  /** Products with stock at a location (their availability changes when the location does). */
  async refreshLocation(manager: EntityManager, locationId: string): Promise<void> {
    await this.refresh(manager, await this.storefront.productIdsStockedAt(manager, locationId));
  }

  productIdsInCategory(manager: EntityManager, categoryId: string): Promise<string[]> {
    return this.storefront.productIdsInCategory(manager, categoryId);
  }

  /** Products linked to a category (their pages name it). */
  async refreshCategory(manager: EntityManager, categoryId: string): Promise<void> {
    await this.refresh(manager, await this.storefront.productIdsInCategory(manager, categoryId));
  }
}
