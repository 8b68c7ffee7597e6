import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditRecorderModule } from '../../audit';
import { OutboxModule } from '../../outbox';
import { InventoryCoreModule } from '../../inventory';
import { CatalogCoreModule } from '../catalog-core.module';
import { Category } from '../entities/category.entity';
import { Product } from '../entities/product.entity';
import { ProductCategory } from '../entities/product-category.entity';
import { ProductVariant } from '../entities/product-variant.entity';
import { VariantOptionValue } from '../entities/variant-option-value.entity';
import { ProductsRepository } from '../products.repository';
import { CatalogImportRepository } from './catalog-import.repository';
import { CatalogImporterService } from './catalog-importer.service';
import { CatalogJobsRepository } from './catalog-jobs.repository';
import { CatalogJob } from './entities/catalog-job.entity';
import { CatalogJobFile } from './entities/catalog-job-file.entity';
import { ImportBatchWriterService } from './import-batch-writer.service';
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
    CatalogCoreModule,
    InventoryCoreModule,
  ],
  providers: [
    ProductsRepository,
    CatalogJobsRepository,
    CatalogImportRepository,
    ImportBatchWriterService,
    CatalogImporterService,
    CatalogImportProcessor,
  ],
})
export class CatalogImportWorkerModule {}
