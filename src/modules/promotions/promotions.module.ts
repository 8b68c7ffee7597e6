import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { AdminPromotionsController } from './admin-promotions.controller';
import { AdminPromotionsService } from './admin-promotions.service';
import { PromotionsCoreModule } from './promotions-core.module';
import { PromotionsRepository } from './promotions.repository';

/** Staff management of discount codes (`/v1/admin/promotions`); redemption is PromotionsCoreModule's. */
@Module({
  imports: [PromotionsCoreModule, AuditModule],
  controllers: [AdminPromotionsController],
  providers: [PromotionsRepository, AdminPromotionsService],
  exports: [PromotionsCoreModule],
})
export class PromotionsModule {}
