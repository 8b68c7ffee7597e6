import { CreatedAtColumn, UpdatedAtColumn } from '@app/database';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The tax rate of a country, or of one of its subdivisions. `region` is '' for the whole country
 * (not NULL: MySQL lets any number of NULLs through a unique index, so "one country-wide rate"
 * would not hold), else the ISO 3166-2 subdivision suffix ('CA' for US-CA).
 */
@Entity({ name: 'tax_rates' })
@Index('uq_tax_rates_country_region', ['country', 'region'], { unique: true })
export class TaxRate {
  @PrimaryColumn({ type: 'char', length: 36, name: 'id' })
  id: string;

  /** ISO 3166-1 alpha-2, upper-case. */
  @Column({ type: 'char', length: 2, name: 'country', charset: 'ascii', collation: 'ascii_bin' })
  country: string;

  @Column({
    type: 'varchar',
    length: 10,
    name: 'region',
    default: '',
    charset: 'ascii',
    collation: 'ascii_bin',
  })
  region: string;

  @Column({ type: 'varchar', length: 200, name: 'name' })
  name: string;

  /** Basis points: 1900 = 19 %, 825 = 8.25 %. Integer, so no float goes near a price. */
  @Column({ type: 'int', unsigned: true, name: 'rate_bp' })
  rateBp: number;

  @Column({ type: 'int', unsigned: true, name: 'version', default: 1 })
  version: number;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
