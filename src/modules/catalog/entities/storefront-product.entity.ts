import { UpdatedAtColumn } from '@app/database';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The storefront's read model: each visible product's list entry and detail page, serialised, kept
 * current in the transaction of every write that changes them (catalog writes, imports, stock
 * crossing zero). A storefront read is then one indexed lookup and no JSON building.
 */
@Entity({ name: 'storefront_products' })
export class StorefrontProduct {
  @PrimaryColumn({ type: 'char', length: 36, name: 'product_id' })
  productId: string;

  /** JSON of the product's list entry (ProductSummaryDto). */
  @Column({ type: 'mediumtext', name: 'summary' })
  summary: string;

  /** JSON of the product's page (ProductDetailDto). */
  @Column({ type: 'mediumtext', name: 'detail' })
  detail: string;

  @UpdatedAtColumn()
  updatedAt: Date;
}
