import { REDIS_CLIENT } from '@app/common';
import { AppConfig } from '@app/config';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import type { DomainEventEnvelope, DomainEventHandler } from '../events/domain-event-handler';
import { ORDER_AUDIENCE, type OrderAudience } from './order-audience.port';
import { REALTIME_STREAM_KEY, type RealtimeEvent } from './realtime-events';

/**
 * Marks the event published and appends it in one atomic step, so a redelivered event (Bull is
 * at-least-once) is never appended twice and a failed append is retried. The stream keeps only the
 * configured history (MINID trimming, approximate so Redis trims whole nodes).
 */
const PUBLISH_ONCE = `
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return redis.call('XADD', KEYS[2], 'MINID', '~', ARGV[2], '*', 'event', ARGV[3])
end
return false`;

/** The worker side of real-time events: every domain event goes to the Redis stream the API replicas read. */
@Injectable()
export class RealtimePublisherService implements DomainEventHandler {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(ORDER_AUDIENCE) private readonly orders: OrderAudience,
    private readonly config: AppConfig,
  ) {}

  async handle(envelope: DomainEventEnvelope): Promise<void> {
    const historySeconds = this.config.realtime.historyHours * 3600;
    const event = await this.toRealtimeEvent(envelope);
    await this.redis.eval(
      PUBLISH_ONCE,
      2,
      `realtime:published:${envelope.id}`,
      REALTIME_STREAM_KEY,
      String(historySeconds),
      `${Date.now() - historySeconds * 1000}-0`,
      JSON.stringify(event),
    );
  }

  /** The stream entry: order and payment events carry their order's customer, so API filters need no lookup. */
  private async toRealtimeEvent(envelope: DomainEventEnvelope): Promise<RealtimeEvent> {
    const payload = envelope.payload as { orderId?: unknown; customerId?: unknown };
    const orderId = typeof payload.orderId === 'string' ? payload.orderId : null;
    let customerId = typeof payload.customerId === 'string' ? payload.customerId : null;
    if (customerId === null && orderId !== null && !('customerId' in payload))
      customerId = (await this.orders.customerOf(orderId)) ?? null;
    return {
      id: envelope.id,
      type: envelope.type,
      timestamp: envelope.timestamp,
      customerId,
      orderId,
      data: envelope.payload,
    };
  }
}
