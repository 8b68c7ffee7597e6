import { CreatedAtColumn, UpdatedAtColumn } from '@app/database';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A set of destination countries that share shipping methods (e.g. "EU", "Rest of world"). */
@Entity({ name: 'shipping_zones' })
export class ShippingZone {
  @PrimaryColumn({ type: 'char', length: 36, name: 'id' })
  id: string;

  @Column({ type: 'varchar', length: 200, name: 'name' })
  name: string;

  /** An inactive zone keeps its countries and methods but offers nothing to carts. */
  @Column({ type: 'boolean', name: 'active', default: true })
  active: boolean;

  @Column({ type: 'int', unsigned: true, name: 'version', default: 1 })
  version: number;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
