import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { CartsModule } from '../carts';
import { OutboxModule } from '../outbox';
import { AdminOrdersController } from './admin-orders.controller';
import { AdminOrdersService } from './admin-orders.service';
import { CheckoutController } from './checkout/checkout.controller';
import { CheckoutService } from './checkout/checkout.service';
import { OrdersCoreModule } from './orders-core.module';
import { OrderOpeningService } from './checkout/order-opening.service';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

@Module({
  imports: [OrdersCoreModule, CartsModule, AuditModule, OutboxModule],
  controllers: [CheckoutController, OrdersController, AdminOrdersController],
  providers: [CheckoutService, OrderOpeningService, OrdersService, AdminOrdersService],
})
export class OrdersModule {}
