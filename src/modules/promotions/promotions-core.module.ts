import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Promotion } from './entities/promotion.entity';
import { PromotionCustomerUsage } from './entities/promotion-customer-usage.entity';
import { PromotionRedemption } from './entities/promotion-redemption.entity';
import { PromotionRedemptionsService } from './promotion-redemptions.service';
import { RedemptionsRepository } from './redemptions.repository';

/**
 * What other features use of promotions (checkout, order expiry in the worker): look up, redeem and
 * release codes inside their own transaction. No controller, so the worker can import it too.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Promotion, PromotionRedemption, PromotionCustomerUsage])],
  providers: [RedemptionsRepository, PromotionRedemptionsService],
  exports: [PromotionRedemptionsService],
})
export class PromotionsCoreModule {}
