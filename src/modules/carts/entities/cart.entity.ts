import type { PostalAddress } from '@app/common';
import { CreatedAtColumn, UpdatedAtColumn } from '@app/database';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const CART_STATUSES = ['active', 'checked_out', 'merged'] as const;
export type CartStatus = (typeof CART_STATUSES)[number];

/**
 * A shopping cart. A guest's cart is addressed by id plus a secret token (stored hashed); a
 * customer's by id plus their session. Prices are never stored here: every read prices it anew.
 */
@Entity({ name: 'carts' })
@Index('ix_carts_customer_status', ['customerId', 'status'])
// The funnel report counts the carts created in a range, and which of them became an order.
@Index('ix_carts_created', ['createdAt', 'orderId'])
export class Cart {
  @PrimaryColumn({ type: 'char', length: 36, name: 'id' })
  id: string;

  @Column({ type: 'char', length: 36, name: 'customer_id', nullable: true })
  customerId: string | null;

  /** sha256 of the guest's cart token; null once a customer owns the cart. */
  @Column({ type: 'char', length: 64, name: 'token_hash', nullable: true })
  tokenHash: string | null;

  @Column({ type: 'enum', enum: CART_STATUSES, name: 'status', default: 'active' })
  status: CartStatus;

  @Column({ type: 'varchar', length: 320, name: 'email', nullable: true })
  email: string | null;

  @Column({ type: 'char', length: 3, name: 'currency' })
  currency: string;

  @Column({ type: 'varchar', length: 50, name: 'promotion_code', nullable: true })
  promotionCode: string | null;

  @Column({ type: 'char', length: 36, name: 'shipping_method_id', nullable: true })
  shippingMethodId: string | null;

  @Column({ type: 'json', name: 'shipping_address', nullable: true })
  shippingAddress: PostalAddress | null;

  @Column({ type: 'json', name: 'billing_address', nullable: true })
  billingAddress: PostalAddress | null;

  /** The order this cart became (status checked_out). */
  @Column({ type: 'char', length: 36, name: 'order_id', nullable: true })
  orderId: string | null;

  /** The customer cart this guest cart was merged into (status merged). */
  @Column({ type: 'char', length: 36, name: 'merged_into_id', nullable: true })
  mergedIntoId: string | null;

  @Column({ type: 'int', unsigned: true, name: 'version', default: 1 })
  version: number;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}

/** One variant in a cart; adding the same variant again raises the quantity. */
@Entity({ name: 'cart_items' })
@Index('uq_cart_items_cart_variant', ['cartId', 'variantId'], { unique: true })
export class CartItem {
  @PrimaryColumn({ type: 'char', length: 36, name: 'id' })
  id: string;

  @Column({ type: 'char', length: 36, name: 'cart_id' })
  cartId: string;

  @Column({ type: 'char', length: 36, name: 'variant_id' })
  variantId: string;

  @Column({ type: 'smallint', unsigned: true, name: 'quantity' })
  quantity: number;

  @CreatedAtColumn()
  createdAt: Date;
}
