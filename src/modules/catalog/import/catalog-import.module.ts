import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OutboxModule } from '../../outbox';
import { AdminExportsController } from './admin-exports.controller';
import { AdminImportsController } from './admin-imports.controller';
import { CatalogExportRepository } from './catalog-export.repository';
import { CatalogExportService } from './catalog-export.service';
import { CatalogImportsService } from './catalog-imports.service';
import { CatalogJobsRepository } from './catalog-jobs.repository';
import { CsvBodyParser } from './csv-body.parser';
import { CatalogJob } from './entities/catalog-job.entity';
import { CatalogJobFile } from './entities/catalog-job-file.entity';

/** Bulk catalog I/O, API side: CSV upload as a job, job status, streamed CSV export. */
@Module({
  imports: [TypeOrmModule.forFeature([CatalogJob, CatalogJobFile]), OutboxModule],
  controllers: [AdminImportsController, AdminExportsController],
  providers: [
    CsvBodyParser,
    CatalogJobsRepository,
    CatalogImportsService,
    CatalogExportRepository,
    CatalogExportService,
  ],
})
export class CatalogImportModule {}
