import { Module } from '@nestjs/common';
import { PaymentsProcessor } from './jobs/payments.processor';
import { PaymentCoreModule } from './payment-core.module';

/** Payments' worker side: webhook events, refunds and the sandbox's deliveries. Worker only. */
@Module({
  imports: [PaymentCoreModule],
  providers: [PaymentsProcessor],
})
export class PaymentsWorkerModule {}
