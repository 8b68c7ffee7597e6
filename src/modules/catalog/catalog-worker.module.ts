import { Module } from '@nestjs/common';
import { CatalogCacheModule } from './catalog-cache.module';
import { CatalogProcessor } from './jobs/catalog.processor';

/** The catalog's queue consumers. Imported only by the worker. */
@Module({
  imports: [CatalogCacheModule],
  providers: [CatalogProcessor],
})
export class CatalogWorkerModule {}
