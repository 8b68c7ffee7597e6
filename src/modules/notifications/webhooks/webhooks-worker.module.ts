import { Module } from '@nestjs/common';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookFanoutService } from './webhook-fanout.service';
import { WebhookSenderService } from './webhook-sender.service';
import { WebhooksCoreModule } from './webhooks-core.module';
import { WebhooksProcessor } from './webhooks.processor';

/**
 * The worker side: WebhookFanoutService (a DOMAIN_EVENT_HANDLERS subscriber) turns events into
 * deliveries; the processor makes the attempts. Needs the WEBHOOK_RESOURCES port bound at the root.
 */
@Module({
  imports: [WebhooksCoreModule],
  providers: [WebhookSenderService, WebhookDeliveryService, WebhookFanoutService, WebhooksProcessor],
  exports: [WebhookFanoutService],
})
export class WebhooksWorkerModule {}
