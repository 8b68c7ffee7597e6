import { DomainError } from '@app/common';
import type { OrderStatus } from './entities/order.entity';

/** Unknown, or someone else's: the same answer (invariant 3). */
export class OrderNotFoundError extends DomainError {
  readonly kind = 'not_found';
  readonly type = 'order-not-found';
  readonly title = 'Order not found';
  constructor(id: string) {
    super(`There is no order ${id} that you can see.`);
  }
}

export class IllegalTransitionError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'illegal-transition';
  readonly title = 'The order cannot move to that status';
  constructor(from: OrderStatus, to: OrderStatus, hint?: string) {
    super(hint ?? `An order that is ${from} cannot become ${to}.`, {
      currentStatus: from,
      requestedStatus: to,
    });
  }
}

export class CheckoutIncompleteError extends DomainError {
  readonly kind = 'invalid';
  readonly type = 'checkout-incomplete';
  readonly title = 'The cart is not ready for checkout';
  constructor(problems: Array<{ code: string; detail: string; itemId?: string }>) {
    super(problems.map((problem) => problem.detail).join(' '), { problems });
  }
}

/** Checkout could not serve every line: nothing was reserved, no order exists. */
export class OutOfStockError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'out-of-stock';
  readonly title = 'Some lines cannot be served';
  constructor(
    lines: Array<{
      itemId: string | null;
      variantId: string;
      sku: string | null;
      requested: number;
      available: number;
      reason: string;
    }>,
  ) {
    super(
      `Not enough stock for: ${lines.map((line) => `${line.sku ?? line.variantId} (${line.available} of ${line.requested})`).join(', ')}.`,
      { lines },
    );
  }
}

export class FulfilmentInvalidError extends DomainError {
  readonly kind = 'invalid';
  readonly type = 'fulfilment-invalid';
  readonly title = 'The fulfilment does not fit the order';
}

/** The code's terms changed between pricing the cart and redeeming it: nothing happened; retry. */
export class PromotionChangedError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'promotion-changed';
  readonly title = 'The promotion changed during checkout';
  constructor(code: string) {
    super(`The terms of ${code} changed while the order was placed; read the cart again and retry.`, {
      code,
    });
  }
}

/** The cart prices differently from what the shopper was shown: nothing happened. */
export class CartChangedError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'cart-changed';
  readonly title = 'The cart changed since it was shown';
  constructor(expectedTotal: number, totals: { total: number }) {
    super(`The cart now totals ${totals.total}, not ${expectedTotal}: show it again and confirm.`, {
      expectedTotal,
      totals,
    });
  }
}

/** A restock line names a line of another order, or more units than shipped and not yet restocked. */
export class RestockNotPossibleError extends DomainError {
  readonly kind = 'invalid';
  readonly type = 'restock-not-possible';
  readonly title = 'These units cannot be restocked';
}
