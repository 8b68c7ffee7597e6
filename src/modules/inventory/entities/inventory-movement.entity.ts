import { CreatedAtColumn } from '@app/database';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const MOVEMENT_REASONS = [
  'received',
  'sold',
  'returned',
  'damaged',
  'correction',
  'transfer',
  'reservation',
  'release',
] as const;
export type MovementReason = (typeof MOVEMENT_REASONS)[number];

/**
 * One change to a level, append-only, written in the transaction that changes the level: the sums of
 * a level's deltas are always its `on_hand` and `reserved`.
 */
@Entity({ name: 'inventory_movements' })
@Index('ix_inventory_movements_level', ['variantId', 'locationId', 'id'])
@Index('ix_inventory_movements_reference', ['reference'])
export class InventoryMovement {
  @PrimaryGeneratedColumn({ type: 'bigint', unsigned: true, name: 'id' })
  id: string;

  @Column({ type: 'char', length: 36, name: 'variant_id' })
  variantId: string;

  @Column({ type: 'char', length: 36, name: 'location_id' })
  locationId: string;

  @Column({ type: 'enum', enum: MOVEMENT_REASONS, name: 'reason' })
  reason: MovementReason;

  @Column({ type: 'int', name: 'on_hand_delta' })
  onHandDelta: number;

  @Column({ type: 'int', name: 'reserved_delta' })
  reservedDelta: number;

  /** What caused it: a reservation's reference (an order), a transfer id, an import job. */
  @Column({ type: 'varchar', length: 100, name: 'reference', nullable: true })
  reference: string | null;

  @Column({ type: 'varchar', length: 500, name: 'note', nullable: true })
  note: string | null;

  /** `user:<id>`, `api-key:<id>` or `system`. */
  @Column({ type: 'varchar', length: 64, name: 'actor' })
  actor: string;

  @CreatedAtColumn()
  createdAt: Date;
}
