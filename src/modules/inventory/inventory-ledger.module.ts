import { Module } from '@nestjs/common';
import { CatalogCacheModule } from '../catalog/catalog-cache.module';
import { OutboxModule } from '../outbox/outbox.module';
import { InventoryRepository } from './inventory.repository';
import { StockCorrections } from './stock-corrections';
import { StockLedger } from './stock-ledger';

/** The stock ledger and what other features may write through it (API and worker alike). */
@Module({
  imports: [OutboxModule, CatalogCacheModule],
  providers: [InventoryRepository, StockLedger, StockCorrections],
  exports: [InventoryRepository, StockLedger, StockCorrections],
})
export class InventoryLedgerModule {}
