import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit';
import { AdminTaxRatesController } from './admin-tax-rates.controller';
import { AdminTaxRatesService } from './admin-tax-rates.service';
import { TaxRate } from './entities/tax-rate.entity';
import { TaxRatesService } from './tax-rates.service';
import { TaxRatesRepository } from './tax-rates.repository';

/** Tax rates per country and subdivision; other features price with the exported TaxRatesService. */
@Module({
  imports: [TypeOrmModule.forFeature([TaxRate]), AuditModule],
  controllers: [AdminTaxRatesController],
  providers: [TaxRatesRepository, TaxRatesService, AdminTaxRatesService],
  exports: [TaxRatesService],
})
export class TaxesModule {}
