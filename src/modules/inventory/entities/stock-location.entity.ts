import { CreatedAtColumn, UpdatedAtColumn } from '@app/database';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A place stock is kept (warehouse, shop floor). */
@Entity({ name: 'stock_locations' })
@Index('uq_stock_locations_code', ['code'], { unique: true })
export class StockLocation {
  @PrimaryColumn({ type: 'char', length: 36, name: 'id' })
  id: string;

  @Column({ type: 'varchar', length: 50, name: 'code', charset: 'ascii', collation: 'ascii_bin' })
  code: string;

  @Column({ type: 'varchar', length: 200, name: 'name' })
  name: string;

  /** Reservations draw from locations in ascending priority. */
  @Column({ type: 'int', name: 'priority', default: 0 })
  priority: number;

  /** Inactive locations keep their stock and history but serve no new reservation. */
  @Column({ type: 'boolean', name: 'active', default: true })
  active: boolean;

  @Column({ type: 'int', unsigned: true, name: 'version', default: 1 })
  version: number;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
