import { CreatedAtColumn, UpdatedAtColumn } from '@app/database';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const PRODUCT_STATUSES = ['draft', 'active', 'archived'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

/** An option a product varies by (e.g. size) and the values its variants may take. */
export interface ProductOption {
  name: string;
  values: string[];
}

export interface ProductImage {
  url: string;
  alt: string;
}

/** A product as shoppers see it; what is sold and stocked is its variants. */
@Entity({ name: 'products' })
@Index('uq_products_slug', ['slug'], { unique: true })
@Index('ix_products_status_id', ['status', 'id'])
@Index('ix_products_status_min_price', ['status', 'minPrice', 'id'])
@Index('ix_products_status_title', ['status', 'title', 'id'])
export class Product {
  /** UUIDv7: time-ordered, so "newest" is the id order. */
  @PrimaryColumn({ type: 'char', length: 36, name: 'id' })
  id: string;

  @Column({ type: 'varchar', length: 120, name: 'slug', charset: 'ascii', collation: 'ascii_bin' })
  slug: string;

  @Column({ type: 'varchar', length: 200, name: 'title' })
  title: string;

  /** Sanitised HTML (allow-list) — never stored as sent. */
  @Column({ type: 'mediumtext', name: 'description' })
  description: string;

  /** The description as plain text plus the attribute values: what search reads beside the title. */
  @Column({ type: 'mediumtext', name: 'search_text' })
  searchText: string;

  @Column({ type: 'enum', enum: PRODUCT_STATUSES, name: 'status', default: 'draft' })
  status: ProductStatus;

  /** Free-form facts shown on the product page, e.g. `{ "material": "cotton" }`. */
  @Column({ type: 'json', name: 'attributes' })
  attributes: Record<string, string>;

  @Column({ type: 'json', name: 'options' })
  options: ProductOption[];

  @Column({ type: 'json', name: 'images' })
  images: ProductImage[];

  /** Lowest and highest price of its active variants (null without any): price sort and display. */
  @Column({ type: 'int', unsigned: true, name: 'min_price', nullable: true })
  minPrice: number | null;

  @Column({ type: 'int', unsigned: true, name: 'max_price', nullable: true })
  maxPrice: number | null;

  /** Raised by every write to the product or its variants: optimistic concurrency and ETags. */
  @Column({ type: 'int', unsigned: true, name: 'version', default: 1 })
  version: number;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
