import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit';
import { AdminCategoriesController } from './admin-categories.controller';
import { AdminCategoriesService } from './admin-categories.service';
import { AdminProductsController } from './admin-products.controller';
import { AdminProductsService } from './admin-products.service';
import { AdminVariantsService } from './admin-variants.service';
import { CatalogCoreModule } from './catalog-core.module';
import { CategoriesRepository } from './categories.repository';
import { Category } from './entities/category.entity';
import { Product } from './entities/product.entity';
import { ProductCategory } from './entities/product-category.entity';
import { ProductVariant } from './entities/product-variant.entity';
import { VariantOptionValue } from './entities/variant-option-value.entity';
import { ProductsController } from './products.controller';
import { ProductsRepository } from './products.repository';
import { StorefrontHitsService } from './storefront-hits.service';
import { StorefrontService } from './storefront.service';

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
