import { Process, Processor } from '@nestjs/bull';
import type { OutboxJob } from '../../../outbox';
import { CatalogImporterService, ImportResult } from '../catalog-importer.service';
import { CATALOG_IMPORT_QUEUE, CatalogImportJobs } from './catalog-import.jobs';

@Processor(CATALOG_IMPORT_QUEUE)
export class CatalogImportProcessor {
  constructor(private readonly importer: CatalogImporterService) {}

  /** One import at a time per worker: each holds a database connection for its batches. */
  @Process({ name: CatalogImportJobs.import, concurrency: 1 })
  async import(job: OutboxJob<'catalog.import'>): Promise<{ result: ImportResult }> {
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    return { result: await this.importer.run(job.data.jobId, finalAttempt) };
  }
}
