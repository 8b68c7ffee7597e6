import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit';
import { AdminCategoriesController } from './admin/admin-categories.controller';
import { AdminCategoriesService } from './admin/admin-categories.service';
import { AdminProductsController } from './admin/admin-products.controller';
import { AdminProductsService } from './admin/admin-products.service';
import { AdminVariantsService } from './admin/admin-variants.service';
import { CatalogCoreModule } from './catalog-core.module';
import { CategoriesRepository } from './admin/categories.repository';
import { Category } from './entities/category.entity';
import { Product } from './entities/product.entity';
import { ProductCategory } from './entities/product-category.entity';
import { ProductVariant } from './entities/product-variant.entity';
import { VariantOptionValue } from './entities/variant-option-value.entity';
import { ProductsController } from './storefront/products.controller';
import { ProductsRepository } from './products.repository';
import { StorefrontHitsService } from './storefront/storefront-hits.service';
import { StorefrontService } from './storefront/storefront.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([Product, ProductVariant, VariantOptionValue, ProductCategory, Category]),
    AuditModule,
    CatalogCoreModule,
  ],
  controllers: [ProductsController, AdminProductsController, AdminCategoriesController],
  providers: [
    ProductsRepository,
    CategoriesRepository,
    StorefrontService,
    StorefrontHitsService,
    AdminProductsService,
    AdminVariantsService,
    AdminCategoriesService,
  ],
  exports: [CatalogCoreModule, StorefrontHitsService],
})
export class CatalogModule {}
