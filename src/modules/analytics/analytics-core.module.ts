import { Module } from '@nestjs/common';
import { OrdersCoreModule } from '../orders';
import { PaymentsCoreModule } from '../payments';
import { ProductSalesRollupsRepository } from './product-sales-rollups.repository';
import { ProductSalesRollupsService } from './product-sales-rollups.service';
import { SalesDailyService } from './sales-daily.service';
import { SalesReconciliationService } from './sales-reconciliation.service';
import { SalesRollupsRepository } from './sales-rollups.repository';
import { SalesRollupsService } from './sales-rollups.service';

/**
 * The sales rollups: counting events into hourly buckets and reconciling them with the orders. The
 * repository is exported for the reports (analytics.module.ts) that read the buckets.
 */
@Module({
  imports: [OrdersCoreModule, PaymentsCoreModule],
  providers: [
    SalesRollupsRepository,
    SalesRollupsService,
    SalesReconciliationService,
    SalesDailyService,
    ProductSalesRollupsRepository,
    ProductSalesRollupsService,
  ],
  exports: [
    SalesRollupsService,
    SalesReconciliationService,
    SalesDailyService,
    SalesRollupsRepository,
    ProductSalesRollupsRepository,
  ],
})
export class AnalyticsCoreModule {}
