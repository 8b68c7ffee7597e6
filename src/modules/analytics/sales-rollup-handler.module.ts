import { Global, Module } from '@nestjs/common';
import { SALES_ROLLUP_HANDLER } from '../notifications';
import { AnalyticsCoreModule } from './analytics-core.module';
import { SalesRollupsService } from './sales-rollups.service';

/**
 * Provides the notifications' SALES_ROLLUP_HANDLER port: the events processor hands every domain
 * event to the sales rollups too. Global, because notifications cannot import analytics (analytics
 * reads orders, which depend on notifications); the worker imports this once at its root.
 */
@Global()
@Module({
  imports: [AnalyticsCoreModule],
  providers: [{ provide: SALES_ROLLUP_HANDLER, useExisting: SalesRollupsService }],
  exports: [SALES_ROLLUP_HANDLER],
})
export class SalesRollupHandlerModule {}
