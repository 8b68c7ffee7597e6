import { Process, Processor } from '@nestjs/bull';
import { CatalogCache } from '../cache/catalog.cache';
import { CATALOG_QUEUE, CatalogJobs } from './catalog.jobs';

@Processor(CATALOG_QUEUE)
export class CatalogProcessor {
  constructor(private readonly cache: CatalogCache) {}

  /** The outbox's copy of an invalidation the API already did after commit (idempotent: one more miss). */
  @Process(CatalogJobs.invalidateCache)
  async invalidateCache(): Promise<void> {
    await this.cache.invalidate();
  }
}
