import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditRecorderModule } from '../audit';
import { OrdersCoreModule } from '../orders';
import { OutboxModule } from '../outbox';
import { Payment, PaymentAttempt, PaymentEvent, PaymentRefund } from './entities/payment.entity';
import { SandboxCharge, SandboxRefund } from './entities/sandbox-charge.entity';
import { PaymentEventsService } from './intake/payment-events.service';
import { PaymentSettlementService } from './settlement/payment-settlement.service';
import { PaymentsRepository } from './payments.repository';
import { PaymentProviderRegistry } from './providers/payment-provider.registry';
import { SandboxProvider } from './providers/sandbox.provider';
import { RefundsService } from './settlement/refunds.service';
import { RefundSalesFactsService } from './settlement/refund-sales-facts.service';
import { CapturesService } from './settlement/captures.service';
import { PaymentReversalsService } from './settlement/payment-reversals.service';

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
    OrdersCoreModule,
    OutboxModule,
    AuditRecorderModule,
  ],
  providers: [
    PaymentsRepository,
    SandboxProvider,
    PaymentProviderRegistry,
    PaymentSettlementService,
    PaymentEventsService,
    RefundsService,
    CapturesService,
    PaymentReversalsService,
    RefundSalesFactsService,
  ],
  exports: [
    CapturesService,
    PaymentReversalsService,
    PaymentsRepository,
    SandboxProvider,
    PaymentProviderRegistry,
    PaymentSettlementService,
    PaymentEventsService,
    RefundsService,
    RefundSalesFactsService,
    OrdersCoreModule,
  ],
})
export class PaymentsCoreModule {}
