import type { OutboxRoutes } from '../modules/outbox';
import { CATALOG_IMPORT_QUEUE, CatalogImportJobs, CATALOG_QUEUE, CatalogJobs } from '../modules/catalog';
import { EVENTS_QUEUE, MAIL_QUEUE, MailJobs } from '../modules/notifications';
import { WEBHOOKS_QUEUE, WebhooksJobs } from '../modules/notifications';
import { ORDERS_QUEUE, OrdersJobs } from '../modules/orders';
import { PAYMENTS_QUEUE, PaymentsJobs } from '../modules/payments';
import type { QueueName } from './queue-names';

/**
 * The queue each outbox job is published to: the queue whose processor handles it. Typed by the
 * OutboxJobs map, so a job a feature adds to the map does not compile until it has a route here.
 * The route is looked up when the row is written (the row stores its queue), so changing one here
 * leaves rows already written on their old queue.
 */
export const OUTBOX_ROUTE_TABLE: OutboxRoutes<QueueName> = {
  [CatalogJobs.invalidateCache]: CATALOG_QUEUE,
  [CatalogImportJobs.import]: CATALOG_IMPORT_QUEUE,
  [MailJobs.send]: MAIL_QUEUE,
  [OrdersJobs.expire]: ORDERS_QUEUE,
  [OrdersJobs.remindPayment]: ORDERS_QUEUE,
  [PaymentsJobs.processEvent]: PAYMENTS_QUEUE,
  [PaymentsJobs.capture]: PAYMENTS_QUEUE,
  [PaymentsJobs.void]: PAYMENTS_QUEUE,
  [PaymentsJobs.refund]: PAYMENTS_QUEUE,
  'order.placed': EVENTS_QUEUE,
  'order.paid': EVENTS_QUEUE,
  'order.cancelled': EVENTS_QUEUE,
  'order.fulfilled': EVENTS_QUEUE,
  'order.shipped': EVENTS_QUEUE,
  'order.delivered': EVENTS_QUEUE,
  'order.refunded': EVENTS_QUEUE,
  'payment.succeeded': EVENTS_QUEUE,
  'payment.failed': EVENTS_QUEUE,
  'payment.refunded': EVENTS_QUEUE,
  'payment.late-refund': EVENTS_QUEUE,
  'inventory.low-stock': EVENTS_QUEUE,
  'inventory.availability-changed': EVENTS_QUEUE,
  'job.failed': EVENTS_QUEUE,
  [WebhooksJobs.deliver]: WEBHOOKS_QUEUE,
};
