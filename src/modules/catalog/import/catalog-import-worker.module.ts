import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditRecorderModule } from '../../audit';
import { OutboxModule } from '../../outbox';
import { InventoryLedgerModule } from '../../inventory';
import { CatalogCacheModule } from '../catalog-cache.module';
import { Category } from '../entities/category.entity';
import { Product } from '../entities/product.entity';
import { ProductCategory } from '../entities/product-category.entity';
import { ProductVariant } from '../entities/product-variant.entity';
import { VariantOptionValue } from '../entities/variant-option-value.entity';
import { ProductsRepository } from '../products.repository';
import { CatalogImportRepository } from './catalog-import.repository';
import { CatalogImporter } from './catalog-importer.service';
import { CatalogJobsRepository } from './catalog-jobs.repository';
import { CatalogJob } from './entities/catalog-job.entity';
import { CatalogJobFile } from './entities/catalog-job-file.entity';
import { ImportBatchWriter } from './import-batch-writer';
import { CatalogImportProcessor } from './jobs/catalog-import.processor';

/** Bulk catalog I/O, worker side: imports queued files. Imported only by the worker. */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      CatalogJob,
      CatalogJobFile,
      Product,
      ProductVariant,
      VariantOptionValue,
      ProductCategory,
      Category,
    ]),
    OutboxModule,
    AuditRecorderModule,
    CatalogCacheModule,
    InventoryLedgerModule,
  ],
  providers: [
    ProductsRepository,
    CatalogJobsRepository,
    CatalogImportRepository,
    ImportBatchWriter,
    CatalogImporter,
    CatalogImportProcessor,
  ],
})
export class CatalogImportWorkerModule {}
