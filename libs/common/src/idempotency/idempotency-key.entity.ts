import { CreatedAtColumn, TimestampColumn } from '@app/database';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const IDEMPOTENCY_STATES = ['in_flight', 'completed'] as const;
export type IdempotencyState = (typeof IDEMPOTENCY_STATES)[number];

/**
 * One Idempotency-Key a caller has used: claimed (`in_flight`) while its request runs, then the
 * response it got (`completed`), replayed to every retry until `expires_at`.
 */
@Entity({ name: 'idempotency_keys' })
@Index('ix_idempotency_keys_expires_at', ['expiresAt'])
export class IdempotencyKey {
  /** Whose key it is (`user:<id>`, `api-key:<id>`, `guest:<sha256 of the cart token>`, `anonymous`). */
  @PrimaryColumn({ type: 'varchar', length: 100, name: 'scope' })
  scope: string;

  /** sha256 hex of the key: keys may be 255 characters, the primary key stays short. */
  @PrimaryColumn({ type: 'char', length: 64, name: 'key_hash' })
  keyHash: string;

  /** sha256 hex of method, path and canonical body: a reuse with another request is refused. */
  @Column({ type: 'char', length: 64, name: 'request_fingerprint' })
  requestFingerprint: string;

  @Column({ type: 'varchar', length: 10, name: 'method' })
  method: string;

  /** The request path (and query), for people reading the table; truncated, never compared. */
  @Column({ type: 'varchar', length: 500, name: 'path' })
  path: string;

  @Column({ type: 'enum', enum: IDEMPOTENCY_STATES, name: 'state' })
  state: IdempotencyState;

  /**
   * Random per claim: only the request that holds the claim may complete or release it, so a slow
   * request whose stale claim was taken over cannot overwrite its successor's row.
   */
  @Column({ type: 'char', length: 32, name: 'claim_token' })
  claimToken: string;

  @Column({ type: 'smallint', unsigned: true, name: 'response_status', nullable: true })
  responseStatus: number | null;

  @Column({ type: 'mediumtext', name: 'response_body', nullable: true })
  responseBody: string | null;

  @Column({ type: 'varchar', length: 100, name: 'response_content_type', nullable: true })
  responseContentType: string | null;

  /** While in flight: after this time the claim is presumed abandoned and may be taken over. */
  @TimestampColumn('locked_until', { nullable: true })
  lockedUntil: Date | null;

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn('expires_at')
  expiresAt: Date;
}
