import { RequestActor } from '@app/common';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit';
import { AdminProductsService } from './admin-products.service';
import { CatalogChangesService } from '../storefront/catalog-changes.service';
import {
  ProductNotFoundError,
  SkuTakenError,
  StaleVersionError,
  VariantNotFoundError,
} from '../catalog.errors';
import type { CreateVariantDto, UpdateVariantDto } from '../dto/admin-product.dto';
import type { AdminProductDto } from '../dto/product.response.dto';
import { ProductsRepository, VariantChanges } from '../products.repository';
import { assertDistinctCombinations, assertOptionValues, assertPrices, variantTitle } from './variant-rules';

/**
 * Staff writes to variants. Each locks its product first (so variant writes of one product are
 * serialised) and raises the product's version: the product's ETag covers its variants.
 */
@Injectable()
export class AdminVariantsService {
  constructor(
    private readonly changes: CatalogChangesService,
    private readonly products: ProductsRepository,
    private readonly productsService: AdminProductsService,
    private readonly audit: AuditService,
  ) {}

  async add(actor: RequestActor, productId: string, dto: CreateVariantDto): Promise<AdminProductDto> {
    return this.changes.commit(async (manager, touch) => {
      touch(productId);
      const product = await this.products.lockById(manager, productId);
      if (!product) throw new ProductNotFoundError(productId);
      const optionValues = dto.optionValues ?? {};
      assertOptionValues(product.options, optionValues, dto.sku);
      assertPrices(dto.price, dto.compareAtPrice, dto.sku);
      const siblings = (await this.products.variantsOf(manager, [productId])).filter(
        (v) => v.status === 'active',
      );
      assertDistinctCombinations([...siblings, { sku: dto.sku, optionValues }]);
      const taken = await this.products.existingSkus(manager, [dto.sku]);
      if (taken.length > 0) throw new SkuTakenError(taken);
      const [variantId] = await this.products.insertVariants(manager, productId, [
        {
          sku: dto.sku,
          title: dto.title ?? variantTitle(optionValues, product.title),
          optionValues,
          price: dto.price,
          compareAtPrice: dto.compareAtPrice ?? null,
          weightGrams: dto.weightGrams ?? null,
          barcode: dto.barcode ?? null,
          position: dto.position ?? siblings.length,
          lowStockThreshold: dto.lowStockThreshold ?? null,
        },
      ]);
      await this.products.refreshPriceRange(manager, productId);
      await this.products.update(manager, productId, {});
      await this.audit.record(manager, actor, {
        action: 'variant.created',
        target: { type: 'variant', id: variantId },
        details: { productId, sku: dto.sku, price: dto.price },
      });
      return this.productsService.load(manager, productId);
    });
  }

  async update(
    actor: RequestActor,
    productId: string,
    variantId: string,
    dto: UpdateVariantDto,
  ): Promise<AdminProductDto> {
    const { version, ...fields } = dto;
    return this.changes.commit(async (manager, touch) => {
      touch(productId);
      const product = await this.products.lockById(manager, productId);
      if (!product) throw new ProductNotFoundError(productId);
      const variant = await this.products.findVariant(manager, productId, variantId);
      if (!variant) throw new VariantNotFoundError(variantId);
      if (variant.version !== version)
        throw new StaleVersionError('variant', version, variant.version, false);
      const sku = fields.sku ?? variant.sku;
      const changes: VariantChanges = {};
      if (fields.sku !== undefined && fields.sku !== variant.sku) {
        const taken = await this.products.existingSkus(manager, [fields.sku], variantId);
        if (taken.length > 0) throw new SkuTakenError(taken);
        changes.sku = fields.sku;
      }
      if (fields.optionValues !== undefined) {
        assertOptionValues(product.options, fields.optionValues, sku);
        const siblings = (await this.products.variantsOf(manager, [productId])).filter(
          (other) => other.status === 'active' && other.id !== variantId,
        );
        assertDistinctCombinations([...siblings, { sku, optionValues: fields.optionValues }]);
        changes.optionValues = fields.optionValues;
      }
      assertPrices(
        fields.price ?? variant.price,
        fields.compareAtPrice === undefined ? variant.compareAtPrice : fields.compareAtPrice,
        sku,
      );
      for (const key of [
        'title',
        'price',
        'compareAtPrice',
        'weightGrams',
        'barcode',
        'position',
        'lowStockThreshold',
      ] as const) {
        if (fields[key] !== undefined) Object.assign(changes, { [key]: fields[key] });
      }
      await this.products.updateVariant(manager, variantId, changes);
      await this.products.refreshPriceRange(manager, productId);
      await this.products.update(manager, productId, {});
      await this.audit.record(manager, actor, {
        action: 'variant.updated',
        target: { type: 'variant', id: variantId },
        details: {
          productId,
          fields: Object.keys(fields),
          ...(fields.price !== undefined ? { price: { from: variant.price, to: fields.price } } : {}),
        },
      });
      return this.productsService.load(manager, productId);
    });
  }

  async archive(actor: RequestActor, productId: string, variantId: string): Promise<AdminProductDto> {
    return this.changes.commit(async (manager, touch) => {
      touch(productId);
      const product = await this.products.lockById(manager, productId);
      if (!product) throw new ProductNotFoundError(productId);
      const variant = await this.products.findVariant(manager, productId, variantId);
      if (!variant) throw new VariantNotFoundError(variantId);
      if (variant.status !== 'archived') {
        await this.products.updateVariant(manager, variantId, { status: 'archived' });
        await this.products.refreshPriceRange(manager, productId);
        await this.products.update(manager, productId, {});
        await this.audit.record(manager, actor, {
          action: 'variant.archived',
          target: { type: 'variant', id: variantId },
          details: { productId, sku: variant.sku },
        });
      }
      return this.productsService.load(manager, productId);
    });
  }
}
