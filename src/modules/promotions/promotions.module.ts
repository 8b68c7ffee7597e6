import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { AdminPromotionsController } from './admin-promotions.controller';
import { AdminPromotionsService } from './admin-promotions.service';
import { PromotionRulesModule } from './promotion-rules.module';
import { PromotionsRepository } from './promotions.repository';

/** Staff management of discount codes (`/v1/admin/promotions`); redemption is PromotionRulesModule's. */
@Module({
  imports: [PromotionRulesModule, AuditModule],
  controllers: [AdminPromotionsController],
  providers: [PromotionsRepository, AdminPromotionsService],
  exports: [PromotionRulesModule],
})
export class PromotionsModule {}
