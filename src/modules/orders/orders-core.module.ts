import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InventoryCoreModule } from '../inventory';
import { OutboxModule } from '../outbox';
import { PromotionsCoreModule } from '../promotions';
import {
  Fulfilment,
  FulfilmentLine,
  Order,
  OrderHistoryEntry,
  OrderLine,
  OrderNumber,
} from './entities/order.entity';
import { OrderExpiryService } from './lifecycle/order-expiry.service';
import { OrderLookupService } from './order-lookup.service';
import { OrderReadsService } from './order-reads.service';
import { OrderSalesFactsService } from './order-sales-facts.service';
import { OrderReturnsService } from './lifecycle/order-returns.service';
import { OrderTransitionsService } from './lifecycle/order-transitions.service';
import { OrdersRepository } from './orders.repository';
import { PaymentRemindersService } from './lifecycle/payment-reminders.service';

/** What the API and the worker share: the orders' SQL, the state machine and expiry. */
@Module({
  imports: [
    TypeOrmModule.forFeature([Order, OrderLine, OrderHistoryEntry, OrderNumber, Fulfilment, FulfilmentLine]),
    InventoryCoreModule,
    PromotionsCoreModule,
    OutboxModule,
  ],
  providers: [
    OrdersRepository,
    OrderTransitionsService,
    OrderReadsService,
    OrderExpiryService,
    PaymentRemindersService,
    OrderLookupService,
    OrderReturnsService,
    OrderSalesFactsService,
  ],
  exports: [
    OrderLookupService,
    OrdersRepository,
    OrderTransitionsService,
    OrderReadsService,
    OrderExpiryService,
    PaymentRemindersService,
    OrderReturnsService,
    OrderSalesFactsService,
    InventoryCoreModule,
    PromotionsCoreModule,
  ],
})
export class OrdersCoreModule {}
