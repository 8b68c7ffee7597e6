import { hashToken, randomToken } from '@app/common';
import { AppConfig } from '@app/config';
import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { SellableVariantsService } from '../catalog';
import { CartAccessService, type CartCaller } from './cart-access.service';
import type { CartQuote } from './cart-quotes.service';
import { CartWritesService } from './cart-writes.service';
import { CartItemNotFoundError, CartLimitError, VariantNotSellableError } from './carts.errors';
import { CartsRepository } from './carts.repository';
import {
  MAX_LINE_QUANTITY,
  type AddCartItemDto,
  type CreateCartDto,
  type UpdateCartItemDto,
} from './dto/cart-input.dto';
import type { CartDto, CreatedCartDto } from './dto/cart.response.dto';

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
    private readonly variants: SellableVariantsService,
    private readonly config: AppConfig,
  ) {}

  /** A customer gets their open cart (or a new one); a guest gets a new cart and its token, once. */
  async create(caller: CartCaller, dto: CreateCartDto): Promise<{ created: boolean; cart: CreatedCartDto }> {
    return this.transactions.run(async (manager) => {
      if (caller.customer) {
        const existing = await this.carts.lockActiveOfCustomer(manager, caller.customer.id);
        if (existing) return { created: false, cart: (await this.writes.quoteOf(manager, existing)).view };
      }
      const token = caller.customer ? null : randomToken(24);
      const cart = await this.carts.insert(manager, {
        customerId: caller.customer?.id ?? null,
        tokenHash: token ? hashToken(token) : null,
        currency: this.config.catalog.currency,
        email: caller.customer?.email ?? dto.email?.toLowerCase() ?? null,
      });
      const { view } = await this.writes.quoteOf(manager, cart);
      return { created: true, cart: token ? { ...view, token } : view };
    });
  }

  async get(caller: CartCaller, id: string): Promise<CartDto> {
    return this.transactions.run(async (manager) => {
      const cart = await this.access.resolve(manager, caller, id, false);
      return (await this.writes.quoteOf(manager, cart)).view;
    });
  }

  addItem(caller: CartCaller, id: string, dto: AddCartItemDto): Promise<CartDto> {
    return this.writes.mutate(caller, id, async (manager, cart, items) => {
      // One read for the new variant and the ones already in the cart (the quote reuses it).
      const variants = await this.variants.findMany(manager, [
        ...new Set([...items.map((item) => item.variantId), dto.variantId]),
      ]);
      if (!variants.get(dto.variantId)?.sellable) throw new VariantNotSellableError(dto.variantId);
      const existing = items.find((item) => item.variantId === dto.variantId);
      if (existing) {
        const quantity = existing.quantity + dto.quantity;
        if (quantity > MAX_LINE_QUANTITY)
          throw new CartLimitError(
            `A line holds at most ${MAX_LINE_QUANTITY}; this one has ${existing.quantity}.`,
            { itemId: existing.id, limit: MAX_LINE_QUANTITY },
          );
        await this.carts.setItemQuantity(manager, existing.id, quantity);
        return { items: items.map((item) => (item === existing ? { ...item, quantity } : item)), variants };
      }
      if (items.length >= this.config.checkout.maxCartLines)
        throw new CartLimitError(`A cart holds at most ${this.config.checkout.maxCartLines} lines.`, {
          limit: this.config.checkout.maxCartLines,
        });
      const added = await this.carts.insertItem(manager, cart.id, dto.variantId, dto.quantity);
      return { items: [...items, added], variants };
    });
  }

  updateItem(caller: CartCaller, id: string, itemId: string, dto: UpdateCartItemDto): Promise<CartDto> {
    return this.writes.mutate(caller, id, async (manager, _cart, items) => {
      const item = items.find((candidate) => candidate.id === itemId);
      if (!item) throw new CartItemNotFoundError(itemId);
      await this.carts.setItemQuantity(manager, item.id, dto.quantity);
      return { items: items.map((other) => (other === item ? { ...item, quantity: dto.quantity } : other)) };
    });
  }

  removeItem(caller: CartCaller, id: string, itemId: string): Promise<CartDto> {
    return this.writes.mutate(caller, id, async (manager, _cart, items) => {
      const item = items.find((candidate) => candidate.id === itemId);
      if (!item) throw new CartItemNotFoundError(itemId);
      await this.carts.deleteItem(manager, item.id);
      return { items: items.filter((other) => other !== item) };
    });
  }

  /** For checkout: the caller's cart, locked in the caller's transaction, and priced. */
  async lockAndQuote(manager: EntityManager, caller: CartCaller, id: string): Promise<CartQuote> {
    const cart = await this.access.resolve(manager, caller, id, true, 'refuse');
    return this.writes.quoteOf(manager, cart);
  }

  /** For checkout, in its transaction: the cart became `orderId` and takes no more changes. */
  async markCheckedOut(manager: EntityManager, cartId: string, orderId: string): Promise<void> {
    await this.carts.update(manager, cartId, { status: 'checked_out', orderId });
  }
}
