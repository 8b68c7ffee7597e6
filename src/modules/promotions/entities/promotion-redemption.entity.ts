import { CreatedAtColumn, TimestampColumn } from '@app/database';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const REDEMPTION_STATUSES = ['active', 'released'] as const;
export type RedemptionStatus = (typeof REDEMPTION_STATUSES)[number];

/** One use of a promotion by one order; released (given back) when the order is cancelled or expires. */
@Entity({ name: 'promotion_redemptions' })
@Index('uq_promotion_redemptions_order', ['orderId'], { unique: true })
@Index('ix_promotion_redemptions_promotion', ['promotionId', 'status'])
export class PromotionRedemption {
  @PrimaryColumn({ type: 'char', length: 36, name: 'id' })
  id: string;

  @Column({ type: 'char', length: 36, name: 'promotion_id' })
  promotionId: string;

  /** One redemption per order, whatever the code. */
  @Column({ type: 'char', length: 36, name: 'order_id' })
  orderId: string;

  /** Who redeemed, as the caller names them: `user:<id>` or `email:<normalised email>`. */
  @Column({ type: 'varchar', length: 320, name: 'customer_key' })
  customerKey: string;

  @Column({ type: 'enum', enum: REDEMPTION_STATUSES, name: 'status', default: 'active' })
  status: RedemptionStatus;

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn('released_at', { nullable: true })
  releasedAt: Date | null;
}
