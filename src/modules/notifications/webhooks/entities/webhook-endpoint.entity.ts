import { CreatedAtColumn, TimestampColumn, UpdatedAtColumn } from '@app/database';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const WEBHOOK_DISABLED_REASONS = ['manual', 'gone', 'failing'] as const;
export type WebhookDisabledReason = (typeof WEBHOOK_DISABLED_REASONS)[number];

/** A URL staff registered to receive signed domain events. Its secrets are sealed (SecretBox). */
@Entity({ name: 'webhook_endpoints' })
@Index('ix_webhook_endpoints_enabled', ['enabled'])
export class WebhookEndpoint {
  /** UUIDv7: time-ordered, so "newest" is the id order. */
  @PrimaryColumn({ type: 'char', length: 36, name: 'id' })
  id: string;

  @Column({ type: 'varchar', length: 2048, name: 'url' })
  url: string;

  @Column({ type: 'varchar', length: 500, name: 'description', nullable: true })
  description: string | null;

  /** Filters: `*`, `order.*`, `payment.succeeded`… */
  @Column({ type: 'json', name: 'event_types' })
  eventTypes: string[];

  @Column({ type: 'boolean', name: 'enabled', default: true })
  enabled: boolean;

  @Column({ type: 'varchar', length: 16, name: 'disabled_reason', nullable: true })
  disabledReason: WebhookDisabledReason | null;

  @TimestampColumn('disabled_at', { nullable: true })
  disabledAt: Date | null;

  /** SecretBox envelope of `whsec_…` (associated data: the endpoint id). */
  @Column({ type: 'varchar', length: 512, name: 'secret_sealed' })
  secretSealed: string;

  /** The secret before the last rotation, still signing until `previous_secret_expires_at`. */
  @Column({ type: 'varchar', length: 512, name: 'previous_secret_sealed', nullable: true })
  previousSecretSealed: string | null;

  @TimestampColumn('previous_secret_expires_at', { nullable: true })
  previousSecretExpiresAt: Date | null;

  /** Set at the first failed attempt after a success, cleared by the next success. */
  @TimestampColumn('failing_since', { nullable: true })
  failingSince: Date | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
