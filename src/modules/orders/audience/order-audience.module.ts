import { Global, Module } from '@nestjs/common';
import { ORDER_AUDIENCE } from '../../notifications';
import { OrdersCoreModule } from '../orders-core.module';
import { OrderAudienceAdapter } from './order-audience.adapter';

/**
 * Provides notifications' ORDER_AUDIENCE port (real-time events: whose an order is). Global, because
 * notifications cannot import orders; the API and the worker roots import it once.
 */
@Global()
@Module({
  imports: [OrdersCoreModule],
  providers: [OrderAudienceAdapter, { provide: ORDER_AUDIENCE, useExisting: OrderAudienceAdapter }],
  exports: [ORDER_AUDIENCE],
})
export class OrderAudienceModule {}
