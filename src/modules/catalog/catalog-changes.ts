import { TransactionRunner } from '@app/database';
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { OutboxService } from '../outbox/outbox.service';
import { CatalogCache } from './catalog-cache';
import { CATALOG_QUEUE, CatalogJobs } from './jobs/catalog.jobs';
import { StorefrontProjection } from './storefront-projection';

/**
 * Runs a write that changes what the storefront shows: one transaction that also rebuilds the read
 * model of the products it touched and writes a cache invalidation to the outbox, then — after the
 * commit — invalidates at once. The outbox row is the
 * safety net for a process that dies between commit and invalidation (DESIGN.md invariant 4).
 */
@Injectable()
export class CatalogChanges {
  private readonly logger = new Logger(CatalogChanges.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly outbox: OutboxService,
    private readonly cache: CatalogCache,
    private readonly projection: StorefrontProjection,
  ) {}

  /**
   * `work` names the products whose storefront entry it changed with `touch`; their read model is
   * rebuilt in the same transaction, after the work.
   */
  async commit<T>(
    work: (manager: EntityManager, touch: (productId: string) => void) => Promise<T>,
  ): Promise<T> {
    const result = await this.transactions.run(async (manager) => {
      const touched = new Set<string>();
      const value = await work(manager, (productId) => touched.add(productId));
      await this.projection.refresh(manager, touched);
      await this.enqueueInvalidation(manager);
      return value;
    });
    await this.invalidateNow();
    return result;
  }

  /** For writers outside `commit` (inventory) whose change crossed a storefront-visible line. */
  async invalidateNow(): Promise<void> {
    await this.cache.invalidate().catch((error: unknown) => {
      // The outbox row written with the change invalidates shortly; a read may be stale until then.
      this.logger.warn({ err: error }, 'catalog cache invalidation failed; the outbox will retry it');
    });
  }

  /** Writes the outbox safety-net row inside another feature's transaction. */
  async enqueueInvalidation(manager: EntityManager): Promise<void> {
    await this.outbox.enqueue(manager, {
      queue: CATALOG_QUEUE,
      jobName: CatalogJobs.invalidateCache,
      payload: {},
    });
  }
}
