import { DomainError } from '@app/common';

export { StaleVersionError } from '@app/common';

/** Why a code cannot be redeemed now. `expired` covers both ends of the validity window. */
export type PromotionUnavailableReason =
  'exhausted' | 'customer-limit' | 'expired' | 'inactive' | 'not-found';

const DETAILS: Record<PromotionUnavailableReason, string> = {
  exhausted: 'has been used as many times as it may be',
  'customer-limit': 'has been used by this customer as many times as it may be',
  expired: 'is not valid at this time',
  inactive: 'is not active',
  'not-found': 'does not exist',
};

/** A code that cannot be used for this order; checkout maps it to a 409 the shopper can act on. */
export class PromotionUnavailableError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'promotion-unavailable';
  readonly title = 'The promotion code cannot be used';
  constructor(
    readonly code: string,
    readonly reason: PromotionUnavailableReason,
  ) {
    super(`The code ${JSON.stringify(code)} ${DETAILS[reason]}.`, { code, reason });
  }
}

/** The order already holds a redemption (one per order): a caller bug or a replayed checkout. */
export class OrderAlreadyRedeemedError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'promotion-already-redeemed';
  readonly title = 'The order already uses a promotion';
  constructor(orderId: string) {
    super(`Order ${orderId} already has a promotion redeemed; release it first.`, { orderId });
  }
}

export class PromotionNotFoundError extends DomainError {
  readonly kind = 'not_found';
  readonly type = 'promotion-not-found';
  readonly title = 'Promotion not found';
  constructor(id: string) {
    super(`There is no promotion ${JSON.stringify(id)}.`);
  }
}

export class PromotionCodeTakenError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'promotion-code-taken';
  readonly title = 'Promotion code already in use';
  constructor(code: string) {
    super(`The code ${JSON.stringify(code)} is already used by another promotion; choose another.`, { code });
  }
}

/** A usage limit below the uses already made would make the promotion over-used after the fact. */
export class UsageLimitBelowUsesError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'usage-limit-below-uses';
  readonly title = 'The usage limit is below the uses already made';
  constructor(usageLimit: number, timesUsed: number) {
    super(`The promotion has been used ${timesUsed} times; a usage limit of ${usageLimit} is too low.`, {
      timesUsed,
    });
  }
}
