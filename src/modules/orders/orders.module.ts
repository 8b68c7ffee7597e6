import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CartsModule } from '../carts/carts.module';
import { OutboxModule } from '../outbox/outbox.module';
import { AdminOrdersController } from './admin-orders.controller';
import { AdminOrdersService } from './admin-orders.service';
import { CheckoutController } from './checkout.controller';
import { CheckoutService } from './checkout.service';
import { OrderCoreModule } from './order-core.module';
import { OrderOpening } from './order-opening';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

@Module({
  imports: [OrderCoreModule, CartsModule, AuditModule, OutboxModule],
  controllers: [CheckoutController, OrdersController, AdminOrdersController],
  providers: [CheckoutService, OrderOpening, OrdersService, AdminOrdersService],
})
export class OrdersModule {}
