// The public surface of the analytics feature: what other features, the process roots and the
// tools may import. Anything not named here is internal (the dependency rule in .dependency-cruiser.cjs).
export { ANALYTICS_QUEUE, AnalyticsJobs } from './analytics.jobs';
export type { ReconcilePayload } from './analytics.jobs';
export { AnalyticsModule } from './analytics.module';
export { AnalyticsCoreModule } from './analytics-core.module';
export { AnalyticsWorkerModule } from './analytics-worker.module';
export { SalesRollupHandlerModule } from './sales-rollup-handler.module';
export { SalesReconciliationService } from './sales-reconciliation.service';
export type { ReconciliationReport } from './sales-reconciliation.service';
export { SALES_MEASURES } from './sales-measures';
export type { SalesMeasures } from './sales-measures';
export { localDaysInUtc, localRangeInUtc } from './store-calendar';
export type { LocalDayInUtc } from './store-calendar';
export type { ReconciliationTotals } from './sales-rollups.repository';
export { DASHBOARD_PATH, mountDashboard } from './dashboard/dashboard-page';
