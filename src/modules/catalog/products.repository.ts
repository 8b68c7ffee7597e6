import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { Product } from './entities/product.entity';
import { ProductCategory } from './entities/product-category.entity';
import { ProductVariant } from './entities/product-variant.entity';
import { VariantOptionValue } from './entities/variant-option-value.entity';

export type NewProduct = Pick<
  Product,
  'slug' | 'title' | 'description' | 'searchText' | 'status' | 'attributes' | 'options' | 'images'
>;
export type ProductChanges = Partial<NewProduct>;
export type NewVariant = Pick<
  ProductVariant,
  | 'sku'
  | 'title'
  | 'optionValues'
  | 'price'
  | 'compareAtPrice'
  | 'weightGrams'
  | 'barcode'
  | 'position'
  | 'lowStockThreshold'
>;
export type VariantChanges = Partial<NewVariant & Pick<ProductVariant, 'status'>>;

export interface AdminProductFilter {
  status?: Product['status'];
  q?: string;
  beforeId?: string;
  limit: number;
}

/** The product aggregate's SQL: products, their variants, option rows and category links. */
@Injectable()
export class ProductsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, product: NewProduct): Promise<string> {
    const id = uuidv7();
    await manager.insert(Product, { id, ...product, minPrice: null, maxPrice: null });
    return id;
  }

  /** Locks the product row: every write to a product or its variants serialises on it. */
  lockById(manager: EntityManager, id: string): Promise<Product | null> {
    return manager.findOne(Product, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async update(manager: EntityManager, id: string, changes: ProductChanges): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(Product)
      .set({ ...changes, version: () => 'version + 1' })
      .where('id = :id', { id })
      .execute();
  }

  slugExists(manager: EntityManager, slug: string, exceptId?: string): Promise<boolean> {
    const query = manager.createQueryBuilder(Product, 'p').where('p.slug = :slug', { slug });
    if (exceptId) query.andWhere('p.id <> :exceptId', { exceptId });
    return query.getExists();
  }

  async existingSkus(manager: EntityManager, skus: string[], exceptVariantId?: string): Promise<string[]> {
    if (skus.length === 0) return [];
    const query = manager
      .createQueryBuilder(ProductVariant, 'v')
      .select('v.sku', 'sku')
      .where('v.sku IN (:...skus)', { skus });
    if (exceptVariantId) query.andWhere('v.id <> :exceptVariantId', { exceptVariantId });
    const rows = await query.getRawMany<{ sku: string }>();
    return rows.map((row) => row.sku);
  }

  async setCategories(manager: EntityManager, productId: string, categoryIds: string[]): Promise<void> {
    await manager.delete(ProductCategory, { productId });
    if (categoryIds.length > 0)
      await manager.insert(
        ProductCategory,
        categoryIds.map((categoryId) => ({ productId, categoryId })),
      );
  }

  async categoryIdsOf(manager: EntityManager, productIds: string[]): Promise<Map<string, string[]>> {
    const byProduct = new Map<string, string[]>(productIds.map((id) => [id, []]));
    if (productIds.length === 0) return byProduct;
    const links = await manager.find(ProductCategory, { where: { productId: In(productIds) } });
    for (const link of links) byProduct.get(link.productId)?.push(link.categoryId);
    return byProduct;
  }

  async insertVariants(manager: EntityManager, productId: string, variants: NewVariant[]): Promise<string[]> {
    const rows = variants.map((variant) => ({ id: uuidv7(), productId, ...variant }));
    if (rows.length === 0) return [];
    await manager.insert(ProductVariant, rows);
    await manager.insert(
      VariantOptionValue,
      rows.flatMap((row) =>
        Object.entries(row.optionValues).map(([name, value]) => ({ variantId: row.id, name, value })),
      ),
    );
    return rows.map((row) => row.id);
  }

  async updateVariant(manager: EntityManager, variantId: string, changes: VariantChanges): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(ProductVariant)
      .set({ ...changes, version: () => 'version + 1' })
      .where('id = :id', { id: variantId })
      .execute();
    if (changes.optionValues) {
      await manager.delete(VariantOptionValue, { variantId });
      const rows = Object.entries(changes.optionValues).map(([name, value]) => ({ variantId, name, value }));
      if (rows.length > 0) await manager.insert(VariantOptionValue, rows);
    }
  }

  variantsOf(manager: EntityManager, productIds: string[]): Promise<ProductVariant[]> {
    if (productIds.length === 0) return Promise.resolve([]);
    return manager.find(ProductVariant, {
      where: { productId: In(productIds) },
      order: { position: 'ASC', id: 'ASC' },
    });
  }

  /** Keeps the product's price range (sort and filters read it) equal to its active variants'. */
  async refreshPriceRange(manager: EntityManager, productId: string): Promise<void> {
    await manager.query(
      `UPDATE products p
          LEFT JOIN (SELECT product_id, MIN(price) AS min_price, MAX(price) AS max_price
                       FROM product_variants WHERE product_id = ? AND status = 'active' GROUP BY product_id) v
                 ON v.product_id = p.id
          SET p.min_price = v.min_price, p.max_price = v.max_price
        WHERE p.id = ?`,
      [productId, productId],
    );
  }

  /** A product with all its variants (any status) and category ids: the staff view. */
  async loadFull(
    manager: EntityManager,
    id: string,
  ): Promise<{ product: Product; variants: ProductVariant[]; categoryIds: string[] } | null> {
    const product = await manager.findOneBy(Product, { id });
    if (!product) return null;
    const [variants, categories] = await Promise.all([
      this.variantsOf(manager, [id]),
      this.categoryIdsOf(manager, [id]),
    ]);
    return { product, variants, categoryIds: categories.get(id) ?? [] };
  }

  findVariant(manager: EntityManager, productId: string, variantId: string): Promise<ProductVariant | null> {
    return manager.findOne(ProductVariant, {
      where: { id: variantId, productId },
      lock: { mode: 'pessimistic_write' },
    });
  }

  list(filter: AdminProductFilter): Promise<Product[]> {
    const query = this.dataSource.manager
      .createQueryBuilder(Product, 'p')
      .orderBy('p.id', 'DESC')
      .limit(filter.limit);
    if (filter.status) query.andWhere('p.status = :status', { status: filter.status });
    if (filter.q) {
      const escaped = filter.q.replace(/[\\%_]/g, (char) => `\\${char}`);
      query.andWhere(
        '(p.title LIKE :prefix OR p.id IN (SELECT v.product_id FROM product_variants v WHERE v.sku = :sku))',
        { prefix: `${escaped}%`, sku: filter.q },
      );
    }
    if (filter.beforeId) query.andWhere('p.id < :beforeId', { beforeId: filter.beforeId });
    return query.getMany();
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }
}
