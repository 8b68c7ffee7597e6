import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { OutboxModule } from '../outbox/outbox.module';
import { AdminCategoriesController } from './admin-categories.controller';
import { AdminCategoriesService } from './admin-categories.service';
import { AdminProductsController } from './admin-products.controller';
import { AdminProductsService } from './admin-products.service';
import { AdminVariantsService } from './admin-variants.service';
import { CatalogCache } from './catalog-cache';
import { CatalogChanges } from './catalog-changes';
import { CategoriesRepository } from './categories.repository';
import { Category } from './entities/category.entity';
import { Product } from './entities/product.entity';
import { ProductCategory } from './entities/product-category.entity';
import { ProductVariant } from './entities/product-variant.entity';
import { VariantOptionValue } from './entities/variant-option-value.entity';
import { ProductsController } from './products.controller';
import { ProductsRepository } from './products.repository';
import { StorefrontRepository } from './storefront.repository';
import { StorefrontService } from './storefront.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([Product, ProductVariant, VariantOptionValue, ProductCategory, Category]),
    AuditModule,
    OutboxModule,
  ],
  controllers: [ProductsController, AdminProductsController, AdminCategoriesController],
  providers: [
    CatalogCache,
    CatalogChanges,
    ProductsRepository,
    CategoriesRepository,
    StorefrontRepository,
    StorefrontService,
    AdminProductsService,
    AdminVariantsService,
    AdminCategoriesService,
  ],
  exports: [CatalogChanges, CatalogCache],
})
export class CatalogModule {}
