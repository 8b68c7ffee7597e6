import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { Category } from '../entities/category.entity';
import { Product } from '../entities/product.entity';
import { ProductCategory } from '../entities/product-category.entity';
import { ProductVariant } from '../entities/product-variant.entity';
import { VariantOptionValue } from '../entities/variant-option-value.entity';
import { NewProduct, NewVariant, ProductsRepository } from '../products.repository';
import type { BatchSnapshot } from './import-batch-plan';
import { levelKey } from './import-batch-plan';

export interface BatchKeys {
  slugs: string[];
  skus: string[];
  categorySlugs: string[];
  /** SKUs whose rows set stock: their levels are read (and locked). */
  stockSkus: string[];
}

/** Ids are chosen by the caller (UUIDv7) so that one statement can insert a whole batch. */
export type NewProductRow = NewProduct & { id: string; categoryIds: string[] };
export type NewVariantRow = NewVariant & { id: string; productId: string };

/**
 * The SQL of an import batch that ProductsRepository does not already have: reads under lock, and
 * multi-row inserts of what a batch creates (a first import creates thousands of rows; one statement
 * per row costs most of the time — the same rows as ProductsRepository.insert/insertVariants write,
 * min and max price left to ProductsRepository.refreshPriceRange). Stock counts go through the
 * inventory module's StockCorrectionsService (its ledger), not through here.
 */
@Injectable()
export class CatalogImportRepository {
  constructor(private readonly products: ProductsRepository) {}

  /**
   * Reads what the batch decides on, locking it in the admin API's order (products, then their
   * variants, then stock levels) so staff edits and an import serialise instead of interleaving.
   */
  async loadSnapshot(manager: EntityManager, keys: BatchKeys): Promise<BatchSnapshot> {
    // Which products own the batch's SKUs (unlocked: only to know which products to lock).
    const owners =
      keys.skus.length === 0
        ? []
        : await manager
            .createQueryBuilder(ProductVariant, 'v')
            .innerJoin(Product, 'p', 'p.id = v.product_id')
            .select('p.slug', 'slug')
            .where('v.sku IN (:...skus)', { skus: keys.skus })
            .getRawMany<{ slug: string }>();
    const slugs = [...new Set([...keys.slugs, ...owners.map((owner) => owner.slug)])];
    const products =
      slugs.length === 0
        ? []
        : await manager.find(Product, {
            where: { slug: In(slugs) },
            order: { id: 'ASC' },
            lock: { mode: 'pessimistic_write' },
          });
    const productIds = products.map((product) => product.id);
    const variants =
      productIds.length === 0
        ? []
        : await manager.find(ProductVariant, {
            where: { productId: In(productIds) },
            order: { position: 'ASC', id: 'ASC' },
            lock: { mode: 'pessimistic_write' },
          });
    const categoryIdsByProduct = await this.products.categoryIdsOf(manager, productIds);

    const slugById = new Map(products.map((product) => [product.id, product.slug]));
    const variantsByProduct = new Map<string, ProductVariant[]>(productIds.map((id) => [id, []]));
    const variantsBySku = new Map<string, { variant: ProductVariant; productSlug: string }>();
    for (const variant of variants) {
      variantsByProduct.get(variant.productId)!.push(variant);
      variantsBySku.set(variant.sku, { variant, productSlug: slugById.get(variant.productId)! });
    }

    const categories =
      keys.categorySlugs.length === 0
        ? []
        : await manager.find(Category, {
            select: { id: true, slug: true },
            where: { slug: In(keys.categorySlugs) },
          });
    const locations = await manager.query<Array<{ id: string; code: string }>>(
      'SELECT id, code FROM stock_locations',
    );
    const stockVariantIds = keys.stockSkus
      .map((sku) => variantsBySku.get(sku)?.variant.id)
      .filter((id): id is string => id !== undefined);
    const levels =
      stockVariantIds.length === 0
        ? []
        : await manager.query<
            Array<{ variant_id: string; location_id: string; on_hand: number; reserved: number }>
          >(
            `SELECT variant_id, location_id, on_hand, reserved FROM inventory_levels
              WHERE variant_id IN (?) ORDER BY variant_id, location_id FOR UPDATE`,
            [stockVariantIds],
          );

    return {
      products: new Map(products.map((product) => [product.slug, product])),
      categoryIdsByProduct,
      variantsByProduct,
      variantsBySku,
      categoryIdBySlug: new Map(categories.map((category) => [category.slug, category.id])),
      locationIdByCode: new Map(locations.map((location) => [location.code, location.id])),
      levels: new Map(
        levels.map((level) => [
          levelKey(level.variant_id, level.location_id),
          { onHand: Number(level.on_hand), reserved: Number(level.reserved) },
        ]),
      ),
    };
  }

  async insertProducts(manager: EntityManager, products: NewProductRow[]): Promise<void> {
    if (products.length === 0) return;
    await manager.insert(
      Product,
      products.map(({ categoryIds: _categoryIds, ...product }) => ({
        ...product,
        minPrice: null,
        maxPrice: null,
      })),
    );
    const links = products.flatMap((product) =>
      product.categoryIds.map((categoryId) => ({ productId: product.id, categoryId })),
    );
    if (links.length > 0) await manager.insert(ProductCategory, links);
  }

  /** Variants with their option rows (what the storefront's option filters read). */
  async insertVariants(manager: EntityManager, variants: NewVariantRow[]): Promise<void> {
    if (variants.length === 0) return;
    await manager.insert(ProductVariant, variants);
    const options = variants.flatMap((variant) =>
      Object.entries(variant.optionValues).map(([name, value]) => ({ variantId: variant.id, name, value })),
    );
    if (options.length > 0) await manager.insert(VariantOptionValue, options);
  }
}
