import { CreatedAtColumn, TimestampColumn, UpdatedAtColumn } from '@app/database';
import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export const PAYMENT_PROVIDERS = ['manual', 'sandbox', 'stripe'] as const;
export const PAYMENT_STATES = [
  'pending',
  'requires_action',
  'authorized',
  'captured',
  'partially_refunded',
  'refunded',
  'voided',
  'failed',
] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];

/** One attempt to get an order's money: which provider, how much, where it stands. */
@Entity({ name: 'payments' })
@Index('ix_payments_order', ['orderId', 'createdAt'])
@Index('ix_payments_state_reconciled', ['state', 'reconciledAt'])
@Index('uq_payments_provider_reference', ['provider', 'providerReference'], { unique: true })
export class Payment {
  @PrimaryColumn({ type: 'char', length: 36, name: 'id' })
  id: string;

  @Column({ type: 'char', length: 36, name: 'order_id' })
  orderId: string;

  @Column({ type: 'enum', enum: PAYMENT_PROVIDERS, name: 'provider' })
  provider: (typeof PAYMENT_PROVIDERS)[number];

  @Column({ type: 'varchar', length: 100, name: 'provider_reference', nullable: true })
  providerReference: string | null;

  @Column({ type: 'int', unsigned: true, name: 'amount' })
  amount: number;

  @Column({ type: 'char', length: 3, name: 'currency' })
  currency: string;

  @Column({ type: 'enum', enum: PAYMENT_STATES, name: 'state' })
  state: PaymentState;

  @Column({ type: 'int', unsigned: true, name: 'captured_amount', default: 0 })
  capturedAmount: number;

  @Column({ type: 'int', unsigned: true, name: 'refunded_amount', default: 0 })
  refundedAmount: number;

  @Column({ type: 'varchar', length: 100, name: 'failure_code', nullable: true })
  failureCode: string | null;

  @Column({ type: 'varchar', length: 500, name: 'failure_message', nullable: true })
  failureMessage: string | null;

  /** Why staff must look at it (an event whose amount or currency did not match). */
  @Column({ type: 'varchar', length: 500, name: 'flagged_reason', nullable: true })
  flaggedReason: string | null;

  /**
   * When its money started going back by itself (it came for a payment recorded as failed, or for a
   * cancelled order): from then on it never pays the order nor stands in the way of one that will.
   */
  @TimestampColumn('given_back_at', { nullable: true })
  givenBackAt: Date | null;

  /** The provider time of the newest event applied: older events arriving later cannot undo it. */
  @TimestampColumn('last_event_at', { nullable: true })
  lastEventAt: Date | null;

  /** When reconciliation last asked the provider about it: each run asks the longest-unasked first. */
  @TimestampColumn('reconciled_at', { nullable: true })
  reconciledAt: Date | null;

  /**
   * SHA-256 of the Idempotency-Key of the request that started it: only a retry of that request
   * re-drives a pending payment; any other request waits for it to settle (409).
   */
  @Column({ type: 'char', length: 64, name: 'request_key_hash', nullable: true })
  requestKeyHash: string | null;

  @Column({ type: 'varchar', length: 100, name: 'recorded_by', nullable: true })
  recordedBy: string | null;

  @Column({ type: 'int', unsigned: true, name: 'version', default: 1 })
  version: number;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}

/** Every call made to a provider and what came back: the payment's history. */
@Entity({ name: 'payment_attempts' })
@Index('ix_payment_attempts_payment', ['paymentId', 'id'])
export class PaymentAttempt {
  @PrimaryGeneratedColumn({ type: 'bigint', unsigned: true, name: 'id' })
  id: string;

  @Column({ type: 'char', length: 36, name: 'payment_id' })
  paymentId: string;

  @Column({ type: 'varchar', length: 80, name: 'operation' })
  operation: string;

  @Column({ type: 'varchar', length: 150, name: 'idempotency_key', nullable: true })
  idempotencyKey: string | null;

  @Column({ type: 'varchar', length: 30, name: 'outcome' })
  outcome: string;

  @Column({ type: 'varchar', length: 500, name: 'detail', nullable: true })
  detail: string | null;

  @CreatedAtColumn()
  createdAt: Date;
}

/** A provider's webhook event, recorded once: a duplicate delivery has no second effect. */
@Entity({ name: 'payment_events' })
export class PaymentEvent {
  @PrimaryColumn({ type: 'enum', enum: PAYMENT_PROVIDERS, name: 'provider' })
  provider: (typeof PAYMENT_PROVIDERS)[number];

  @PrimaryColumn({ type: 'varchar', length: 100, name: 'event_id' })
  eventId: string;

  @Column({ type: 'varchar', length: 60, name: 'type' })
  type: string;

  @Column({ type: 'json', name: 'event' })
  event: Record<string, unknown>;

  @TimestampColumn('processed_at', { nullable: true })
  processedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;
}

export const REFUND_STATES = ['pending', 'succeeded', 'failed'] as const;

/** Money going back: one row per refund, its id the provider idempotency key of that effect. */
@Entity({ name: 'payment_refunds' })
@Index('ix_payment_refunds_payment', ['paymentId', 'createdAt'])
// One refund at the provider is recorded once: a job that ran twice cannot book it against two rows.
@Index('uq_payment_refunds_provider_reference', ['paymentId', 'providerReference'], { unique: true })
export class PaymentRefund {
  @PrimaryColumn({ type: 'char', length: 36, name: 'id' })
  id: string;

  @Column({ type: 'char', length: 36, name: 'payment_id' })
  paymentId: string;

  @Column({ type: 'int', unsigned: true, name: 'amount' })
  amount: number;

  @Column({ type: 'enum', enum: REFUND_STATES, name: 'state' })
  state: (typeof REFUND_STATES)[number];

  @Column({ type: 'varchar', length: 100, name: 'provider_reference', nullable: true })
  providerReference: string | null;

  @Column({ type: 'varchar', length: 500, name: 'reason', nullable: true })
  reason: string | null;

  @Column({ type: 'varchar', length: 100, name: 'requested_by' })
  requestedBy: string;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
