import { CreatedAtColumn, UpdatedAtColumn } from '@app/database';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const VARIANT_STATUSES = ['active', 'archived'] as const;
export type VariantStatus = (typeof VARIANT_STATUSES)[number];

/** What is sold and stocked: one combination of a product's option values, with its own SKU and price. */
@Entity({ name: 'product_variants' })
@Index('uq_product_variants_sku', ['sku'], { unique: true })
@Index('ix_product_variants_product', ['productId', 'position'])
@Index('ix_product_variants_price', ['price', 'productId'])
export class ProductVariant {
  @PrimaryColumn({ type: 'char', length: 36, name: 'id' })
  id: string;

  @Column({ type: 'char', length: 36, name: 'product_id' })
  productId: string;

  /** Stock keeping unit: unique across the catalog, compared exactly (case matters). */
  @Column({ type: 'varchar', length: 64, name: 'sku', charset: 'ascii', collation: 'ascii_bin' })
  sku: string;

  @Column({ type: 'varchar', length: 200, name: 'title' })
  title: string;

  /** The product option values this variant stands for, e.g. `{ "size": "M", "colour": "red" }`. */
  @Column({ type: 'json', name: 'option_values' })
  optionValues: Record<string, string>;

  /** Price in minor units of the catalog currency (DESIGN.md invariant 6: no floats). */
  @Column({ type: 'int', unsigned: true, name: 'price' })
  price: number;

  /** The "was" price shown struck through; above `price` when set. */
  @Column({ type: 'int', unsigned: true, name: 'compare_at_price', nullable: true })
  compareAtPrice: number | null;

  @Column({ type: 'int', unsigned: true, name: 'weight_grams', nullable: true })
  weightGrams: number | null;

  @Column({ type: 'varchar', length: 64, name: 'barcode', nullable: true })
  barcode: string | null;

  @Column({ type: 'int', name: 'position', default: 0 })
  position: number;

  @Column({ type: 'enum', enum: VARIANT_STATUSES, name: 'status', default: 'active' })
  status: VariantStatus;

  /** Available stock (all locations) below this raises a low-stock alert; null: no alerts. */
  @Column({ type: 'int', unsigned: true, name: 'low_stock_threshold', nullable: true })
  lowStockThreshold: number | null;

  @Column({ type: 'int', unsigned: true, name: 'version', default: 1 })
  version: number;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
