import type { TransactionContext } from '@app/database';
import { Injectable } from '@nestjs/common';
import type { StorefrontAvailability } from '../../inventory';
import { CatalogChangesService } from './catalog-changes.service';
import { StorefrontProjectionService } from './storefront-projection.service';

/** The catalog's side of the inventory's port: the read model follows in the transaction, caches after it. */
@Injectable()
export class StorefrontAvailabilityAdapter implements StorefrontAvailability {
  constructor(
    private readonly projection: StorefrontProjectionService,
    private readonly changes: CatalogChangesService,
  ) {}

  async productsChanged(tx: TransactionContext, productIds: Iterable<string>): Promise<void> {
    await this.projection.refresh(tx, productIds);
    await this.changes.invalidateOnCommit(tx);
  }

  async locationChanged(tx: TransactionContext, locationId: string): Promise<void> {
    await this.projection.refreshLocation(tx, locationId);
    await this.changes.invalidateOnCommit(tx);
  }
}
