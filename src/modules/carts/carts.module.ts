import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogCoreModule } from '../catalog';
import { InventoryCoreModule } from '../inventory';
import { PromotionsCoreModule } from '../promotions';
import { ShippingModule } from '../shipping';
import { TaxesModule } from '../taxes';
import { CartAccessService } from './cart-access.service';
import { CartFunnelService } from './cart-funnel.service';
import { CartDetailsService } from './cart-details.service';
import { CartQuotesService } from './cart-quotes.service';
import { CartWritesService } from './cart-writes.service';
import { CartsController } from './carts.controller';
import { CartsRepository } from './carts.repository';
import { CartsService } from './carts.service';
import { Cart, CartItem } from './entities/cart.entity';

@Module({
  imports: [
    TypeOrmModule.forFeature([Cart, CartItem]),
    CatalogCoreModule,
    InventoryCoreModule,
    PromotionsCoreModule,
    ShippingModule,
    TaxesModule,
  ],
  controllers: [CartsController],
  providers: [
    CartsRepository,
    CartQuotesService,
    CartAccessService,
    CartWritesService,
    CartsService,
    CartDetailsService,
    CartFunnelService,
  ],
  exports: [CartsService, CartFunnelService],
})
export class CartsModule {}
