import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogCacheModule } from '../catalog';
import { InventoryLedgerModule } from '../inventory';
import { PromotionRulesModule } from '../promotions';
import { ShippingModule } from '../shipping';
import { TaxesModule } from '../taxes';
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
