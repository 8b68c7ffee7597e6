import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit';
import { AdminShippingMethodsController } from './admin-shipping-methods.controller';
import { AdminShippingMethodsService } from './admin-shipping-methods.service';
import { AdminShippingZonesController } from './admin-shipping-zones.controller';
import { AdminShippingZonesService } from './admin-shipping-zones.service';
import { ShippingMethod } from './entities/shipping-method.entity';
import { ShippingZoneCountry } from './entities/shipping-zone-country.entity';
import { ShippingZone } from './entities/shipping-zone.entity';
import { ShippingMethodsController } from './shipping-methods.controller';
import { ShippingMethodsRepository } from './shipping-methods.repository';
import { ShippingOffersService } from './shipping-offers.service';
import { ShippingRatesService } from './shipping-rates.service';
import { ShippingZonesRepository } from './shipping-zones.repository';

/** Shipping zones and methods; other features price with the exported ShippingRatesService. */
@Module({
  imports: [TypeOrmModule.forFeature([ShippingZone, ShippingZoneCountry, ShippingMethod]), AuditModule],
  controllers: [AdminShippingZonesController, AdminShippingMethodsController, ShippingMethodsController],
  providers: [
    ShippingZonesRepository,
    ShippingMethodsRepository,
    ShippingRatesService,
    AdminShippingZonesService,
    AdminShippingMethodsService,
    ShippingOffersService,
  ],
  exports: [ShippingRatesService],
})
export class ShippingModule {}
