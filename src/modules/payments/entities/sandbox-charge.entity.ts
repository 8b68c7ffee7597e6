import { CreatedAtColumn, UpdatedAtColumn } from '@app/database';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The sandbox provider's own books: what a real provider keeps on its side (a PaymentIntent). It
 * lives in Storekeep's database only because the sandbox is built in; Storekeep's payment code
 * never reads it — it talks to the sandbox through the provider interface and its webhooks.
 */
@Entity({ name: 'sandbox_charges' })
@Index('uq_sandbox_charges_idempotency', ['idempotencyKey'], { unique: true })
export class SandboxCharge {
  @PrimaryColumn({ type: 'varchar', length: 40, name: 'id' })
  id: string;

  @Column({ type: 'varchar', length: 150, name: 'idempotency_key' })
  idempotencyKey: string;

  @Column({ type: 'char', length: 36, name: 'payment_id' })
  paymentId: string;

  @Column({ type: 'varchar', length: 30, name: 'card' })
  card: string;

  @Column({ type: 'int', unsigned: true, name: 'amount' })
  amount: number;

  @Column({ type: 'char', length: 3, name: 'currency' })
  currency: string;

  @Column({ type: 'varchar', length: 40, name: 'state' })
  state: string;

  @Column({ type: 'int', unsigned: true, name: 'captured', default: 0 })
  captured: number;

  @Column({ type: 'int', unsigned: true, name: 'refunded', default: 0 })
  refunded: number;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}

/** The sandbox's refunds, one per idempotency key (a retried refund finds its earlier effect). */
@Entity({ name: 'sandbox_refunds' })
export class SandboxRefund {
  @PrimaryColumn({ type: 'varchar', length: 150, name: 'idempotency_key' })
  idempotencyKey: string;

  @Column({ type: 'varchar', length: 40, name: 'id' })
  id: string;

  @Column({ type: 'varchar', length: 40, name: 'charge_id' })
  chargeId: string;

  @Column({ type: 'int', unsigned: true, name: 'amount' })
  amount: number;

  @CreatedAtColumn()
  createdAt: Date;
}
