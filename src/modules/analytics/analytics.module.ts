import { Module } from '@nestjs/common';
import { CartsModule } from '../carts';
import { CatalogCoreModule } from '../catalog';
import { InventoryCoreModule } from '../inventory';
import { AnalyticsCoreModule } from './analytics-core.module';
import { CsvReportInterceptor } from './reports/csv-report.interceptor';
import { FunnelReportController } from './reports/funnel-report.controller';
import { FunnelReportService } from './reports/funnel-report.service';
import { SalesReportController } from './reports/sales-report.controller';
import { SalesReportService } from './reports/sales-report.service';
import { StockReportController } from './reports/stock-report.controller';
import { StockReportService } from './reports/stock-report.service';
import { TopProductsReportController } from './reports/top-products-report.controller';
import { TopProductsReportService } from './reports/top-products-report.service';

/** Analytics' API side: the staff reports (JSON and CSV), read from the rollups. */
@Module({
  imports: [AnalyticsCoreModule, CatalogCoreModule, InventoryCoreModule, CartsModule],
  controllers: [
    SalesReportController,
    TopProductsReportController,
    StockReportController,
    FunnelReportController,
  ],
  providers: [
    SalesReportService,
    CsvReportInterceptor,
    TopProductsReportService,
    StockReportService,
    FunnelReportService,
  ],
})
export class AnalyticsModule {}
