import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditRecorderModule } from '../audit';
import { OrderCoreModule } from '../orders';
import { OutboxModule } from '../outbox';
import { Payment, PaymentAttempt, PaymentEvent, PaymentRefund } from './entities/payment.entity';
import { SandboxCharge, SandboxRefund } from './entities/sandbox-charge.entity';
import { PaymentEventsService } from './payment-events.service';
import { PaymentSettlement } from './payment-settlement';
import { PaymentsRepository } from './payments.repository';
import { PaymentProviders } from './providers/payment-providers';
import { SandboxProvider } from './providers/sandbox.provider';
import { RefundsService } from './refunds.service';
import { CapturesService } from './captures.service';
import { PaymentReversals } from './payment-reversals';

/** What the API and the worker share: providers, settlement, events and refunds. */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      Payment,
      PaymentAttempt,
      PaymentEvent,
      PaymentRefund,
      SandboxCharge,
      SandboxRefund,
    ]),
    OrderCoreModule,
    OutboxModule,
    AuditRecorderModule,
  ],
  providers: [
    PaymentsRepository,
    SandboxProvider,
    PaymentProviders,
    PaymentSettlement,
    PaymentEventsService,
    RefundsService,
    CapturesService,
    PaymentReversals,
  ],
  exports: [
    CapturesService,
    PaymentReversals,
    PaymentsRepository,
    SandboxProvider,
    PaymentProviders,
    PaymentSettlement,
    PaymentEventsService,
    RefundsService,
    OrderCoreModule,
  ],
})
export class PaymentCoreModule {}
