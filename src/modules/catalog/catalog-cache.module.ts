import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module';
import { CatalogCache } from './catalog-cache';
import { CatalogChanges } from './catalog-changes';

/**
 * The storefront cache and the write wrapper that invalidates it: shared by the catalog's API side,
 * its worker side and every feature whose writes change what the storefront shows (inventory).
 */
@Module({
  imports: [OutboxModule],
  providers: [CatalogCache, CatalogChanges],
  exports: [CatalogCache, CatalogChanges],
})
export class CatalogCacheModule {}
