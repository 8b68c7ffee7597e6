/** The catalog import queue: one job per uploaded file, processed by the worker in batches. */
export const CATALOG_IMPORT_QUEUE = 'catalog-import';

export const CatalogImportJobs = {
  /** Import a stored CSV file (payload: the catalog job id). */
  import: 'catalog.import',
} as const;

export interface ImportCatalogPayload {
  jobId: string;
}

declare module '../../../outbox/outbox-jobs' {
  interface OutboxJobs {
    [CatalogImportJobs.import]: ImportCatalogPayload;
  }
}
