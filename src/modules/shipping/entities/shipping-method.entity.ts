import { CreatedAtColumn, UpdatedAtColumn } from '@app/database';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A way to ship to a zone's countries, at a flat rate that may become free above a subtotal. */
@Entity({ name: 'shipping_methods' })
@Index('ix_shipping_methods_zone', ['zoneId', 'position'])
export class ShippingMethod {
  @PrimaryColumn({ type: 'char', length: 36, name: 'id' })
  id: string;

  @Column({ type: 'char', length: 36, name: 'zone_id' })
  zoneId: string;

  @Column({ type: 'varchar', length: 200, name: 'name' })
  name: string;

  /** Integer minor units of the store currency, in the same price mode as product prices. */
  @Column({ type: 'int', unsigned: true, name: 'rate' })
  rate: number;

  /** Shipping is free when the discounted subtotal is at least this (minor units); null = never free. */
  @Column({ type: 'int', unsigned: true, name: 'free_over', nullable: true })
  freeOver: number | null;

  /** Inactive methods are kept (carts and orders may name them) but offered to nobody. */
  @Column({ type: 'boolean', name: 'active', default: true })
  active: boolean;

  /** Methods are offered in ascending position. */
  @Column({ type: 'int', name: 'position', default: 0 })
  position: number;

  @Column({ type: 'int', unsigned: true, name: 'version', default: 1 })
  version: number;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
