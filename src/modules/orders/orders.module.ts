import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { CartsModule } from '../carts';
import { OutboxModule } from '../outbox';
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
