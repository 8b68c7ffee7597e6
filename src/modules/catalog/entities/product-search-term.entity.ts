import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The storefront's search index, part of its read model: one row per visible product and prefix of one
 * of its words (see storefront/search/search-terms.ts), written with the product's storefront entry.
 * Clustered in rank order per term, with the price range the common filter needs: a search reads its
 * term's best-ranked rows and stops at the end of its page, without a lookup per candidate.
 */
@Entity({ name: 'product_search_terms' })
// (product_id, stamp): a rewrite finds the rows of older stamps without reading the rows themselves.
@Index('ix_product_search_terms_product', ['productId', 'stamp'])
export class ProductSearchTerm {
  @PrimaryColumn({ type: 'varchar', length: 32, name: 'term', charset: 'utf8mb4', collation: 'utf8mb4_bin' })
  term: string;

  /** The product's rank for this term: 1000 in the title, plus 999 less the title's length. */
  @PrimaryColumn({ type: 'smallint', unsigned: true, name: 'relevance' })
  relevance: number;

  @PrimaryColumn({ type: 'char', length: 36, name: 'product_id' })
  productId: string;

  /** The product's (products.min_price, max_price), copied: they change only through its projection. */
  @Column({ type: 'int', unsigned: true, name: 'min_price' })
  minPrice: number;

  @Column({ type: 'int', unsigned: true, name: 'max_price' })
  maxPrice: number;

  /** Which rewrite of the product's terms wrote the row: rows of an older one are deleted. */
  @Column({ type: 'int', unsigned: true, name: 'stamp' })
  stamp: number;
}
