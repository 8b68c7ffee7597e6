import { ReplicaReads } from '@app/database';
import { Injectable } from '@nestjs/common';
import { InventoryRepository, type ShortVariant } from './inventory.repository';

/**
 * What other features may read of stock that runs short (the stock report): live, not cached, from
 * the read replica when there is one (as current as its lag: see ReplicaReads.lagging).
 */
@Injectable()
export class StockShortageService {
  constructor(
    private readonly inventory: InventoryRepository,
    private readonly reads: ReplicaReads,
  ) {}

  /**
   * Sellable variants sold out (nothing available at any active location) or low (available below
   * `threshold`, or below the variant's own low-stock threshold when none is given).
   */
  shortVariants(threshold: number | null): Promise<ShortVariant[]> {
    return this.reads.lagging((manager) => this.inventory.shortVariants(manager, threshold));
  }
}
