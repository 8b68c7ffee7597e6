import type { FieldError } from '@app/common';
import type { Promotion, PromotionKind } from './entities/promotion.entity';

/** Codes are stored trimmed and upper-cased; what a shopper types is compared the same way. */
export const CODE_PATTERN = /^[A-Z0-9_-]{3,50}$/;
export const MAX_PERCENT_BP = 10_000;
/** The largest money value accepted (minor units; fits `int unsigned` with room to spare). */
export const MAX_MONEY = 1_000_000_000;

export function normalizeCode(code: string): string {
  return code.trim().toUpperCase();
}

/** What other features see of a promotion: its terms and usage, never the entity. */
export interface PromotionRule {
  id: string;
  code: string;
  kind: PromotionKind;
  percentBp: number | null;
  amount: number | null;
  minSubtotal: number | null;
  startsAt: Date | null;
  endsAt: Date | null;
  usageLimit: number | null;
  perCustomerLimit: number | null;
  timesUsed: number;
}

export function toPromotionRule(promotion: Promotion): PromotionRule {
  return {
    id: promotion.id,
    code: promotion.code,
    kind: promotion.kind,
    percentBp: promotion.percentBp,
    amount: promotion.amount,
    minSubtotal: promotion.minSubtotal,
    startsAt: promotion.startsAt,
    endsAt: promotion.endsAt,
    usageLimit: promotion.usageLimit,
    perCustomerLimit: promotion.perCustomerLimit,
    timesUsed: promotion.timesUsed,
  };
}

/** The terms whose consistency spans fields (each field's own range is the DTO's job). */
export type PromotionTerms = Pick<Promotion, 'kind' | 'percentBp' | 'amount' | 'startsAt' | 'endsAt'>;

/**
 * Cross-field rules, checked on the promotion as it would be stored (after a PATCH is merged too):
 * a percentage needs `percentBp` and no `amount`, a fixed amount the reverse, free shipping neither;
 * `endsAt` must come after `startsAt`. Returns the field errors (empty when the terms are consistent).
 */
export function termErrors(terms: PromotionTerms): FieldError[] {
  const errors: FieldError[] = [];
  const need = (field: 'percentBp' | 'amount', wanted: boolean) => {
    const present = terms[field] !== null;
    if (wanted && !present)
      errors.push({ field, messages: [`${field} is required for a ${terms.kind} promotion`] });
    if (!wanted && present)
      errors.push({ field, messages: [`${field} must be absent (or null) for a ${terms.kind} promotion`] });
  };
  need('percentBp', terms.kind === 'percentage');
  need('amount', terms.kind === 'fixed_amount');
  if (terms.startsAt && terms.endsAt && terms.endsAt.getTime() <= terms.startsAt.getTime())
    errors.push({ field: 'endsAt', messages: ['endsAt must be after startsAt'] });
  return errors;
}

/** Whether the validity window contains `now` (`startsAt` inclusive, `endsAt` exclusive). */
export function withinDates(rule: Pick<PromotionRule, 'startsAt' | 'endsAt'>, now: Date): boolean {
  const at = now.getTime();
  return (!rule.startsAt || rule.startsAt.getTime() <= at) && (!rule.endsAt || at < rule.endsAt.getTime());
}

export interface PromotionDiscount {
  /** Minor units off the items subtotal (never more than the subtotal). */
  subtotalDiscount: number;
  /** Minor units off shipping (the whole shipping price for free_shipping). */
  shippingDiscount: number;
}

/**
 * What a rule takes off an order, in integer minor units; null when the subtotal is below the
 * rule's minimum. Percentages round down (the shop never gives more than it advertised).
 */
export function promotionDiscount(
  rule: Pick<PromotionRule, 'kind' | 'percentBp' | 'amount' | 'minSubtotal'>,
  subtotal: number,
  shipping: number,
): PromotionDiscount | null {
  if (rule.minSubtotal !== null && subtotal < rule.minSubtotal) return null;
  switch (rule.kind) {
    case 'percentage': {
      // BigInt: subtotal × 10,000 may pass 2^53 for very large orders.
      const off = (BigInt(subtotal) * BigInt(rule.percentBp ?? 0)) / BigInt(MAX_PERCENT_BP);
      return { subtotalDiscount: Number(off), shippingDiscount: 0 };
    }
    case 'fixed_amount':
      return { subtotalDiscount: Math.min(subtotal, rule.amount ?? 0), shippingDiscount: 0 };
    case 'free_shipping':
      return { subtotalDiscount: 0, shippingDiscount: shipping };
  }
}
