import { constantTimeEquals, hashToken, type PostalAddress, randomToken } from '@app/common';
import { AppConfig } from '@app/config';
import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { type SellableVariant, SellableVariants } from '../catalog/sellable-variants';
import { PromotionRedemptions } from '../promotions/promotion-redemptions';
import { ShippingRates } from '../shipping/shipping-rates';
import { CartQuote, CartQuotes } from './cart-quotes';
import {
  CartClosedError,
  CartTakeoverPendingError,
  CartItemNotFoundError,
  CartLimitError,
  CartNotFoundError,
  PromotionCodeNotUsableError,
  ShippingMethodUnavailableError,
  VariantNotSellableError,
} from './carts.errors';
import { type CartFields, CartsRepository } from './carts.repository';
import {
  MAX_LINE_QUANTITY,
  type AddCartItemDto,
  type ApplyPromotionDto,
  type CreateCartDto,
  type SetAddressesDto,
  type SetShippingMethodDto,
  type UpdateCartItemDto,
} from './dto/cart-input.dto';
import type { CartDto, CreatedCartDto } from './dto/cart.response.dto';
import type { Cart, CartItem } from './entities/cart.entity';

/** What a write did: the cart's new item list and fields (and the variants it already read). */
interface CartChange {
  items?: CartItem[];
  cart?: CartFields;
  variants?: Map<string, SellableVariant>;
}

/** Who is asking for a cart: a signed-in customer, a guest holding a cart token, or both at once. */
export interface CartCaller {
  /** The signed-in customer; `email` is their account email now (null only if the account has none). */
  customer: { id: string; email: string | null } | null;
  /** The `X-Cart-Token` header, if sent. */
  token: string | null;
}

const toAddress = (address: SetAddressesDto['shippingAddress']): PostalAddress => ({
  firstName: address.firstName,
  lastName: address.lastName,
  company: address.company ?? null,
  line1: address.line1,
  line2: address.line2 ?? null,
  city: address.city,
  postalCode: address.postalCode,
  region: address.region ?? null,
  country: address.country,
  phone: address.phone ?? null,
});

/**
 * Carts for guests and customers. Every write locks the cart row, changes it, and answers with the
 * cart priced anew; a signed-in customer who presents a guest cart's token has it merged into their
 * own cart (that is how logging in merges the guest cart).
 */
@Injectable()
export class CartsService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly carts: CartsRepository,
    private readonly quotes: CartQuotes,
    private readonly variants: SellableVariants,
    private readonly promotions: PromotionRedemptions,
    private readonly shipping: ShippingRates,
    private readonly config: AppConfig,
  ) {}

  /** A customer gets their open cart (or a new one); a guest gets a new cart and its token, once. */
  async create(caller: CartCaller, dto: CreateCartDto): Promise<{ created: boolean; cart: CreatedCartDto }> {
    return this.transactions.run(async (manager) => {
      if (caller.customer) {
        const existing = await this.carts.lockActiveOfCustomer(manager, caller.customer.id);
        if (existing) return { created: false, cart: (await this.quoteOf(manager, existing)).view };
      }
      const token = caller.customer ? null : randomToken(24);
      const cart = await this.carts.insert(manager, {
        customerId: caller.customer?.id ?? null,
        tokenHash: token ? hashToken(token) : null,
        currency: this.config.catalog.currency,
        email: caller.customer?.email ?? dto.email?.toLowerCase() ?? null,
      });
      const { view } = await this.quoteOf(manager, cart);
      return { created: true, cart: token ? { ...view, token } : view };
    });
  }

  async get(caller: CartCaller, id: string): Promise<CartDto> {
    return this.transactions.run(async (manager) => {
      const cart = await this.resolve(manager, caller, id, false);
      return (await this.quoteOf(manager, cart)).view;
    });
  }

  addItem(caller: CartCaller, id: string, dto: AddCartItemDto): Promise<CartDto> {
    return this.mutate(caller, id, async (manager, cart, items) => {
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
    return this.mutate(caller, id, async (manager, _cart, items) => {
      const item = items.find((candidate) => candidate.id === itemId);
      if (!item) throw new CartItemNotFoundError(itemId);
      await this.carts.setItemQuantity(manager, item.id, dto.quantity);
      return { items: items.map((other) => (other === item ? { ...item, quantity: dto.quantity } : other)) };
    });
  }

  removeItem(caller: CartCaller, id: string, itemId: string): Promise<CartDto> {
    return this.mutate(caller, id, async (manager, _cart, items) => {
      const item = items.find((candidate) => candidate.id === itemId);
      if (!item) throw new CartItemNotFoundError(itemId);
      await this.carts.deleteItem(manager, item.id);
      return { items: items.filter((other) => other !== item) };
    });
  }

  setPromotion(caller: CartCaller, id: string, dto: ApplyPromotionDto): Promise<CartDto> {
    return this.mutate(caller, id, async (manager) => {
      if (dto.code === null || dto.code === undefined) return { cart: { promotionCode: null } };
      const rule = await this.promotions.findUsable(manager, dto.code, new Date());
      if (!rule) throw new PromotionCodeNotUsableError(dto.code);
      return { cart: { promotionCode: rule.code } };
    });
  }

  setAddresses(caller: CartCaller, id: string, dto: SetAddressesDto): Promise<CartDto> {
    return this.mutate(caller, id, (_manager, cart) => {
      const shippingAddress = toAddress(dto.shippingAddress);
      const countryChanged = cart.shippingAddress?.country !== shippingAddress.country;
      return Promise.resolve({
        cart: {
          shippingAddress,
          billingAddress: toAddress(dto.billingAddress ?? dto.shippingAddress),
          // A customer's order goes to their account email; a guest (or an account without one) gives one.
          ...(!dto.email || (cart.customerId && cart.email) ? {} : { email: dto.email.toLowerCase() }),
          // A method chosen for another country may not serve this one.
          ...(countryChanged ? { shippingMethodId: null } : {}),
        },
      });
    });
  }

  setShippingMethod(caller: CartCaller, id: string, dto: SetShippingMethodDto): Promise<CartDto> {
    return this.mutate(caller, id, async (manager, cart) => {
      const country = cart.shippingAddress?.country ?? null;
      const methods = country ? await this.shipping.methodsFor(manager, country) : [];
      if (!methods.some((method) => method.id === dto.shippingMethodId))
        throw new ShippingMethodUnavailableError(dto.shippingMethodId, country);
      return { cart: { shippingMethodId: dto.shippingMethodId } };
    });
  }

  /** For checkout: the caller's cart, locked in the caller's transaction, and priced. */
  async lockAndQuote(manager: EntityManager, caller: CartCaller, id: string): Promise<CartQuote> {
    const cart = await this.resolve(manager, caller, id, true, 'refuse');
    return this.quoteOf(manager, cart);
  }

  /** For checkout, in its transaction: the cart became `orderId` and takes no more changes. */
  async markCheckedOut(manager: EntityManager, cartId: string, orderId: string): Promise<void> {
    await this.carts.update(manager, cartId, { status: 'checked_out', orderId });
  }

  /**
   * A write to a cart: lock it, let `work` change items (returning the new list) and/or cart fields,
   * bump the version once, and answer with the cart priced from what is now in it — without reading
   * back what this transaction just wrote.
   */
  private async mutate(
    caller: CartCaller,
    id: string,
    work: (manager: EntityManager, cart: Cart, items: CartItem[]) => Promise<CartChange>,
  ): Promise<CartDto> {
    return this.transactions.run(async (manager) => {
      const cart = await this.resolve(manager, caller, id, true);
      if (cart.status !== 'active') throw new CartClosedError(cart.status, cart.orderId);
      const items = await this.carts.itemsOf(manager, cart.id);
      const change = await work(manager, cart, items);
      const updatedAt = await this.carts.update(manager, cart.id, change.cart ?? {});
      const fresh: Cart = { ...cart, ...change.cart, version: cart.version + 1, updatedAt };
      return (await this.quotes.quote(manager, fresh, change.items ?? items, change.variants)).view;
    });
  }

  private async quoteOf(manager: EntityManager, cart: Cart): Promise<CartQuote> {
    return this.quotes.quote(manager, cart, await this.carts.itemsOf(manager, cart.id));
  }

  /**
   * The cart if this caller may see it — else 404, whether it exists or not. A customer presenting
   * a guest cart's token takes it over: merged into their open cart, or adopted as it.
   */
  private async resolve(
    manager: EntityManager,
    caller: CartCaller,
    id: string,
    lock: boolean,
    takeOver: 'merge' | 'refuse' = 'merge',
  ): Promise<Cart> {
    const cart = lock ? await this.carts.lockById(manager, id) : await this.carts.findById(manager, id);
    if (!cart) throw new CartNotFoundError(id);
    if (cart.customerId) {
      if (caller.customer?.id !== cart.customerId) throw new CartNotFoundError(id);
      return cart;
    }
    const tokenMatches =
      caller.token !== null &&
      cart.tokenHash !== null &&
      constantTimeEquals(hashToken(caller.token), cart.tokenHash);
    if (!tokenMatches) throw new CartNotFoundError(id);
    if (!caller.customer || cart.status !== 'active') return cart;
    // A signed-in customer with a guest cart's token: the guest cart becomes (part of) theirs. Never
    // during checkout, which would place an order for lines the shopper has not seen together.
    if (takeOver === 'refuse') throw new CartTakeoverPendingError(id);
    const locked = lock ? cart : await this.carts.lockById(manager, id);
    if (!locked || locked.status !== 'active' || locked.customerId)
      return this.resolve(manager, caller, id, true);
    return this.takeOver(manager, locked, caller.customer);
  }

  /** Logging in merges: the guest cart's lines join the customer's open cart, or it becomes theirs. */
  private async takeOver(
    manager: EntityManager,
    guest: Cart,
    customer: { id: string; email: string | null },
  ): Promise<Cart> {
    const own = await this.carts.lockActiveOfCustomer(manager, customer.id);
    if (!own) {
      await this.carts.update(manager, guest.id, {
        customerId: customer.id,
        tokenHash: null,
        email: customer.email ?? guest.email,
      });
      return (await this.carts.findById(manager, guest.id))!;
    }
    const [guestItems, ownItems] = await Promise.all([
      this.carts.itemsOf(manager, guest.id),
      this.carts.itemsOf(manager, own.id),
    ]);
    let lines = ownItems.length;
    for (const item of guestItems) {
      const mine = ownItems.find((candidate) => candidate.variantId === item.variantId);
      if (mine) {
        await this.carts.setItemQuantity(
          manager,
          mine.id,
          Math.min(MAX_LINE_QUANTITY, mine.quantity + item.quantity),
        );
      } else if (lines < this.config.checkout.maxCartLines) {
        await this.carts.insertItem(manager, own.id, item.variantId, item.quantity);
        lines += 1;
      }
    }
    await this.carts.update(manager, own.id, {
      promotionCode: own.promotionCode ?? guest.promotionCode,
      shippingAddress: own.shippingAddress ?? guest.shippingAddress,
      billingAddress: own.billingAddress ?? guest.billingAddress,
      shippingMethodId: own.shippingAddress ? own.shippingMethodId : guest.shippingMethodId,
    });
    await this.carts.update(manager, guest.id, { status: 'merged', mergedIntoId: own.id });
    return (await this.carts.findById(manager, own.id))!;
  }
}
