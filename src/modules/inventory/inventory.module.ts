import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { CatalogCacheModule } from '../catalog/catalog-cache.module';
import { OutboxModule } from '../outbox/outbox.module';
import { AdminInventoryController } from './admin-inventory.controller';
import { AdminLocationsController } from './admin-locations.controller';
import { InventoryLevel } from './entities/inventory-level.entity';
import { InventoryMovement } from './entities/inventory-movement.entity';
import { InventoryReservation, InventoryReservationLine } from './entities/inventory-reservation.entity';
import { StockLocation } from './entities/stock-location.entity';
import { InventoryLedgerModule } from './inventory-ledger.module';
import { InventoryService } from './inventory.service';
import { LocationsRepository } from './locations.repository';
import { LocationsService } from './locations.service';
import { ReservationsRepository } from './reservations.repository';
import { ReservationsService } from './reservations.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([
      StockLocation,
      InventoryLevel,
      InventoryMovement,
      InventoryReservation,
      InventoryReservationLine,
    ]),
    AuditModule,
    OutboxModule,
    CatalogCacheModule,
    InventoryLedgerModule,
  ],
  controllers: [AdminInventoryController, AdminLocationsController],
  providers: [
    LocationsRepository,
    ReservationsRepository,
    InventoryService,
    LocationsService,
    ReservationsService,
  ],
  exports: [ReservationsService],
})
export class InventoryModule {}
