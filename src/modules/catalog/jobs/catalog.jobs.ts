/** The catalog queue: cache invalidation (the outbox's safety net) and CSV imports. */
export const CATALOG_QUEUE = 'catalog';

export const CatalogJobs = {
  /** Raise the storefront cache generation (payload: none). */
  invalidateCache: 'catalog.invalidate-cache',
} as const;

export type InvalidateCachePayload = Record<string, never>;

declare module '../../outbox/outbox-jobs' {
  interface OutboxJobs {
    [CatalogJobs.invalidateCache]: InvalidateCachePayload;
  }
}
