// The public surface of the notifications feature: what other features, the process roots and the
// tools may import. Anything not named here is internal (the dependency rule in .dependency-cruiser.cjs).
export { EVENTS_QUEUE } from './jobs/events.jobs';
export type { DomainEvents, OrderEvent } from './jobs/events.jobs';
export { MAIL_QUEUE, MAIL_SECRET_CONTEXT, MailJobs } from './mail/mail.jobs';
export type { MailTemplate, SendMailPayload } from './mail/mail.jobs';
export { NotificationsWorkerModule } from './notifications-worker.module';
export { NotificationsModule } from './notifications.module';
export { ORDER_MAIL_SOURCE } from './order-mail/order-mail-source.port';
export type { OrderForMail, OrderMailSource } from './order-mail/order-mail-source.port';
export { JobFailureCounterService } from './failed-jobs/job-failure-counter.service';
export { WEBHOOK_RESOURCES } from './webhooks/webhook-resources.port';
export type { WebhookResources } from './webhooks/webhook-resources.port';
export { WEBHOOKS_QUEUE, WebhooksJobs } from './webhooks/webhooks.jobs';
export { ORDER_AUDIENCE } from './realtime/order-audience.port';
export type { OrderAudience } from './realtime/order-audience.port';
export { EVENT_TYPE_PERMISSIONS } from './realtime/realtime-events';
export { SESSION_CHECK } from './realtime/session-check.port';
export type { SessionCheck, StreamSession } from './realtime/session-check.port';
export { SALES_ROLLUP_HANDLER } from './events/domain-event-handler';
export type { DomainEventEnvelope, DomainEventHandler } from './events/domain-event-handler';
