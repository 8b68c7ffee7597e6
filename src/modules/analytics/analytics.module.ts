import { Module } from '@nestjs/common';
import { AnalyticsCoreModule } from './analytics-core.module';
import { CsvReportInterceptor } from './reports/csv-report.interceptor';
import { SalesReportController } from './reports/sales-report.controller';
import { SalesReportService } from './reports/sales-report.service';

/** Analytics' API side: the staff reports (JSON and CSV), read from the rollups. */
@Module({
  imports: [AnalyticsCoreModule],
  controllers: [SalesReportController],
  providers: [SalesReportService, CsvReportInterceptor],
})
export class AnalyticsModule {}
