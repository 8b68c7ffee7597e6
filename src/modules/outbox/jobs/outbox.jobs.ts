/** Housekeeping jobs of the outbox, on the shared maintenance queue. */
export const MAINTENANCE_QUEUE = 'maintenance';

export const OutboxJobs = {
  /** Repeatable: delete published rows older than OUTBOX_RETENTION_HOURS. */
  prune: 'outbox.prune',
} as const;

export type PruneOutboxPayload = Record<string, never>;
