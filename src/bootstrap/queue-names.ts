import { IDEMPOTENCY_QUEUE } from '@app/common';
import { CATALOG_QUEUE } from '../modules/catalog/jobs/catalog.jobs';
import { EVENTS_QUEUE } from '../modules/notifications/jobs/events.jobs';
import { CATALOG_IMPORT_QUEUE } from '../modules/catalog/import/jobs/catalog-import.jobs';
import { INVENTORY_QUEUE } from '../modules/inventory/jobs/inventory.jobs';
import { PAYMENTS_QUEUE } from '../modules/payments/jobs/payments.jobs';
import { ORDERS_QUEUE } from '../modules/orders/jobs/orders.jobs';
import { MAIL_QUEUE } from '../modules/notifications/jobs/mail.jobs';
import { MAINTENANCE_QUEUE } from '../modules/outbox/jobs/outbox.jobs';

/** Every Bull queue of Storekeep. The API registers them (to report depths), only the worker consumes. */
export const QUEUE_NAMES: readonly string[] = [
  MAINTENANCE_QUEUE,
  MAIL_QUEUE,
  CATALOG_QUEUE,
  CATALOG_IMPORT_QUEUE,
  EVENTS_QUEUE,
  INVENTORY_QUEUE,
  IDEMPOTENCY_QUEUE,
  ORDERS_QUEUE,
  PAYMENTS_QUEUE,
];
