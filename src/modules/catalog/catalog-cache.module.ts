import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox';
import { CatalogCache } from './catalog-cache';
import { CatalogChanges } from './catalog-changes';
import { StorefrontProjection } from './storefront-projection';
import { SellableVariants } from './sellable-variants';
import { StorefrontRepository } from './storefront.repository';

/**
 * What every write that changes the storefront needs: its read model (projection), the cache and
 * the write wrapper that keeps both current. Shared by the catalog's API and worker sides and by
 * every feature whose writes change what the storefront shows (inventory, imports).
 */
@Module({
  imports: [OutboxModule],
  providers: [CatalogCache, CatalogChanges, StorefrontRepository, StorefrontProjection, SellableVariants],
  exports: [CatalogCache, CatalogChanges, StorefrontRepository, StorefrontProjection, SellableVariants],
})
export class CatalogCacheModule {}
