import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { AdminPaymentsController } from './admin-payments.controller';
import { AdminPaymentsService } from './admin-payments.service';
import { ManualPaymentsService } from './manual-payments.service';
import { PaymentCoreModule } from './payment-core.module';
import { PaymentsController } from './payments.controller';
import { PaymentsService } from './payments.service';

@Module({
  imports: [PaymentCoreModule, AuditModule],
  controllers: [PaymentsController, AdminPaymentsController],
  providers: [PaymentsService, ManualPaymentsService, AdminPaymentsService],
})
export class PaymentsModule {}
