import type { Permission } from '@app/common';

/** The Redis stream every API replica reads (under the deployment's key prefix). */
export const REALTIME_STREAM_KEY = 'realtime:events';

/**
 * Which permission lets staff see an event type on their live feed. A type missing here reaches no
 * staff member (fail closed); customers and guests see only order and payment events of their orders.
 */
export const EVENT_TYPE_PERMISSIONS: Readonly<Record<string, Permission>> = {
  'order.placed': 'orders:manage',
  'order.paid': 'orders:manage',
  'order.cancelled': 'orders:manage',
  'order.fulfilled': 'orders:manage',
  'order.shipped': 'orders:manage',
  'order.delivered': 'orders:manage',
  'order.refunded': 'orders:manage',
  'payment.succeeded': 'payments:manage',
  'payment.failed': 'payments:manage',
  'payment.refunded': 'payments:manage',
  'payment.late-refund': 'payments:manage',
  'inventory.low-stock': 'inventory:write',
  'inventory.availability-changed': 'inventory:write',
  'job.failed': 'queues:manage',
};

/** What the worker writes to the stream for one domain event (field `event`, as JSON). */
export interface RealtimeEvent {
  /** The domain event's id (the outbox id). */
  id: string;
  type: string;
  timestamp: string;
  /** The customer the event concerns (order and payment events), for a cheap per-stream filter. */
  customerId: string | null;
  orderId: string | null;
  data: unknown;
}

/** One stream entry: the Redis stream id (the SSE `id:`) and the event. */
export interface RealtimeEntry {
  streamId: string;
  event: RealtimeEvent;
}

/** Who holds a stream, and so what it may receive. */
export type StreamAudience =
  | {
      kind: 'user';
      userId: string;
      sessionId: string;
      tokenEpoch: number;
      permissions: ReadonlySet<Permission>;
    }
  | { kind: 'guest'; orderId: string };

const isOwnersEvent = (type: string) => type.startsWith('order.') || type.startsWith('payment.');

/** Invariant 3 for events: a customer gets their own orders' events, a guest their order's, staff by permission. */
export function mayReceive(audience: StreamAudience, event: RealtimeEvent): boolean {
  if (audience.kind === 'guest') return isOwnersEvent(event.type) && event.orderId === audience.orderId;
  const permission = EVENT_TYPE_PERMISSIONS[event.type] as Permission | undefined;
  if (permission !== undefined && audience.permissions.has(permission)) return true;
  return isOwnersEvent(event.type) && event.customerId !== null && event.customerId === audience.userId;
}

const STREAM_ID = /^(\d{1,16})-(\d{1,16})$/;

export function isStreamId(value: string): boolean {
  return STREAM_ID.test(value);
}

/** Orders Redis stream ids (`<ms>-<seq>`): negative, zero or positive, like a comparator. */
export function compareStreamIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split('-').map(Number);
  const [bMs, bSeq] = b.split('-').map(Number);
  return aMs !== bMs ? aMs - bMs : aSeq - bSeq;
}

/** One SSE message: `id:` is the stream id, `event:` the type, `data:` the event as JSON (one line). */
export function formatSseMessage(entry: RealtimeEntry): string {
  const { event } = entry;
  const body = JSON.stringify({
    id: event.id,
    type: event.type,
    timestamp: event.timestamp,
    data: event.data,
  });
  return `id: ${entry.streamId}\nevent: ${event.type}\ndata: ${body}\n\n`;
}

/** Reads a stream entry's fields (`[name, value, …]`); undefined when it is not ours. */
export function parseStreamEntry(streamId: string, fields: string[]): RealtimeEntry | undefined {
  const index = fields.indexOf('event');
  if (index < 0 || index % 2 !== 0) return undefined;
  try {
    return { streamId, event: JSON.parse(fields[index + 1]) as RealtimeEvent };
  } catch {
    return undefined;
  }
}
