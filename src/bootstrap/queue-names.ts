import { IDEMPOTENCY_QUEUE } from '@app/common';
import { CATALOG_QUEUE, CATALOG_IMPORT_QUEUE } from '../modules/catalog';
import { EVENTS_QUEUE, MAIL_QUEUE } from '../modules/notifications';
import { WEBHOOKS_QUEUE } from '../modules/notifications';
import { INVENTORY_QUEUE } from '../modules/inventory';
import { PAYMENTS_QUEUE } from '../modules/payments';
import { ORDERS_QUEUE } from '../modules/orders';
import { MAINTENANCE_QUEUE } from '../modules/outbox';
import { ANALYTICS_QUEUE } from '../modules/analytics';

/** Every Bull queue of Storekeep. The API registers them (to report depths), only the worker consumes. */
export const QUEUE_NAMES = [
  MAINTENANCE_QUEUE,
  MAIL_QUEUE,
  CATALOG_QUEUE,
  CATALOG_IMPORT_QUEUE,
  EVENTS_QUEUE,
  INVENTORY_QUEUE,
  IDEMPOTENCY_QUEUE,
  ORDERS_QUEUE,
  PAYMENTS_QUEUE,
  WEBHOOKS_QUEUE,
  ANALYTICS_QUEUE,
] as const;

export type QueueName = (typeof QUEUE_NAMES)[number];
