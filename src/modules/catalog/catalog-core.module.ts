import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox';
import { CatalogCache } from './cache/catalog.cache';
import { CatalogChangesService } from './storefront/catalog-changes.service';
import { StorefrontProjectionService } from './storefront/storefront-projection.service';
import { SellableVariantsService } from './storefront/sellable-variants.service';
import { PRODUCT_SEARCH } from './storefront/search/product-search.port';
import { StorefrontRepository } from './storefront/storefront.repository';

/**
 * What every write that changes the storefront needs: its read model (projection), the cache and
 * the write wrapper that keeps both current. Shared by the catalog's API and worker sides and by
 * every feature whose writes change what the storefront shows (inventory, imports).
 */
@Module({
  imports: [OutboxModule],
  providers: [
    CatalogCache,
    CatalogChangesService,
    StorefrontRepository,
    // MariaDB's own search index; an external engine would be bound here instead.
    { provide: PRODUCT_SEARCH, useExisting: StorefrontRepository },
    StorefrontProjectionService,
    SellableVariantsService,
  ],
  exports: [
    CatalogCache,
    CatalogChangesService,
    StorefrontRepository,
    PRODUCT_SEARCH,
    StorefrontProjectionService,
    SellableVariantsService,
  ],
})
export class CatalogCoreModule {}
