import { Module } from '@nestjs/common';
import { CatalogCache } from './catalog-cache';
import { CatalogProcessor } from './jobs/catalog.processor';

/** The catalog's queue consumers. Imported only by the worker. */
@Module({
  providers: [CatalogCache, CatalogProcessor],
})
export class CatalogWorkerModule {}
