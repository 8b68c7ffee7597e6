/** The analytics queue: the nightly reconciliation of the sales rollups, the daily rollup's rebuild. */
export const ANALYTICS_QUEUE = 'analytics';

export const AnalyticsJobs = {
  /** Repeatable (03:30 store time), or added by hand: recompute recent buckets, correct drift. */
  reconcile: 'analytics.reconcile',
  /** Added at worker start: build sales_daily from sales_hourly unless built for the store's zone. */
  buildDaily: 'analytics.build-daily',
} as const;

export interface ReconcilePayload {
  /** Days back to recompute; the configured ANALYTICS_RECONCILE_DAYS when absent. */
  days?: number;
}
