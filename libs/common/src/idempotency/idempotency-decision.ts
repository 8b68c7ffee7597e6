import type { IdempotencyKey } from './idempotency-key.entity';

/**
 * What a request does when its key is already taken:
 * - `take_over`: the row has expired, or its in-flight owner's lock ran out (presumed crashed) —
 *   claim it as if it were new;
 * - `reused`: the key belongs to another request (other body or route) — 422, nothing runs;
 * - `replay`: the same request completed — send its stored response, nothing runs;
 * - `in_flight`: the same request is still running — 409 with Retry-After.
 */
export type ExistingKeyDecision = 'take_over' | 'reused' | 'replay' | 'in_flight';

export function decideOnExistingKey(
  row: Pick<IdempotencyKey, 'state' | 'requestFingerprint' | 'lockedUntil' | 'expiresAt'>,
  fingerprint: string,
  now: Date,
): ExistingKeyDecision {
  if (row.expiresAt.getTime() <= now.getTime()) return 'take_over';
  if (row.requestFingerprint !== fingerprint) return 'reused';
  if (row.state === 'completed') return 'replay';
  const lockExpired = row.lockedUntil === null || row.lockedUntil.getTime() <= now.getTime();
  return lockExpired ? 'take_over' : 'in_flight';
}
