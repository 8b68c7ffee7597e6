import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { SellableVariant } from '../catalog';
import { CartAccessService, type CartCaller } from './cart-access.service';
import { CartQuote, CartQuotesService } from './cart-quotes.service';
import { CartClosedError } from './carts.errors';
import { type CartFields, CartsRepository } from './carts.repository';
import type { CartDto } from './dto/cart.response.dto';
import type { Cart, CartItem } from './entities/cart.entity';

/** What a write did: the cart's new item list and fields (and the variants it already read). */
export interface CartChange {
  items?: CartItem[];
  cart?: CartFields;
  variants?: Map<string, SellableVariant>;
}

/** The one shape of every cart write, shared by the line and the detail use cases. */
@Injectable()
export class CartWritesService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly carts: CartsRepository,
    private readonly access: CartAccessService,
    private readonly quotes: CartQuotesService,
  ) {}

  /**
   * A write to a cart: lock it, let `work` change items (returning the new list) and/or cart fields,
   * bump the version once, and answer with the cart priced from what is now in it — without reading
   * back what this transaction just wrote.
   */
  async mutate(
    caller: CartCaller,
    id: string,
    work: (manager: EntityManager, cart: Cart, items: CartItem[]) => Promise<CartChange>,
  ): Promise<CartDto> {
    return this.transactions.run(async (manager) => {
      const cart = await this.access.resolve(manager, caller, id, true);
      if (cart.status !== 'active') throw new CartClosedError(cart.status, cart.orderId);
      const items = await this.carts.itemsOf(manager, cart.id);
      const change = await work(manager, cart, items);
      const updatedAt = await this.carts.update(manager, cart.id, change.cart ?? {});
      const fresh: Cart = { ...cart, ...change.cart, version: cart.version + 1, updatedAt };
      return (await this.quotes.quote(manager, fresh, change.items ?? items, change.variants)).view;
    });
  }

  /** The cart priced from what is stored now. */
  async quoteOf(manager: EntityManager, cart: Cart): Promise<CartQuote> {
    return this.quotes.quote(manager, cart, await this.carts.itemsOf(manager, cart.id));
  }
}
