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

/** Carts and their items: the only place that builds their SQL. */
@Injectable()
export class CartsRepository {
  async insert(
    manager: EntityManager,
    cart: { customerId: string | null; tokenHash: string | null; currency: string; email: string | null },
  ): Promise<Cart> {
    const id = uuidv7();
    await manager.insert(Cart, { id, ...cart, status: 'active', version: 1 });
    return (await this.findById(manager, id))!;
  }

  findById(manager: EntityManager, id: string): Promise<Cart | null> {
    return manager.findOne(Cart, { where: { id } });
  }

  /** Locks the cart row: every write to a cart, and its checkout, queue on it. */
  lockById(manager: EntityManager, id: string): Promise<Cart | null> {
    return manager
      .createQueryBuilder(Cart, 'cart')
      .setLock('pessimistic_write')
      .where('cart.id = :id', { id })
      .getOne();
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
    await manager
      .createQueryBuilder()
      .update(Cart)
      .set({ ...fields, updatedAt, version: () => 'version + 1' })
      .where('id = :id', { id })
      .execute();
    return updatedAt;
  }

  itemsOf(manager: EntityManager, cartId: string): Promise<CartItem[]> {
    return manager.find(CartItem, { where: { cartId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async insertItem(
    manager: EntityManager,
    cartId: string,
    variantId: string,
    quantity: number,
  ): Promise<CartItem> {
    const item: CartItem = { id: uuidv7(), cartId, variantId, quantity, createdAt: new Date() };
    await manager.insert(CartItem, item);
    return item;
  }

  async setItemQuantity(manager: EntityManager, itemId: string, quantity: number): Promise<void> {
    await manager.update(CartItem, { id: itemId }, { quantity });
  }

  async deleteItem(manager: EntityManager, itemId: string): Promise<void> {
    await manager.delete(CartItem, { id: itemId });
  }
}
