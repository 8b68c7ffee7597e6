import { UpdatedAtColumn } from '@app/database';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Stock of one variant at one location. `available` is `on_hand - reserved`; CHECK constraints
 * (migration InventoryChecks) make the database itself refuse negative stock or over-reservation.
 */
@Entity({ name: 'inventory_levels' })
@Index('ix_inventory_levels_location', ['locationId', 'variantId'])
export class InventoryLevel {
  @PrimaryColumn({ type: 'char', length: 36, name: 'variant_id' })
  variantId: string;

  @PrimaryColumn({ type: 'char', length: 36, name: 'location_id' })
  locationId: string;

  @Column({ type: 'int', name: 'on_hand', default: 0 })
  onHand: number;

  @Column({ type: 'int', name: 'reserved', default: 0 })
  reserved: number;

  @UpdatedAtColumn()
  updatedAt: Date;
}
