import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogCacheModule } from '../catalog/catalog-cache.module';
import { InventoryLedgerModule } from '../inventory/inventory-ledger.module';
import { PromotionRulesModule } from '../promotions/promotion-rules.module';
import { ShippingModule } from '../shipping/shipping.module';
import { TaxesModule } from '../taxes/taxes.module';
import { CartAccess } from './cart-access';
import { CartDetailsService } from './cart-details.service';
import { CartQuotes } from './cart-quotes';
import { CartWrites } from './cart-writes';
import { CartsController } from './carts.controller';
import { CartsRepository } from './carts.repository';
import { CartsService } from './carts.service';
import { Cart, CartItem } from './entities/cart.entity';

@Module({
  imports: [
    TypeOrmModule.forFeature([Cart, CartItem]),
    CatalogCacheModule,
    InventoryLedgerModule,
    PromotionRulesModule,
    ShippingModule,
    TaxesModule,
  ],
  controllers: [CartsController],
  providers: [CartsRepository, CartQuotes, CartAccess, CartWrites, CartsService, CartDetailsService],
  exports: [CartsService],
})
export class CartsModule {}
