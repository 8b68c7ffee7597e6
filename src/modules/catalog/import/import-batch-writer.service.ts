import { RequestActor } from '@app/common';
import type { TransactionContext } from '@app/database';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { AuditService } from '../../audit';
import { ProductsRepository } from '../products.repository';
import { StorefrontProjectionService } from '../storefront/storefront-projection.service';
import { StockCorrectionsService } from '../../inventory';
import { CatalogImportRepository } from './catalog-import.repository';
import type { ImportBatchPlan, PlannedProduct } from './import-batch-plan';

/** Who a batch writes as, and under which job. */
export interface ImportContext {
  jobId: string;
  /** The uploader, for the audit log (request id `job:<id>`). */
  actor: RequestActor;
  /** `user:<id>` / `api-key:<id>`, for the stock ledger. */
  actorReference: string;
}

/**
 * Writes a planned batch in its transaction, the way the admin API writes the same changes: the
 * product's version rises with any change to it or its variants, its price range is refreshed, the
 * changes are audited as the admin API audits them (a new product once, with its SKUs; each variant
 * added to or changed in an existing product), and each stock change has its ledger row. Nothing is
 * written for what the plan found unchanged. What is created is inserted a statement per table.
 */
@Injectable()
export class ImportBatchWriterService {
  constructor(
    private readonly products: ProductsRepository,
    private readonly imports: CatalogImportRepository,
    private readonly audit: AuditService,
    private readonly projection: StorefrontProjectionService,
    private readonly stock: StockCorrectionsService,
  ) {}

  async write(manager: TransactionContext, plan: ImportBatchPlan, context: ImportContext): Promise<void> {
    const via = { via: 'import', jobId: context.jobId };
    const created = plan.products.filter((product) => product.id === null);
    for (const product of created) product.id = uuidv7();
    await this.imports.insertProducts(
      manager,
      created.map((product) => ({
        id: product.id!,
        slug: product.slug,
        title: product.title,
        description: product.description,
        searchText: product.searchText,
        status: product.status,
        attributes: product.attributes,
        options: product.options,
        images: [],
        categoryIds: product.categoryIds,
      })),
    );
    const newVariants = plan.products.flatMap((product) =>
      product.variants.filter((variant) => variant.id === null),
    );
    for (const variant of newVariants) variant.id = uuidv7();
    await this.imports.insertVariants(
      manager,
      newVariants.map((variant) => ({ ...variant.values, id: variant.id!, productId: variant.product.id! })),
    );

    for (const product of plan.products) {
      if (product.existing) await this.updateProduct(manager, product, context);
      else
        await this.audit.record(manager, context.actor, {
          action: 'product.created',
          target: { type: 'product', id: product.id! },
          details: {
            slug: product.slug,
            title: product.title,
            skus: product.variants.map((variant) => variant.sku),
            ...via,
          },
        });
      if (product.variantsChanged) await this.products.refreshPriceRange(manager, product.id!);
    }
    await this.writeStock(manager, plan, context);
    if (plan.changesSomething) {
      // The storefront read model follows the batch in its transaction (prices, titles, stock).
      await this.projection.refresh(manager, [
        ...plan.products.map((product) => product.id!),
        ...plan.stock.map((stock) => stock.variant.product.id!),
      ]);
    }
  }

  private async updateProduct(
    manager: EntityManager,
    product: PlannedProduct,
    { jobId, actor }: ImportContext,
  ): Promise<void> {
    const via = { via: 'import', jobId };
    const id = product.id!;
    const fields = [...Object.keys(product.changes), ...(product.categoriesChanged ? ['categoryIds'] : [])];
    // One version step for whatever changed: the product's columns, its categories, its variants.
    if (fields.length > 0 || product.variantsChanged)
      await this.products.update(manager, id, product.changes);
    if (product.categoriesChanged) await this.products.setCategories(manager, id, product.categoryIds);
    if (fields.length > 0)
      await this.audit.record(manager, actor, {
        action: 'product.updated',
        target: { type: 'product', id },
        details: { fields, fromVersion: product.existing!.version, ...via },
      });
    for (const variant of product.variants) {
      const fields = Object.keys(variant.changes);
      if (!variant.existing) {
        await this.audit.record(manager, actor, {
          action: 'variant.created',
          target: { type: 'variant', id: variant.id! },
          details: { productId: id, sku: variant.sku, price: variant.values.price, ...via },
        });
        continue;
      }
      if (fields.length === 0) continue;
      await this.products.updateVariant(manager, variant.existing.id, variant.changes);
      await this.audit.record(manager, actor, {
        action: 'variant.updated',
        target: { type: 'variant', id: variant.existing.id },
        details: {
          productId: id,
          fields,
          ...(variant.changes.price !== undefined
            ? { price: { from: variant.existing.price, to: variant.changes.price } }
            : {}),
          ...via,
        },
      });
    }
  }

  /** Counts go through the inventory ledger: corrections, low-stock and availability events. */
  private async writeStock(
    manager: TransactionContext,
    plan: ImportBatchPlan,
    context: ImportContext,
  ): Promise<void> {
    await this.stock.apply(
      manager,
      plan.stock.map((stock) => ({
        variantId: stock.variant.id!,
        locationId: stock.locationId,
        onHand: stock.to,
      })),
      { reference: `import:${context.jobId}`, actor: context.actorReference },
    );
  }
}
