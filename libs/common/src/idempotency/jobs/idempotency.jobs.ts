/**
 * The idempotency queue: its own, because a second processor class on the shared maintenance
 * queue made a worker's close race Bull's blocking reads on that queue.
 */
export const IDEMPOTENCY_QUEUE = 'idempotency';

export const IdempotencyJobs = {
  /** Repeatable: delete keys past their `expires_at`. */
  pruneExpired: 'idempotency.prune-expired',
} as const;
