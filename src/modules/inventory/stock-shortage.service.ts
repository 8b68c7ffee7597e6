import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { InventoryRepository, type ShortVariant } from './inventory.repository';

/** What other features may read of stock that runs short (the stock report): live, not cached. */
@Injectable()
export class StockShortageService {
  constructor(
    private readonly inventory: InventoryRepository,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /**
   * Sellable variants sold out (nothing available at any active location) or low (available below
   * `threshold`, or below the variant's own low-stock threshold when none is given).
   */
  shortVariants(threshold: number | null): Promise<ShortVariant[]> {
    return this.inventory.shortVariants(this.dataSource.manager, threshold);
  }
}
