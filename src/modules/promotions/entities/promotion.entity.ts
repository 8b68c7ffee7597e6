import { CreatedAtColumn, TimestampColumn, UpdatedAtColumn } from '@app/database';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const PROMOTION_KINDS = ['percentage', 'fixed_amount', 'free_shipping'] as const;
export type PromotionKind = (typeof PROMOTION_KINDS)[number];

/**
 * A discount code. CHECK constraints (migration Promotions) make the database itself refuse more
 * uses than `usage_limit` and terms that do not fit the kind, whatever a bug in the application does.
 */
@Entity({ name: 'promotions' })
@Index('uq_promotions_code', ['code'], { unique: true })
@Index('ix_promotions_active_id', ['active', 'id'])
export class Promotion {
  /** UUIDv7: time-ordered, so "newest" is the id order. */
  @PrimaryColumn({ type: 'char', length: 36, name: 'id' })
  id: string;

  /** Normalised: trimmed and upper-cased, [A-Z0-9_-] only, so a binary comparison is exact. */
  @Column({ type: 'varchar', length: 50, name: 'code', charset: 'ascii', collation: 'ascii_bin' })
  code: string;

  @Column({ type: 'varchar', length: 500, name: 'description', nullable: true })
  description: string | null;

  @Column({ type: 'enum', enum: PROMOTION_KINDS, name: 'kind' })
  kind: PromotionKind;

  /** Basis points off the subtotal (1..10000), only for `percentage`. */
  @Column({ type: 'int', name: 'percent_bp', nullable: true })
  percentBp: number | null;

  /** Minor units of the store currency off the subtotal, only for `fixed_amount`. */
  @Column({ type: 'int', unsigned: true, name: 'amount', nullable: true })
  amount: number | null;

  /** Minor units: the code applies only from this subtotal on. */
  @Column({ type: 'int', unsigned: true, name: 'min_subtotal', nullable: true })
  minSubtotal: number | null;

  @TimestampColumn('starts_at', { nullable: true })
  startsAt: Date | null;

  @TimestampColumn('ends_at', { nullable: true })
  endsAt: Date | null;

  @Column({ type: 'int', unsigned: true, name: 'usage_limit', nullable: true })
  usageLimit: number | null;

  @Column({ type: 'int', unsigned: true, name: 'per_customer_limit', nullable: true })
  perCustomerLimit: number | null;

  /** Active redemptions (released ones are given back). Changed only by conditional UPDATEs. */
  @Column({ type: 'int', unsigned: true, name: 'times_used', default: 0 })
  timesUsed: number;

  @Column({ type: 'boolean', name: 'active', default: true })
  active: boolean;

  /** Raised by every staff write (not by redemptions): optimistic concurrency and ETags. */
  @Column({ type: 'int', unsigned: true, name: 'version', default: 1 })
  version: number;

  @CreatedAtColumn()
  createdAt: Date;

  /** The last staff write: redemptions leave it alone. */
  @UpdatedAtColumn()
  updatedAt: Date;
}
