/** The catalog queue: cache invalidation (the outbox's safety net) and CSV imports. */
export const CATALOG_QUEUE = 'catalog';

export const CatalogJobs = {
  /** Raise the storefront cache generation (payload: none). */
  invalidateCache: 'catalog.invalidate-cache',
} as const;
