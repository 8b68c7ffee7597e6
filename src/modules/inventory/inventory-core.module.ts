import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox';
import { InventoryRepository } from './inventory.repository';
import { ReservationsRepository } from './reservations.repository';
import { ReservationsService } from './reservations.service';
import { StockCorrectionsService } from './stock-corrections.service';
import { StockLedgerService } from './stock-ledger.service';
import { StockShortageService } from './stock-shortage.service';

/**
 * The stock ledger and what other features may write through it (API and worker alike): stock
 * corrections, and the reservations checkout and orders hold, sell and release.
 */
@Module({
  imports: [OutboxModule],
  providers: [
    InventoryRepository,
    StockLedgerService,
    StockCorrectionsService,
    ReservationsRepository,
    ReservationsService,
    StockShortageService,
  ],
  exports: [
    InventoryRepository,
    StockLedgerService,
    StockCorrectionsService,
    ReservationsService,
    StockShortageService,
  ],
})
export class InventoryCoreModule {}
