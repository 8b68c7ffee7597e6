import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { AdminPaymentsController } from './admin/admin-payments.controller';
import { AdminPaymentsService } from './admin/admin-payments.service';
import { ManualPaymentsService } from './admin/manual-payments.service';
import { PaymentsCoreModule } from './payments-core.module';
import { PaymentsController } from './payments.controller';
import { PaymentsService } from './intake/payments.service';

@Module({
  imports: [PaymentsCoreModule, AuditModule],
  controllers: [PaymentsController, AdminPaymentsController],
  providers: [PaymentsService, ManualPaymentsService, AdminPaymentsService],
})
export class PaymentsModule {}
