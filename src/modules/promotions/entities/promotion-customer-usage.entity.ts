import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * How many active uses of a promotion one customer holds. Kept for every promotion (not only those
 * with a per-customer limit), so a limit added later counts the uses made before it.
 */
@Entity({ name: 'promotion_customer_usage' })
export class PromotionCustomerUsage {
  @PrimaryColumn({ type: 'char', length: 36, name: 'promotion_id' })
  promotionId: string;

  @PrimaryColumn({ type: 'varchar', length: 320, name: 'customer_key' })
  customerKey: string;

  @Column({ type: 'int', unsigned: true, name: 'uses', default: 0 })
  uses: number;
}
