import { decodeCursor, Page, RequestActor, toPage } from '@app/common';
import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../audit';
import { CatalogChangesService } from '../storefront/catalog-changes.service';
import {
  ProductNotFoundError,
  SkuTakenError,
  SlugTakenError,
  StaleVersionError,
  UnknownCategoriesError,
} from '../catalog.errors';
import { CategoriesRepository } from './categories.repository';
import type { CreateProductDto, ListAdminProductsQueryDto, UpdateProductDto } from '../dto/admin-product.dto';
import { AdminProductDto, toAdminProduct } from '../dto/product.response.dto';
import type { Product } from '../entities/product.entity';
import { ProductChanges, ProductsRepository } from '../products.repository';
import { buildSearchText, sanitizeDescription } from '../rich-text';
import { slugify } from '../slug';
import {
  assertDistinctCombinations,
  assertOptionValues,
  assertPrices,
  assertUniqueOptionNames,
  variantTitle,
} from './variant-rules';

/** Staff writes to products: create, update (optimistic concurrency), archive — each audited. */
@Injectable()
export class AdminProductsService {
  constructor(
    private readonly changes: CatalogChangesService,
    private readonly products: ProductsRepository,
    private readonly categories: CategoriesRepository,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  async create(actor: RequestActor, dto: CreateProductDto): Promise<AdminProductDto> {
    const options = dto.options ?? [];
    assertUniqueOptionNames(options);
    const variants = (dto.variants ?? []).map((variant, index) => {
      const optionValues = variant.optionValues ?? {};
      assertOptionValues(options, optionValues, variant.sku);
      assertPrices(variant.price, variant.compareAtPrice, variant.sku);
      return {
        sku: variant.sku,
        title: variant.title ?? variantTitle(optionValues, dto.title),
        optionValues,
        price: variant.price,
        compareAtPrice: variant.compareAtPrice ?? null,
        weightGrams: variant.weightGrams ?? null,
        barcode: variant.barcode ?? null,
        position: variant.position ?? index,
        lowStockThreshold: variant.lowStockThreshold ?? null,
      };
    });
    assertDistinctCombinations(variants);
    const repeated = variants.map((v) => v.sku).filter((sku, i, all) => all.indexOf(sku) !== i);
    if (repeated.length > 0) throw new SkuTakenError([...new Set(repeated)]);

    const slug = dto.slug ?? slugify(dto.title);
    const description = sanitizeDescription(dto.description ?? '');
    const attributes = dto.attributes ?? {};
    return this.changes.commit(async (manager, touch) => {
      if (await this.products.slugExists(manager, slug)) throw new SlugTakenError(slug);
      await this.assertCategoriesExist(manager, dto.categoryIds ?? []);
      const taken = await this.products.existingSkus(
        manager,
        variants.map((variant) => variant.sku),
      );
      if (taken.length > 0) throw new SkuTakenError(taken);
      const id = await this.products.insert(manager, {
        slug,
        title: dto.title,
        description,
        searchText: buildSearchText(description, attributes),
        status: dto.status ?? 'draft',
        attributes,
        options,
        images: dto.images ?? [],
      });
      await this.products.setCategories(manager, id, dto.categoryIds ?? []);
      await this.products.insertVariants(manager, id, variants);
      await this.products.refreshPriceRange(manager, id);
      touch(id);
      await this.audit.record(manager, actor, {
        action: 'product.created',
        target: { type: 'product', id },
        details: { slug, title: dto.title, skus: variants.map((variant) => variant.sku) },
      });
      return this.load(manager, id);
    });
  }

  async update(
    actor: RequestActor,
    id: string,
    dto: UpdateProductDto,
    ifMatchVersion: number | undefined,
  ): Promise<AdminProductDto> {
    const { version, ...fields } = dto;
    return this.changes.commit(async (manager, touch) => {
      touch(id);
      const product = await this.lockAtVersion(manager, id, version, ifMatchVersion);
      const changes: ProductChanges = {};
      if (fields.title !== undefined) changes.title = fields.title;
      if (fields.status !== undefined) changes.status = fields.status;
      if (fields.images !== undefined) changes.images = fields.images;
      if (fields.slug !== undefined && fields.slug !== product.slug) {
        if (await this.products.slugExists(manager, fields.slug, id)) throw new SlugTakenError(fields.slug);
        changes.slug = fields.slug;
      }
      if (fields.description !== undefined) changes.description = sanitizeDescription(fields.description);
      if (fields.attributes !== undefined) changes.attributes = fields.attributes;
      if (changes.description !== undefined || changes.attributes !== undefined) {
        changes.searchText = buildSearchText(
          changes.description ?? product.description,
          changes.attributes ?? product.attributes,
        );
      }
      if (fields.options !== undefined) {
        assertUniqueOptionNames(fields.options);
        // Every variant must still stand for valid values of the new options.
        for (const variant of await this.products.variantsOf(manager, [id])) {
          if (variant.status === 'active')
            assertOptionValues(fields.options, variant.optionValues, variant.sku);
        }
        changes.options = fields.options;
      }
      if (fields.categoryIds !== undefined) {
        await this.assertCategoriesExist(manager, fields.categoryIds);
        await this.products.setCategories(manager, id, fields.categoryIds);
      }
      await this.products.update(manager, id, changes);
      await this.audit.record(manager, actor, {
        action: 'product.updated',
        target: { type: 'product', id },
        details: { fields: Object.keys(fields), fromVersion: product.version },
      });
      return this.load(manager, id);
    });
  }

  async archive(actor: RequestActor, id: string): Promise<AdminProductDto> {
    return this.changes.commit(async (manager, touch) => {
      touch(id);
      const product = await this.products.lockById(manager, id);
      if (!product) throw new ProductNotFoundError(id);
      if (product.status !== 'archived') {
        await this.products.update(manager, id, { status: 'archived' });
        await this.audit.record(manager, actor, {
          action: 'product.archived',
          target: { type: 'product', id },
          details: { fromStatus: product.status },
        });
      }
      return this.load(manager, id);
    });
  }

  async get(id: string): Promise<AdminProductDto> {
    return this.load(this.products.manager, id);
  }

  async list(query: ListAdminProductsQueryDto): Promise<Page<AdminProductDto>> {
    const beforeId = query.cursor ? decodeCursor(query.cursor, ['id']).id : undefined;
    const rows = await this.products.list({
      status: query.status,
      q: query.q,
      beforeId,
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const ids = page.map((product) => product.id);
    const [variants, categoryIds] = await Promise.all([
      this.products.variantsOf(this.products.manager, ids),
      this.products.categoryIdsOf(this.products.manager, ids),
    ]);
    return toPage(
      rows,
      query.limit,
      (product: Product) =>
        toAdminProduct(
          product,
          variants.filter((variant) => variant.productId === product.id),
          categoryIds.get(product.id) ?? [],
          this.config.catalog.currency,
        ),
      (product) => ({ id: product.id }),
    );
  }

  /** Locks the product and refuses a write based on another version (body `version` or If-Match). */
  async lockAtVersion(
    manager: EntityManager,
    id: string,
    version: number,
    ifMatchVersion: number | undefined,
  ): Promise<Product> {
    const product = await this.products.lockById(manager, id);
    if (!product) throw new ProductNotFoundError(id);
    if (ifMatchVersion !== undefined && ifMatchVersion !== product.version)
      throw new StaleVersionError('product', ifMatchVersion, product.version, true);
    if (version !== product.version) throw new StaleVersionError('product', version, product.version, false);
    return product;
  }

  async load(manager: EntityManager, id: string): Promise<AdminProductDto> {
    const full = await this.products.loadFull(manager, id);
    if (!full) throw new ProductNotFoundError(id);
    return toAdminProduct(full.product, full.variants, full.categoryIds, this.config.catalog.currency);
  }

  private async assertCategoriesExist(manager: EntityManager, ids: string[]): Promise<void> {
    const existing = new Set(await this.categories.existingIds(manager, ids));
    const unknown = ids.filter((id) => !existing.has(id));
    if (unknown.length > 0) throw new UnknownCategoriesError(unknown);
  }
}
