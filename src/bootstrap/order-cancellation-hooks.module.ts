import { Global, Module } from '@nestjs/common';
import { ORDER_CANCELLATION_HOOKS, type OrderCancellationHook } from '../modules/orders';
import { PaymentsCoreModule, PaymentReversalsService } from '../modules/payments';

/**
 * Every feature that acts in the transaction that cancels an order, named in one place the framework
 * can see (orders cannot import them). Global, because the order state machine that injects the list
 * lives in a module those features import themselves. Both the API and the worker import it.
 */
@Global()
@Module({
  imports: [PaymentsCoreModule],
  providers: [
    {
      provide: ORDER_CANCELLATION_HOOKS,
      useFactory: (...hooks: OrderCancellationHook[]): readonly OrderCancellationHook[] => hooks,
      inject: [PaymentReversalsService],
    },
  ],
  exports: [ORDER_CANCELLATION_HOOKS],
})
export class OrderCancellationHooksModule {}
