import { SecretBox } from '@app/common';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OutboxModule } from '../../outbox';
import { WebhookAttempt } from './entities/webhook-attempt.entity';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { WebhookEndpoint } from './entities/webhook-endpoint.entity';
import { WebhooksRepository } from './webhooks.repository';

/** What the API and the worker sides of webhooks share: the tables, the secrets and the outbox. */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookEndpoint, WebhookDelivery, WebhookAttempt]), OutboxModule],
  providers: [WebhooksRepository, SecretBox],
  exports: [WebhooksRepository, SecretBox, OutboxModule],
})
export class WebhooksCoreModule {}
