import { SecretBox } from '@app/common';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OutboxModule } from '../outbox';
import { SentNotification } from './entities/sent-notification.entity';
import { JobFailureCounterService } from './failed-jobs/job-failure-counter.service';
import { JobFailuresService } from './failed-jobs/job-failures.service';
import { OrderMailService } from './order-mail/order-mail.service';
import { SentNotificationsRepository } from './order-mail/sent-notifications.repository';
import {
  DOMAIN_EVENT_HANDLERS,
  SALES_ROLLUP_HANDLER,
  type DomainEventHandler,
} from './events/domain-event-handler';
import { EventsProcessor } from './events/events.processor';
import { MailProcessor } from './jobs/mail.processor';
import { MailTransportService } from './mail/mail-transport.service';
import { MailService } from './mail/mail.service';
import { WebhookFanoutService } from './webhooks/webhook-fanout.service';
import { WebhooksWorkerModule } from './webhooks/webhooks-worker.module';
import { RealtimePublisherService } from './realtime/realtime-publisher.service';

/**
 * The worker side of notifications: sends mail over SMTP and hands every domain event to its
 * subscribers (the list below, in order). Imported only by the worker.
 */
@Module({
  imports: [TypeOrmModule.forFeature([SentNotification]), OutboxModule, WebhooksWorkerModule],
  providers: [
    SentNotificationsRepository,
    JobFailureCounterService,
    JobFailuresService,
    OrderMailService,
    SecretBox,
    MailTransportService,
    MailService,
    MailProcessor,
    EventsProcessor,
    RealtimePublisherService,
    {
      provide: DOMAIN_EVENT_HANDLERS,
      useFactory: (...handlers: Array<DomainEventHandler | undefined>): readonly DomainEventHandler[] =>
        handlers.filter((handler): handler is DomainEventHandler => handler !== undefined),
      inject: [
        OrderMailService,
        WebhookFanoutService,
        RealtimePublisherService,
        { token: SALES_ROLLUP_HANDLER, optional: true },
      ],
    },
  ],
})
export class NotificationsWorkerModule {}
