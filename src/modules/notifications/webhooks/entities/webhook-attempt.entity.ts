import { TimestampColumn } from '@app/database';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const WEBHOOK_ATTEMPT_OUTCOMES = ['delivered', 'failed', 'gone', 'refused'] as const;
export type WebhookAttemptOutcome = (typeof WEBHOOK_ATTEMPT_OUTCOMES)[number];

/** One HTTP attempt of a delivery: when, what came back, how long it took. */
@Entity({ name: 'webhook_attempts' })
@Index('uq_webhook_attempts_delivery_series_attempt', ['deliveryId', 'series', 'attempt'], { unique: true })
export class WebhookAttempt {
  @PrimaryGeneratedColumn({ type: 'bigint', unsigned: true, name: 'id' })
  id: string;

  @Column({ type: 'varchar', length: 40, name: 'delivery_id', charset: 'ascii', collation: 'ascii_bin' })
  deliveryId: string;

  @Column({ type: 'int', unsigned: true, name: 'series' })
  series: number;

  /** 1 for the first attempt of the series. */
  @Column({ type: 'int', unsigned: true, name: 'attempt' })
  attempt: number;

  @TimestampColumn('attempted_at')
  attemptedAt: Date;

  @Column({ type: 'enum', enum: WEBHOOK_ATTEMPT_OUTCOMES, name: 'outcome' })
  outcome: WebhookAttemptOutcome;

  @Column({ type: 'smallint', unsigned: true, name: 'status_code', nullable: true })
  statusCode: number | null;

  @Column({ type: 'int', unsigned: true, name: 'duration_ms' })
  durationMs: number;

  /** The start of the answer (at most 4 KiB). */
  @Column({ type: 'text', name: 'response_body', nullable: true })
  responseBody: string | null;

  @Column({ type: 'varchar', length: 512, name: 'error', nullable: true })
  error: string | null;
}
