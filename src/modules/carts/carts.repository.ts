import type { PostalAddress } from '@app/common';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { Cart, CartItem } from './entities/cart.entity';

export type CartFields = Partial<
  Pick<
    Cart,
    | 'email'
    | 'promotionCode'
    | 'shippingMethodId'
    | 'shippingAddress'
    | 'billingAddress'
    | 'customerId'
    | 'tokenHash'
    | 'status'
    | 'orderId'
    | 'mergedIntoId'
  >
>;

interface CartRow {
  id: string;
  customer_id: string | null;
  token_hash: string | null;
  status: Cart['status'];
  email: string | null;
  currency: string;
  promotion_code: string | null;
  shipping_method_id: string | null;
  shipping_address: string | PostalAddress | null;
  billing_address: string | PostalAddress | null;
  order_id: string | null;
  merged_into_id: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const CART_COLUMNS =
  'id, customer_id, token_hash, status, email, currency, promotion_code, shipping_method_id, shipping_address, ' +
  'billing_address, order_id, merged_into_id, version, created_at, updated_at';

/** MariaDB keeps JSON as text, MySQL hands it over parsed: accept both. */
const json = (value: string | PostalAddress | null): PostalAddress | null =>
  typeof value === 'string' ? (JSON.parse(value) as PostalAddress) : value;

const toCart = (row: CartRow): Cart => ({
  id: row.id,
  customerId: row.customer_id,
  tokenHash: row.token_hash,
  status: row.status,
  email: row.email,
  currency: row.currency,
  promotionCode: row.promotion_code,
  shippingMethodId: row.shipping_method_id,
  shippingAddress: json(row.shipping_address),
  billingAddress: json(row.billing_address),
  orderId: row.order_id,
  mergedIntoId: row.merged_into_id,
  version: Number(row.version),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/**
 * Carts and their items: the only place that builds their SQL. The statements of every cart
 * request (read, lock, items, bump) are plain SQL: they run on each storefront call, and TypeORM's
 * query building cost more CPU than the database spent on them (BENCHMARKS.md, commerce).
 */
@Injectable()
export class CartsRepository {
  async insert(
    manager: EntityManager,
    fields: { customerId: string | null; tokenHash: string | null; currency: string; email: string | null },
  ): Promise<Cart> {
    const now = new Date();
    const cart: Cart = {
      id: uuidv7(),
      ...fields,
      status: 'active',
      promotionCode: null,
      shippingMethodId: null,
      shippingAddress: null,
      billingAddress: null,
      orderId: null,
      mergedIntoId: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    // Answered from what was written: a new cart is not read back.
    await manager.insert(Cart, cart);
    return cart;
  }

  async findById(manager: EntityManager, id: string): Promise<Cart | null> {
    const [row] = await manager.query<CartRow[]>(`SELECT ${CART_COLUMNS} FROM carts WHERE id = ?`, [id]);
    return row ? toCart(row) : null;
  }

  /** Locks the cart row: every write to a cart, and its checkout, queue on it. */
  async lockById(manager: EntityManager, id: string): Promise<Cart | null> {
    const [row] = await manager.query<CartRow[]>(
      `SELECT ${CART_COLUMNS} FROM carts WHERE id = ? FOR UPDATE`,
      [id],
    );
    return row ? toCart(row) : null;
  }

  /** The customer's open cart, locked (the newest, should there ever be two). */
  lockActiveOfCustomer(manager: EntityManager, customerId: string): Promise<Cart | null> {
    return manager
      .createQueryBuilder(Cart, 'cart')
      .setLock('pessimistic_write')
      .where('cart.customer_id = :customerId AND cart.status = :status', { customerId, status: 'active' })
      .orderBy('cart.created_at', 'DESC')
      .getOne();
  }

  /** Changes fields and bumps the version; returns the new `updatedAt`. */
  async update(manager: EntityManager, id: string, fields: CartFields): Promise<Date> {
    const updatedAt = new Date();
    if (Object.keys(fields).length === 0) {
      await manager.query('UPDATE carts SET version = version + 1, updated_at = ? WHERE id = ?', [
        updatedAt,
        id,
      ]);
      return updatedAt;
    }
    await manager
      .createQueryBuilder()
      .update(Cart)
      .set({ ...fields, updatedAt, version: () => 'version + 1' })
      .where('id = :id', { id })
      .execute();
    return updatedAt;
  }

  async itemsOf(manager: EntityManager, cartId: string): Promise<CartItem[]> {
    const rows = await manager.query<
      Array<{ id: string; cart_id: string; variant_id: string; quantity: number; created_at: Date }>
    >(
      'SELECT id, cart_id, variant_id, quantity, created_at FROM cart_items WHERE cart_id = ? ORDER BY created_at, id',
      [cartId],
    );
    return rows.map((row) => ({
      id: row.id,
      cartId: row.cart_id,
      variantId: row.variant_id,
      quantity: Number(row.quantity),
      createdAt: row.created_at,
    }));
  }

  async insertItem(
    manager: EntityManager,
    cartId: string,
    variantId: string,
    quantity: number,
  ): Promise<CartItem> {
    const item: CartItem = { id: uuidv7(), cartId, variantId, quantity, createdAt: new Date() };
    await manager.query(
      'INSERT INTO cart_items (id, cart_id, variant_id, quantity, created_at) VALUES (?, ?, ?, ?, ?)',
      [item.id, cartId, variantId, quantity, item.createdAt],
    );
    return item;
  }

  async setItemQuantity(manager: EntityManager, itemId: string, quantity: number): Promise<void> {
    await manager.query('UPDATE cart_items SET quantity = ? WHERE id = ?', [quantity, itemId]);
  }

  async deleteItem(manager: EntityManager, itemId: string): Promise<void> {
    await manager.delete(CartItem, { id: itemId });
  }

  /**
   * The carts created in [from, to) and what became of them: an order (checked out), a paid order.
   * Carts and orders are never deleted, so a range counts the same whenever it is asked; the carts
   * are read on ix_carts_created (created_at, order_id) alone, each order by its primary key.
   */
  async cohort(
    manager: EntityManager,
    from: Date,
    to: Date,
  ): Promise<{ created: number; checkedOut: number; paid: number }> {
    const [row] = await manager.query<Array<{ created: string; checked_out: string; paid: string }>>(
      `SELECT COUNT(*) AS created, COUNT(c.order_id) AS checked_out, COUNT(o.paid_at) AS paid
         FROM carts c LEFT JOIN orders o ON o.id = c.order_id
        WHERE c.created_at >= ? AND c.created_at < ?`,
      [from, to],
    );
    return { created: Number(row.created), checkedOut: Number(row.checked_out), paid: Number(row.paid) };
  }
}
