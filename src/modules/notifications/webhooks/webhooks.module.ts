import { Module } from '@nestjs/common';
import { AuditModule } from '../../audit';
import { AdminWebhookDeliveriesService } from './admin-webhook-deliveries.service';
import { AdminWebhooksController } from './admin-webhooks.controller';
import { AdminWebhooksService } from './admin-webhooks.service';
import { WebhooksCoreModule } from './webhooks-core.module';

/** `/v1/admin/webhooks`: endpoints, secrets, the delivery log, replays and pings. API only. */
@Module({
  imports: [WebhooksCoreModule, AuditModule],
  controllers: [AdminWebhooksController],
  providers: [AdminWebhooksService, AdminWebhookDeliveriesService],
})
export class WebhooksModule {}
