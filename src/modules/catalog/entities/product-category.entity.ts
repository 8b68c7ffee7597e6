import { Entity, Index, PrimaryColumn } from 'typeorm';

/** A product listed in a category. */
@Entity({ name: 'product_categories' })
@Index('ix_product_categories_category', ['categoryId', 'productId'])
export class ProductCategory {
  @PrimaryColumn({ type: 'char', length: 36, name: 'product_id' })
  productId: string;

  @PrimaryColumn({ type: 'char', length: 36, name: 'category_id' })
  categoryId: string;
}
