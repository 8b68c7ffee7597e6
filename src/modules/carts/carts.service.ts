import { hashToken, randomToken } from '@app/common';
import { AppConfig } from '@app/config';
import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CartAccessService, type CartCaller } from './cart-access.service';
import type { CartQuote } from './cart-quotes.service';
import { type CartChange, CartWritesService } from './cart-writes.service';
import {
  CartItemNotFoundError,
  CartLimitError,
  CartNotFoundError,
  VariantNotSellableError,
} from './carts.errors';
import { type CartPricingRead, CartsRepository } from './carts.repository';
import {
  MAX_LINE_QUANTITY,
  type AddCartItemDto,
  type CreateCartDto,
  type UpdateCartItemDto,
} from './dto/cart-input.dto';
import type { CartDto, CreatedCartDto } from './dto/cart.response.dto';
import type { Cart, CartItem } from './entities/cart.entity';

/** A new cart has nothing to read: no lines, no promotion, no destination. */
const emptyRead = (cart: Cart): CartPricingRead => ({
  cart,
  items: [],
  variants: new Map(),
  available: new Map(),
  promotion: null,
  shippingMethods: [],
  taxRate: null,
});

export type { CartCaller };

/**
 * Carts for guests and customers: starting one, reading it, its lines, and what checkout needs of it.
 * Every write locks the cart row and answers with the cart priced anew (CartWritesService).
 */
@Injectable()
export class CartsService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly carts: CartsRepository,
    private readonly access: CartAccessService,
    private readonly writes: CartWritesService,
    private readonly config: AppConfig,
  ) {}

  /** A customer gets their open cart (or a new one); a guest gets a new cart and its token, once. */
  async create(caller: CartCaller, dto: CreateCartDto): Promise<{ created: boolean; cart: CreatedCartDto }> {
    const fields = {
      customerId: caller.customer?.id ?? null,
      currency: this.config.catalog.currency,
      email: caller.customer?.email ?? dto.email?.toLowerCase() ?? null,
    };
    if (!caller.customer) {
      // A guest's new cart is one INSERT, atomic alone, and priced without a read: it is empty.
      const token = randomToken(24);
      const cart = await this.carts.insert(this.carts.manager, { ...fields, tokenHash: hashToken(token) });
      return { created: true, cart: { ...this.writes.quote(emptyRead(cart)).view, token } };
    }
    const customerId = caller.customer.id;
    return this.transactions.run(async (manager) => {
      // Locked, so two requests at once cannot both open a cart.
      const existing = await this.carts.lockActiveOfCustomer(manager, customerId);
      if (existing) {
        const read = await this.carts.findForPricing(manager, existing.id);
        return { created: false, cart: this.writes.quote(read!).view };
      }
      const cart = await this.carts.insert(manager, { ...fields, tokenHash: null });
      return { created: true, cart: this.writes.quote(emptyRead(cart)).view };
    });
  }

  /** One statement, no transaction; only a guest cart a customer presents is taken over (locked) first. */
  async get(caller: CartCaller, id: string): Promise<CartDto> {
    const read = await this.carts.findForPricing(this.carts.manager, id);
    if (!read) throw new CartNotFoundError(id);
    if (this.access.check(caller, read.cart) === 'allowed') return this.writes.quote(read).view;
    return this.transactions.run(
      async (manager) => this.writes.quote(await this.writes.readLocked(manager, caller, id)).view,
    );
  }

  addItem(caller: CartCaller, id: string, dto: AddCartItemDto): Promise<CartDto> {
    return this.writes.mutate(
      caller,
      id,
      async (manager, { cart, items, variants }) => {
        if (!variants.get(dto.variantId)?.sellable) throw new VariantNotSellableError(dto.variantId);
        const existing = items.find((item) => item.variantId === dto.variantId);
        if (existing) {
          const quantity = existing.quantity + dto.quantity;
          if (quantity > MAX_LINE_QUANTITY)
            throw new CartLimitError(
              `A line holds at most ${MAX_LINE_QUANTITY}; this one has ${existing.quantity}.`,
              { itemId: existing.id, limit: MAX_LINE_QUANTITY },
            );
          return this.setQuantity(manager, cart, items, existing, quantity);
        }
        if (items.length >= this.config.checkout.maxCartLines)
          throw new CartLimitError(`A cart holds at most ${this.config.checkout.maxCartLines} lines.`, {
            limit: this.config.checkout.maxCartLines,
          });
        // The INSERT alone: the cart's version counts its lines (cartVersion).
        const added = await this.carts.insertItem(manager, cart.id, dto.variantId, dto.quantity);
        return { items: [...items, added] };
      },
      { variantId: dto.variantId },
    );
  }

  updateItem(caller: CartCaller, id: string, itemId: string, dto: UpdateCartItemDto): Promise<CartDto> {
    return this.writes.mutate(caller, id, async (manager, { cart, items }) => {
      const item = items.find((candidate) => candidate.id === itemId);
      if (!item) throw new CartItemNotFoundError(itemId);
      return this.setQuantity(manager, cart, items, item, dto.quantity);
    });
  }

  removeItem(caller: CartCaller, id: string, itemId: string): Promise<CartDto> {
    return this.writes.mutate(caller, id, async (manager, { cart, items }) => {
      const item = items.find((candidate) => candidate.id === itemId);
      if (!item) throw new CartItemNotFoundError(itemId);
      await this.carts.deleteItem(manager, item.id);
      // One line fewer takes one off the cart's version (cartVersion): 2 on the counter moves it by 1.
      const updatedAt = await this.carts.update(manager, cart.id, {}, 2);
      return {
        items: items.filter((other) => other !== item),
        cart: { ...cart, version: cart.version + 2, updatedAt },
      };
    });
  }

  /** For checkout: the caller's cart, locked in the caller's transaction, and priced (one statement). */
  async lockAndQuote(manager: EntityManager, caller: CartCaller, id: string): Promise<CartQuote> {
    return this.writes.quote(await this.writes.readLocked(manager, caller, id, { takeOver: 'refuse' }));
  }

  private async setQuantity(
    manager: EntityManager,
    cart: Cart,
    items: CartItem[],
    item: CartItem,
    quantity: number,
  ): Promise<CartChange> {
    const updatedAt = await this.carts.setItemQuantityAndBump(manager, cart.id, item.id, quantity);
    return {
      items: items.map((other) => (other === item ? { ...item, quantity } : other)),
      cart: { ...cart, version: cart.version + 1, updatedAt },
    };
  }

  /** For checkout, in its transaction: the cart became `orderId` and takes no more changes. */
  async markCheckedOut(manager: EntityManager, cartId: string, orderId: string): Promise<void> {
    await this.carts.update(manager, cartId, { status: 'checked_out', orderId });
  }
}
