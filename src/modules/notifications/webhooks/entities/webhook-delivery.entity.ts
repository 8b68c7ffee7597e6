import { CreatedAtColumn, TimestampColumn, UpdatedAtColumn } from '@app/database';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/**
 * One event for one endpoint. The id (`msg_…`, derived from the event and the endpoint) is the
 * `webhook-id` of every attempt; the body is rendered once, so every attempt sends the same bytes.
 */
@Entity({ name: 'webhook_deliveries' })
@Index('uq_webhook_deliveries_event_endpoint', ['eventId', 'endpointId'], { unique: true })
@Index('ix_webhook_deliveries_endpoint_created', ['endpointId', 'createdAt', 'id'])
@Index('ix_webhook_deliveries_endpoint_status_created', ['endpointId', 'status', 'createdAt', 'id'])
export class WebhookDelivery {
  @PrimaryColumn({ type: 'varchar', length: 40, name: 'id', charset: 'ascii', collation: 'ascii_bin' })
  id: string;

  @Column({ type: 'char', length: 36, name: 'endpoint_id' })
  endpointId: string;

  /** The outbox id of the domain event (`ping_…` for a test ping). */
  @Column({ type: 'varchar', length: 64, name: 'event_id' })
  eventId: string;

  @Column({ type: 'varchar', length: 64, name: 'event_type' })
  eventType: string;

  /** The JSON body, exactly as sent. */
  @Column({ type: 'mediumtext', name: 'body' })
  body: string;

  @Column({ type: 'enum', enum: WEBHOOK_DELIVERY_STATUSES, name: 'status', default: 'pending' })
  status: WebhookDeliveryStatus;

  /** Raised by each replay: attempts of an older series are ignored. */
  @Column({ type: 'int', unsigned: true, name: 'series', default: 0 })
  series: number;

  /** Attempts made, every series together. */
  @Column({ type: 'int', unsigned: true, name: 'attempt_count', default: 0 })
  attemptCount: number;

  @TimestampColumn('next_attempt_at', { nullable: true })
  nextAttemptAt: Date | null;

  @Column({ type: 'smallint', unsigned: true, name: 'last_status_code', nullable: true })
  lastStatusCode: number | null;

  @Column({ type: 'varchar', length: 512, name: 'last_error', nullable: true })
  lastError: string | null;

  @TimestampColumn('delivered_at', { nullable: true })
  deliveredAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
