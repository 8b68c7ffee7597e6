import { constantTimeEquals, hashToken } from '@app/common';
import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CartNotFoundError, CartTakeoverPendingError } from './carts.errors';
import { CartsRepository } from './carts.repository';
import { MAX_LINE_QUANTITY } from './dto/cart-input.dto';
import type { Cart } from './entities/cart.entity';

/** Who is asking for a cart: a signed-in customer, a guest holding a cart token, or both at once. */
export interface CartCaller {
  /** The signed-in customer; `email` is their account email now (null only if the account has none). */
  customer: { id: string; email: string | null } | null;
  /** The `X-Cart-Token` header, if sent. */
  token: string | null;
}

/**
 * Who may see which cart (invariant 3: anybody else gets 404), and the takeover of a guest cart by the
 * customer who presents its token — how logging in merges the guest cart.
 */
@Injectable()
export class CartAccessService {
  constructor(
    private readonly carts: CartsRepository,
    private readonly config: AppConfig,
  ) {}

  /**
   * The cart if this caller may see it — else 404, whether it exists or not. A customer presenting
   * a guest cart's token takes it over: merged into their open cart, or adopted as it.
   */
  async resolve(
    manager: EntityManager,
    caller: CartCaller,
    id: string,
    lock: boolean,
    takeOver: 'merge' | 'refuse' = 'merge',
  ): Promise<Cart> {
    const cart = lock ? await this.carts.lockById(manager, id) : await this.carts.findById(manager, id);
    if (!cart) throw new CartNotFoundError(id);
    if (this.check(caller, cart, takeOver) === 'allowed') return cart;
    const locked = lock ? cart : await this.carts.lockById(manager, id);
    if (!locked || locked.status !== 'active' || locked.customerId)
      return this.resolve(manager, caller, id, true);
    return this.takeOver(manager, locked, caller.customer!);
  }

  /**
   * Whether this caller may use the cart as it is (else 404 whether it exists or not), or must first
   * take it over: a signed-in customer presenting an open guest cart's token (see resolve).
   */
  check(caller: CartCaller, cart: Cart, takeOver: 'merge' | 'refuse' = 'merge'): 'allowed' | 'take-over' {
    if (cart.customerId) {
      if (caller.customer?.id !== cart.customerId) throw new CartNotFoundError(cart.id);
      return 'allowed';
    }
    const tokenMatches =
      caller.token !== null &&
      cart.tokenHash !== null &&
      constantTimeEquals(hashToken(caller.token), cart.tokenHash);
    if (!tokenMatches) throw new CartNotFoundError(cart.id);
    if (!caller.customer || cart.status !== 'active') return 'allowed';
    // Never during checkout, which would place an order for lines the shopper has not seen together.
    if (takeOver === 'refuse') throw new CartTakeoverPendingError(cart.id);
    return 'take-over';
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
