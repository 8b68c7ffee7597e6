import { TransactionContext, TransactionRunner } from '@app/database';
import { Injectable, Logger } from '@nestjs/common';
import { OutboxService } from '../../outbox';
import { CatalogCache } from '../cache/catalog.cache';
import { CatalogJobs } from '../jobs/catalog.jobs';
import { StorefrontProjectionService } from './storefront-projection.service';

/**
 * Runs a write that changes what the storefront shows: one transaction that also rebuilds the read
 * model of the products it touched and writes a cache invalidation to the outbox, then — after the
 * commit — invalidates at once. The outbox row is the safety net for a process that dies between
 * commit and invalidation (DESIGN.md invariant 4).
 */
const CATALOG_INVALIDATION = 'catalog:invalidate';

@Injectable()
export class CatalogChangesService {
  private readonly logger = new Logger(CatalogChangesService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly outbox: OutboxService,
    private readonly cache: CatalogCache,
    private readonly projection: StorefrontProjectionService,
  ) {}

  /**
   * `work` names the products whose storefront entry it changed with `touch`; their read model is
   * rebuilt in the same transaction, after the work.
   */
  async commit<T>(
    work: (tx: TransactionContext, touch: (productId: string) => void) => Promise<T>,
  ): Promise<T> {
    return this.transactions.run(async (tx) => {
      const touched = new Set<string>();
      const value = await work(tx, (productId) => touched.add(productId));
      await this.projection.refresh(tx, touched);
      await this.invalidateOnCommit(tx);
      return value;
    });
  }

  /**
   * For a change in `tx` that crossed a storefront-visible line (also from other features, e.g. a
   * stock level that sold out): the outbox safety-net row in the transaction, and the invalidation
   * itself at once after the commit (once per transaction, however many changes asked for it).
   */
  async invalidateOnCommit(tx: TransactionContext): Promise<void> {
    await this.outbox.enqueue(tx, {
      jobName: CatalogJobs.invalidateCache,
      payload: {},
    });
    tx.afterCommit(() => this.invalidateNow(), CATALOG_INVALIDATION);
  }

  private async invalidateNow(): Promise<void> {
    await this.cache.invalidate().catch((error: unknown) => {
      // The outbox row written with the change invalidates shortly; a read may be stale until then.
      this.logger.warn({ err: error }, 'catalog cache invalidation failed; the outbox will retry it');
    });
  }
}
