import { Global, Module } from '@nestjs/common';
import { WEBHOOK_RESOURCES } from '../notifications';
import { OrdersCoreModule } from './orders-core.module';
import { WebhookResourcesAdapter } from './webhook-resources.adapter';

/**
 * Provides notifications' WEBHOOK_RESOURCES port (webhook bodies carry the order as the API returns
 * it). Global, because the webhooks module that injects it cannot import orders; the worker's root
 * imports this once.
 */
@Global()
@Module({
  imports: [OrdersCoreModule],
  providers: [WebhookResourcesAdapter, { provide: WEBHOOK_RESOURCES, useExisting: WebhookResourcesAdapter }],
  exports: [WEBHOOK_RESOURCES],
})
export class WebhookResourcesModule {}
