import type { PostalAddress } from '@app/common';
import { CreatedAtColumn, TimestampColumn, UpdatedAtColumn } from '@app/database';
import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export const ORDER_STATUSES = [
  'pending_payment',
  'paid',
  'partially_fulfilled',
  'fulfilled',
  'shipped',
  'delivered',
  'cancelled',
  'partially_refunded',
  'refunded',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const PAYMENT_METHODS = ['card', 'bank_transfer', 'cash_on_delivery'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/**
 * An order: what was bought, at what price, for whom. Lines and amounts are snapshots taken at
 * checkout — later catalog edits never change an order.
 */
@Entity({ name: 'orders' })
@Index('uq_orders_number', ['number'], { unique: true })
@Index('uq_orders_cart', ['cartId'], { unique: true })
@Index('ix_orders_customer_created', ['customerId', 'createdAt', 'id'])
// Sales reports tell a guest's first order from a returning guest's by the email.
@Index('ix_orders_email_created', ['email', 'createdAt', 'id'])
@Index('ix_orders_status_created', ['status', 'createdAt', 'id'])
@Index('ix_orders_created', ['createdAt', 'id'])
@Index('ix_orders_expiry', ['status', 'expiresAt'])
// The nightly sales reconciliation finds the orders paid or cancelled in a window by these.
@Index('ix_orders_paid_at', ['paidAt'])
@Index('ix_orders_cancelled_at', ['cancelledAt'])
export class Order {
  @PrimaryColumn({ type: 'char', length: 36, name: 'id' })
  id: string;

  @Column({ type: 'varchar', length: 24, name: 'number' })
  number: string;

  /** A cart checks out once: the unique key makes a second order from it impossible. */
  @Column({ type: 'char', length: 36, name: 'cart_id' })
  cartId: string;

  @Column({ type: 'char', length: 36, name: 'customer_id', nullable: true })
  customerId: string | null;

  /** A guest order is read with its cart's token (sha256 stored); null for customers' orders. */
  @Column({ type: 'char', length: 64, name: 'token_hash', nullable: true })
  tokenHash: string | null;

  @Column({ type: 'varchar', length: 320, name: 'email' })
  email: string;

  @Column({ type: 'enum', enum: ORDER_STATUSES, name: 'status' })
  status: OrderStatus;

  @Column({ type: 'enum', enum: PAYMENT_METHODS, name: 'payment_method' })
  paymentMethod: PaymentMethod;

  @Column({ type: 'char', length: 3, name: 'currency' })
  currency: string;

  @Column({ type: 'enum', enum: ['tax_exclusive', 'tax_inclusive'], name: 'price_mode' })
  priceMode: 'tax_exclusive' | 'tax_inclusive';

  @Column({ type: 'int', unsigned: true, name: 'subtotal' })
  subtotal: number;

  @Column({ type: 'int', unsigned: true, name: 'discount' })
  discount: number;

  @Column({ type: 'int', unsigned: true, name: 'shipping' })
  shipping: number;

  @Column({ type: 'int', unsigned: true, name: 'shipping_tax' })
  shippingTax: number;

  @Column({ type: 'int', unsigned: true, name: 'tax' })
  tax: number;

  @Column({ type: 'int', unsigned: true, name: 'total' })
  total: number;

  @Column({ type: 'smallint', unsigned: true, name: 'tax_rate_bp' })
  taxRateBp: number;

  @Column({ type: 'varchar', length: 50, name: 'promotion_code', nullable: true })
  promotionCode: string | null;

  @Column({ type: 'char', length: 36, name: 'shipping_method_id', nullable: true })
  shippingMethodId: string | null;

  @Column({ type: 'varchar', length: 200, name: 'shipping_method_name', nullable: true })
  shippingMethodName: string | null;

  @Column({ type: 'json', name: 'shipping_address' })
  shippingAddress: PostalAddress;

  @Column({ type: 'json', name: 'billing_address' })
  billingAddress: PostalAddress;

  /**
   * An unpaid order is cancelled, and its stock released, at this time: the checkout reservation
   * for a card, the hold for a bank transfer; never (null) for cash on delivery.
   */
  @TimestampColumn('expires_at', { nullable: true })
  expiresAt: Date | null;

  /** When the customer was reminded to pay (bank transfer); set once, so the reminder goes once. */
  @TimestampColumn('payment_reminder_sent_at', { nullable: true })
  paymentReminderSentAt: Date | null;

  @TimestampColumn('paid_at', { nullable: true })
  paidAt: Date | null;

  @TimestampColumn('cancelled_at', { nullable: true })
  cancelledAt: Date | null;

  @Column({ type: 'int', unsigned: true, name: 'version', default: 1 })
  version: number;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}

/** A line as it was sold: title, SKU, price and tax copied at checkout. */
@Entity({ name: 'order_lines' })
@Index('ix_order_lines_order', ['orderId', 'position'])
export class OrderLine {
  @PrimaryColumn({ type: 'char', length: 36, name: 'id' })
  id: string;

  @Column({ type: 'char', length: 36, name: 'order_id' })
  orderId: string;

  @Column({ type: 'smallint', unsigned: true, name: 'position' })
  position: number;

  @Column({ type: 'char', length: 36, name: 'variant_id' })
  variantId: string;

  @Column({ type: 'char', length: 36, name: 'product_id' })
  productId: string;

  @Column({ type: 'varchar', length: 64, name: 'sku' })
  sku: string;

  @Column({ type: 'varchar', length: 200, name: 'title' })
  title: string;

  @Column({ type: 'varchar', length: 200, name: 'variant_title' })
  variantTitle: string;

  @Column({ type: 'int', unsigned: true, name: 'unit_price' })
  unitPrice: number;

  @Column({ type: 'smallint', unsigned: true, name: 'quantity' })
  quantity: number;

  @Column({ type: 'int', unsigned: true, name: 'subtotal' })
  subtotal: number;

  @Column({ type: 'int', unsigned: true, name: 'discount' })
  discount: number;

  @Column({ type: 'int', unsigned: true, name: 'tax' })
  tax: number;

  @Column({ type: 'int', unsigned: true, name: 'total' })
  total: number;

  @Column({ type: 'smallint', unsigned: true, name: 'fulfilled_quantity', default: 0 })
  fulfilledQuantity: number;

  /** Shipped units that came back and were put into stock again by a refund (never above shipped). */
  @Column({ type: 'smallint', unsigned: true, name: 'restocked_quantity', default: 0 })
  restockedQuantity: number;
}

/** Every status change of an order: who, when, why. Append-only. */
@Entity({ name: 'order_history' })
@Index('ix_order_history_order', ['orderId', 'id'])
export class OrderHistoryEntry {
  @PrimaryGeneratedColumn({ type: 'bigint', unsigned: true, name: 'id' })
  id: string;

  @Column({ type: 'char', length: 36, name: 'order_id' })
  orderId: string;

  @Column({ type: 'enum', enum: ORDER_STATUSES, name: 'from_status', nullable: true })
  fromStatus: OrderStatus | null;

  @Column({ type: 'enum', enum: ORDER_STATUSES, name: 'to_status' })
  toStatus: OrderStatus;

  @Column({ type: 'varchar', length: 100, name: 'actor' })
  actor: string;

  @Column({ type: 'varchar', length: 500, name: 'reason', nullable: true })
  reason: string | null;

  @CreatedAtColumn()
  createdAt: Date;
}

/**
 * Hands out order numbers: an AUTO_INCREMENT needs no lock held to the end of the transaction, so
 * concurrent checkouts do not queue on a counter row (gaps after a rollback are harmless).
 */
@Entity({ name: 'order_numbers' })
export class OrderNumber {
  @PrimaryGeneratedColumn({ type: 'bigint', unsigned: true, name: 'id' })
  id: string;

  @CreatedAtColumn()
  createdAt: Date;
}

/** Goods picked and handed to a carrier: some quantities of some lines. */
@Entity({ name: 'fulfilments' })
@Index('ix_fulfilments_order', ['orderId', 'createdAt'])
export class Fulfilment {
  @PrimaryColumn({ type: 'char', length: 36, name: 'id' })
  id: string;

  @Column({ type: 'char', length: 36, name: 'order_id' })
  orderId: string;

  @Column({ type: 'varchar', length: 100, name: 'carrier' })
  carrier: string;

  @Column({ type: 'varchar', length: 100, name: 'tracking_number' })
  trackingNumber: string;

  @Column({ type: 'varchar', length: 100, name: 'actor' })
  actor: string;

  @CreatedAtColumn()
  createdAt: Date;
}

@Entity({ name: 'fulfilment_lines' })
export class FulfilmentLine {
  @PrimaryColumn({ type: 'char', length: 36, name: 'fulfilment_id' })
  fulfilmentId: string;

  @PrimaryColumn({ type: 'char', length: 36, name: 'order_line_id' })
  orderLineId: string;

  @Column({ type: 'smallint', unsigned: true, name: 'quantity' })
  quantity: number;
}
