import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox';
import { InventoryRepository } from './inventory.repository';
import { ReservationsRepository } from './reservations.repository';
import { ReservationsService } from './reservations.service';
import { StockCorrections } from './stock-corrections';
import { StockLedger } from './stock-ledger';

/**
 * The stock ledger and what other features may write through it (API and worker alike): stock
 * corrections, and the reservations checkout and orders hold, sell and release.
 */
@Module({
  imports: [OutboxModule],
  providers: [
    InventoryRepository,
    StockLedger,
    StockCorrections,
    ReservationsRepository,
    ReservationsService,
  ],
  exports: [InventoryRepository, StockLedger, StockCorrections, ReservationsService],
})
export class InventoryLedgerModule {}
