import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InventoryLedgerModule } from '../inventory';
import { OutboxModule } from '../outbox';
import { PromotionRulesModule } from '../promotions';
import {
  Fulfilment,
  FulfilmentLine,
  Order,
  OrderHistoryEntry,
  OrderLine,
  OrderNumber,
} from './entities/order.entity';
import { OrderExpiry } from './order-expiry.service';
import { OrderLookup } from './order-lookup';
import { OrderReads } from './order-reads';
import { OrderReturns } from './order-returns';
import { OrderTransitions } from './order-transitions';
import { OrdersRepository } from './orders.repository';
import { PaymentReminders } from './payment-reminders.service';

/** What the API and the worker share: the orders' SQL, the state machine and expiry. */
@Module({
  imports: [
    TypeOrmModule.forFeature([Order, OrderLine, OrderHistoryEntry, OrderNumber, Fulfilment, FulfilmentLine]),
    InventoryLedgerModule,
    PromotionRulesModule,
    OutboxModule,
  ],
  providers: [
    OrdersRepository,
    OrderTransitions,
    OrderReads,
    OrderExpiry,
    PaymentReminders,
    OrderLookup,
    OrderReturns,
  ],
  exports: [
    OrderLookup,
    OrdersRepository,
    OrderTransitions,
    OrderReads,
    OrderExpiry,
    PaymentReminders,
    OrderReturns,
    InventoryLedgerModule,
    PromotionRulesModule,
  ],
})
export class OrderCoreModule {}
