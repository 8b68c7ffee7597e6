import { Module } from '@nestjs/common';
import { CatalogCoreModule } from './catalog-core.module';
import { CatalogProcessor } from './jobs/catalog.processor';

/** The catalog's queue consumers. Imported only by the worker. */
@Module({
  imports: [CatalogCoreModule],
  providers: [CatalogProcessor],
})
export class CatalogWorkerModule {}
