import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { PromotionRule } from '../promotions';
import { CartAccessService, type CartCaller } from './cart-access.service';
import { CartQuote, CartQuotesService } from './cart-quotes.service';
import { CartClosedError, CartNotFoundError } from './carts.errors';
import {
  type CartFields,
  type CartPricingRead,
  CartsRepository,
  type PricingReadOptions,
} from './carts.repository';
import type { CartDto } from './dto/cart.response.dto';
import type { Cart, CartItem } from './entities/cart.entity';

/** What a write did: the cart's new item list and/or the cart as it left it (and a new promotion). */
export interface CartChange {
  items?: CartItem[];
  cart?: Cart;
  promotion?: PromotionRule | null;
}

type ReadOptions = Pick<PricingReadOptions, 'variantId'>;

/** A write whose only statement is on the cart row, tried without a lock this many times. */
const UNLOCKED_ATTEMPTS = 3;

const withFields = (cart: Cart, fields: CartFields, updatedAt: Date): Cart => ({
  ...cart,
  ...fields,
  version: cart.version + 1,
  updatedAt,
});

/**
 * The shapes of every cart write, shared by the line and the detail use cases. Each answers with the
 * cart priced from one read (CartsRepository.findForPricing) plus its own change — never reading back
 * what it just wrote.
 */
@Injectable()
export class CartWritesService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly carts: CartsRepository,
    private readonly access: CartAccessService,
    private readonly quotes: CartQuotesService,
  ) {}

  /**
   * The cart this caller may use, locked and read for pricing in one statement; a guest cart that a
   * signed-in customer presents is taken over first (then read again: the slow path, once per cart).
   */
  async readLocked(
    manager: EntityManager,
    caller: CartCaller,
    id: string,
    options: ReadOptions & { takeOver?: 'merge' | 'refuse' } = {},
  ): Promise<CartPricingRead> {
    const read = await this.carts.findForPricing(manager, id, { ...options, lock: true });
    if (!read) throw new CartNotFoundError(id);
    if (this.access.check(caller, read.cart, options.takeOver) === 'allowed') return read;
    const cart = await this.access.resolve(manager, caller, id, true, options.takeOver);
    return (await this.carts.findForPricing(manager, cart.id, { ...options, lock: true }))!;
  }

  /**
   * A write to a cart inside its lock: `work` changes items and/or the cart (bumping the stored
   * version as its statements do; a new line needs no bump, see cartVersion).
   */
  mutate(
    caller: CartCaller,
    id: string,
    work: (manager: EntityManager, read: CartPricingRead) => Promise<CartChange>,
    options: ReadOptions = {},
  ): Promise<CartDto> {
    return this.transactions.run(async (manager) => {
      const read = await this.readLocked(manager, caller, id, options);
      if (read.cart.status !== 'active') throw new CartClosedError(read.cart.status, read.cart.orderId);
      const change = await work(manager, read);
      return this.quote({
        ...read,
        cart: change.cart ?? read.cart,
        items: change.items ?? read.items,
        promotion: change.promotion === undefined ? read.promotion : change.promotion,
      }).view;
    });
  }

  /**
   * A write of cart fields only, without a transaction: one read to check and decide, one UPDATE that
   * applies only if the cart row is still as read (else read again), and one read to answer with —
   * lines added meanwhile take no lock on the cart row, so what the first read found may lack them.
   * `decide` may throw to refuse. A guest cart presented by a customer, or a cart that keeps changing
   * under us, takes the locked path instead.
   */
  async updateFields(
    caller: CartCaller,
    id: string,
    decide: (manager: EntityManager, read: CartPricingRead) => Promise<CartFields>,
  ): Promise<CartDto> {
    const manager = this.carts.manager;
    for (let attempt = 1; attempt <= UNLOCKED_ATTEMPTS; attempt++) {
      const read = await this.carts.findForPricing(manager, id);
      if (!read) throw new CartNotFoundError(id);
      if (this.access.check(caller, read.cart) === 'take-over') break;
      if (read.cart.status !== 'active') throw new CartClosedError(read.cart.status, read.cart.orderId);
      if (await this.carts.updateIfUnchanged(read.cart, await decide(manager, read)))
        return this.quote((await this.carts.findForPricing(manager, id))!).view;
    }
    return this.mutate(caller, id, async (locked, read) => {
      const fields = await decide(locked, read);
      return { cart: withFields(read.cart, fields, await this.carts.update(locked, read.cart.id, fields)) };
    });
  }

  /** The cart as read, priced. */
  quote(read: CartPricingRead): CartQuote {
    return this.quotes.quote(read);
  }
}
