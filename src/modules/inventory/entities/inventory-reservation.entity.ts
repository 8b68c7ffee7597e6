import { CreatedAtColumn, TimestampColumn, UpdatedAtColumn } from '@app/database';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const RESERVATION_STATUSES = ['active', 'committed', 'released'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

/** Stock held for a purpose (an order being paid): committed when sold, released when not. */
@Entity({ name: 'inventory_reservations' })
@Index('uq_inventory_reservations_reference', ['reference'], { unique: true })
@Index('ix_inventory_reservations_expiry', ['status', 'expiresAt'])
export class InventoryReservation {
  @PrimaryColumn({ type: 'char', length: 36, name: 'id' })
  id: string;

  /** The caller's id for what the stock is held for (e.g. `order:<id>`): one reservation each. */
  @Column({ type: 'varchar', length: 100, name: 'reference' })
  reference: string;

  @Column({ type: 'enum', enum: RESERVATION_STATUSES, name: 'status', default: 'active' })
  status: ReservationStatus;

  @TimestampColumn('expires_at', { nullable: true })
  expiresAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}

/** What a reservation holds, per variant and location. */
@Entity({ name: 'inventory_reservation_lines' })
export class InventoryReservationLine {
  @PrimaryColumn({ type: 'char', length: 36, name: 'reservation_id' })
  reservationId: string;

  @PrimaryColumn({ type: 'char', length: 36, name: 'variant_id' })
  variantId: string;

  @PrimaryColumn({ type: 'char', length: 36, name: 'location_id' })
  locationId: string;

  @Column({ type: 'int', unsigned: true, name: 'quantity' })
  quantity: number;
}
