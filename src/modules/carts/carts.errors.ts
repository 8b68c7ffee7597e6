import { DomainError } from '@app/common';

/** Unknown, someone else's, or a guest cart without its token: all look the same (invariant 3). */
export class CartNotFoundError extends DomainError {
  readonly kind = 'not_found';
  readonly type = 'cart-not-found';
  readonly title = 'Cart not found';
  constructor(id: string) {
    super(`There is no cart ${id} that you can see. Guests send the cart's token as X-Cart-Token.`);
  }
}

export class CartItemNotFoundError extends DomainError {
  readonly kind = 'not_found';
  readonly type = 'cart-item-not-found';
  readonly title = 'Cart line not found';
  constructor(itemId: string) {
    super(`The cart has no line ${itemId}.`);
  }
}

export class CartClosedError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'cart-closed';
  readonly title = 'The cart can no longer change';
  constructor(status: string, orderId: string | null) {
    super(
      status === 'checked_out'
        ? 'This cart has been checked out; start a new cart.'
        : 'This cart was merged into your account’s cart; use that one.',
      { cartStatus: status, orderId },
    );
  }
}

export class VariantNotSellableError extends DomainError {
  readonly kind = 'invalid';
  readonly type = 'variant-not-sellable';
  readonly title = 'This variant cannot be bought';
  constructor(variantId: string) {
    super(`Variant ${variantId} does not exist or is not for sale.`, { variantId });
  }
}

export class CartLimitError extends DomainError {
  readonly kind = 'invalid';
  readonly type = 'cart-limit';
  readonly title = 'The cart is at a limit';
}

export class ShippingMethodUnavailableError extends DomainError {
  readonly kind = 'invalid';
  readonly type = 'shipping-method-unavailable';
  readonly title = 'This shipping method does not serve the cart';
  constructor(methodId: string, country: string | null) {
    super(
      country
        ? `Shipping method ${methodId} does not deliver to ${country}.`
        : 'Set a shipping address before choosing a shipping method.',
      { shippingMethodId: methodId },
    );
  }
}

export class PromotionCodeNotUsableError extends DomainError {
  readonly kind = 'invalid';
  readonly type = 'promotion-code-not-usable';
  readonly title = 'This code cannot be used';
  constructor(code: string) {
    super(`The code ${code} does not exist, has expired or is used up.`, { code });
  }
}

/** A customer checked out a guest cart that has not been merged into their account yet. */
export class CartTakeoverPendingError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'cart-takeover-pending';
  readonly title = 'Read the cart before checking it out';
  constructor(cartId: string) {
    super(
      `Cart ${cartId} is a guest cart and you are signed in: read it (GET /v1/carts/${cartId}) to merge it into your cart, review that, then check it out.`,
      { cartId },
    );
  }
}
