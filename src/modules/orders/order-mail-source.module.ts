import { Global, Module } from '@nestjs/common';
import { ORDER_MAIL_SOURCE } from '../notifications';
import { OrderMailSourceAdapter } from './order-mail-source.adapter';
import { OrdersCoreModule } from './orders-core.module';

/**
 * Provides the notifications' ORDER_MAIL_SOURCE port. Global, because the order mail handler that
 * injects it lives in a module the orders feature depends on; the worker imports this once at its root.
 */
@Global()
@Module({
  imports: [OrdersCoreModule],
  providers: [OrderMailSourceAdapter, { provide: ORDER_MAIL_SOURCE, useExisting: OrderMailSourceAdapter }],
  exports: [ORDER_MAIL_SOURCE],
})
export class OrderMailSourceModule {}
