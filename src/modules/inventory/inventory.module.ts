import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit';
import { OutboxModule } from '../outbox';
import { AdminInventoryController } from './admin-inventory.controller';
import { AdminLocationsController } from './admin-locations.controller';
import { InventoryLevel } from './entities/inventory-level.entity';
import { InventoryMovement } from './entities/inventory-movement.entity';
import { InventoryReservation, InventoryReservationLine } from './entities/inventory-reservation.entity';
import { StockLocation } from './entities/stock-location.entity';
import { InventoryCoreModule } from './inventory-core.module';
import { InventoryService } from './inventory.service';
import { LocationsRepository } from './locations.repository';
import { LocationsService } from './locations.service';

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
    InventoryCoreModule,
  ],
  controllers: [AdminInventoryController, AdminLocationsController],
  providers: [LocationsRepository, InventoryService, LocationsService],
})
export class InventoryModule {}
