import {
  normalizeCode,
  promotionDiscount,
  type PromotionTerms,
  termErrors,
  withinDates,
} from './promotion-terms';

const terms = (overrides: Partial<PromotionTerms>): PromotionTerms => ({
  kind: 'percentage',
  percentBp: 1000,
  amount: null,
  startsAt: null,
  endsAt: null,
  ...overrides,
});
const fields = (terms: PromotionTerms) => termErrors(terms).map((error) => error.field);

describe('promotion terms', () => {
  it('normalises codes by trimming and upper-casing', () => {
    expect(normalizeCode('  spring-20 ')).toBe('SPRING-20');
  });

  it('accepts each kind with exactly its own terms', () => {
    expect(termErrors(terms({}))).toEqual([]);
    expect(termErrors(terms({ kind: 'fixed_amount', percentBp: null, amount: 500 }))).toEqual([]);
    expect(termErrors(terms({ kind: 'free_shipping', percentBp: null }))).toEqual([]);
  });

  it('refuses a missing, a foreign or a doubled amount', () => {
    expect(fields(terms({ percentBp: null }))).toEqual(['percentBp']);
    expect(fields(terms({ amount: 500 }))).toEqual(['amount']);
    expect(fields(terms({ kind: 'fixed_amount' }))).toEqual(['percentBp', 'amount']);
    expect(fields(terms({ kind: 'free_shipping', amount: 1 }))).toEqual(['percentBp', 'amount']);
  });

  it('wants endsAt strictly after startsAt', () => {
    const startsAt = new Date('2030-01-01T00:00:00Z');
    expect(fields(terms({ startsAt, endsAt: new Date(startsAt) }))).toEqual(['endsAt']);
    expect(fields(terms({ startsAt, endsAt: new Date('2029-12-31T00:00:00Z') }))).toEqual(['endsAt']);
    expect(fields(terms({ startsAt, endsAt: new Date('2030-01-01T00:00:00.001Z') }))).toEqual([]);
  });

  it('reads the window as [startsAt, endsAt)', () => {
    const window = { startsAt: new Date('2030-01-01T00:00:00Z'), endsAt: new Date('2030-02-01T00:00:00Z') };
    expect(withinDates(window, new Date('2029-12-31T23:59:59.999Z'))).toBe(false);
    expect(withinDates(window, window.startsAt)).toBe(true);
    expect(withinDates(window, window.endsAt)).toBe(false);
    expect(withinDates({ startsAt: null, endsAt: null }, new Date())).toBe(true);
  });

  it('computes discounts in integer minor units, rounding percentages down', () => {
    const percent = { kind: 'percentage' as const, percentBp: 1250, amount: null, minSubtotal: null };
    expect(promotionDiscount(percent, 999, 500)).toEqual({ subtotalDiscount: 124, shippingDiscount: 0 });
    expect(promotionDiscount({ ...percent, percentBp: 10_000 }, 999, 0)?.subtotalDiscount).toBe(999);
    // Exact for totals where subtotal × 10,000 passes 2^53.
    expect(promotionDiscount({ ...percent, percentBp: 3 }, 9_007_199_254_740, 0)?.subtotalDiscount).toBe(
      2_702_159_776,
    );
    const fixed = { kind: 'fixed_amount' as const, percentBp: null, amount: 700, minSubtotal: 1000 };
    expect(promotionDiscount(fixed, 999, 0)).toBeNull();
    expect(promotionDiscount(fixed, 1000, 0)).toEqual({ subtotalDiscount: 700, shippingDiscount: 0 });
    expect(promotionDiscount({ ...fixed, amount: 5000 }, 1200, 0)?.subtotalDiscount).toBe(1200);
    const shipping = { kind: 'free_shipping' as const, percentBp: null, amount: null, minSubtotal: null };
    expect(promotionDiscount(shipping, 100, 490)).toEqual({ subtotalDiscount: 0, shippingDiscount: 490 });
  });
});
