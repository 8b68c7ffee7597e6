import { isDeepStrictEqual } from 'node:util';
import { pricingCases } from '../../../../test/support/pricing-cases';
import { randomCart, seededRandom } from '../../../../test/support/pricing-random';
import { referencePriceCart } from '../../../../test/support/pricing-reference';
import { priceCart, type PricingInput, type PricingResult } from './pricing';

/** Every field of a result as one flat record, so a mismatch names the exact field that differs. */
function fields(result: PricingResult): Record<string, unknown> {
  const flat: Record<string, unknown> = {
    currency: result.currency,
    priceMode: result.priceMode,
    subtotal: result.subtotal,
    discount: result.discount,
    shipping: result.shipping,
    shippingTax: result.shippingTax,
    tax: result.tax,
    total: result.total,
    taxRateBp: result.taxRateBp,
    'promotion.code': result.promotion?.code,
    'promotion.applied': result.promotion?.applied,
    'promotion.reason': result.promotion?.reason,
    freeShipping: result.freeShipping,
    lineCount: result.lines.length,
  };
  result.lines.forEach((line, i) => {
    for (const [name, value] of Object.entries(line)) flat[`lines[${i}].${name}`] = value;
  });
  return flat;
}

/** The invariants every priced cart keeps, as a list of those it breaks (empty when all hold). */
function invariantViolations(input: PricingInput, r: PricingResult): string[] {
  const broken: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) broken.push(what);
  };
  const exclusive = input.priceMode === 'tax_exclusive';
  const total = (values: number[]) => values.reduce((a, v) => a + v, 0);
  const amounts = [r.subtotal, r.discount, r.shipping, r.shippingTax, r.tax, r.total];
  for (const l of r.lines) amounts.push(l.subtotal, l.discount, l.tax, l.total);
  check(
    amounts.every((a) => Number.isSafeInteger(a) && a >= 0),
    'every amount is a safe non-negative integer',
  );
  check(
    r.lines.every((l) => l.subtotal === l.unitPrice * l.quantity),
    'line subtotal = unitPrice × quantity',
  );
  check(total(r.lines.map((l) => l.subtotal)) === r.subtotal, 'Σ line subtotals = subtotal');
  check(total(r.lines.map((l) => l.discount)) === r.discount, 'Σ line discounts = discount');
  check(total(r.lines.map((l) => l.tax)) + r.shippingTax === r.tax, 'Σ line taxes + shippingTax = tax');
  check(r.discount <= r.subtotal, 'discount ≤ subtotal');
  check(
    r.total === r.subtotal - r.discount + r.shipping + (exclusive ? r.tax : 0),
    'total = subtotal − discount + shipping (+ tax when exclusive)',
  );
  check(
    total(r.lines.map((l) => l.total)) + r.shipping + (exclusive ? r.shippingTax : 0) === r.total,
    'Σ line totals + shipping (+ shipping tax when exclusive) = total',
  );
  check(
    r.lines.every((l) => l.discount <= l.subtotal),
    'no line is discounted below zero',
  );
  // Each line's discount is its exact proportional share rounded down or up: |d·S − D·s| < S.
  check(
    r.subtotal === 0 ||
      r.lines.every((l) => {
        const gap = BigInt(l.discount) * BigInt(r.subtotal) - BigInt(r.discount) * BigInt(l.subtotal);
        return (gap < 0n ? -gap : gap) < BigInt(r.subtotal);
      }),
    'each line discount is within one minor unit of its proportional share',
  );
  check(!exclusive ? r.tax <= r.total : true, 'inclusive tax is contained in the total');
  check(r.freeShipping == null || r.shipping === 0, 'free shipping costs nothing');
  check(input.shipping != null || (r.shipping === 0 && r.freeShipping == null), 'no method, no shipping');
  const promo = input.promotion;
  check(
    promo == null || r.promotion?.applied === (promo.minSubtotal == null || r.subtotal >= promo.minSubtotal),
    'a promotion applies exactly when its minimum subtotal is met',
  );
  check(r.promotion?.applied !== false || r.discount === 0, 'a promotion that does not apply has no effect');
  return broken;
}

describe('priceCart', () => {
  it('has a table of at least 30 carts', () => {
    expect(pricingCases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(pricingCases.map((c) => c.name)).size).toBe(pricingCases.length);
    const rates = new Set(pricingCases.map((c) => c.input.taxRateBp));
    for (const rate of [0, 500, 770, 825, 1900, 2000, 2100, 2500]) expect(rates).toContain(rate);
    for (const mode of ['tax_exclusive', 'tax_inclusive']) {
      expect(pricingCases.filter((c) => c.input.priceMode === mode).length).toBeGreaterThanOrEqual(10);
    }
  });

  describe('agrees field by field with the reference on every table cart', () => {
    it.each(pricingCases.map((c) => [c.name, c] as const))('%s', (_name, { input }) => {
      const engine = priceCart(input);
      expect(fields(engine)).toEqual(fields(referencePriceCart(input)));
      expect(invariantViolations(input, engine)).toEqual([]);
    });
  });

  describe('matches the hand-computed amounts (which also checks the reference)', () => {
    const handCases = pricingCases.filter((c) => c.expected != null);

    it('has enough of them', () => {
      expect(handCases.length).toBeGreaterThanOrEqual(20);
    });

    it.each(handCases.map((c) => [c.name, c] as const))('%s', (_name, { input, expected }) => {
      for (const [who, result] of [
        ['engine', priceCart(input)],
        ['reference', referencePriceCart(input)],
      ] as const) {
        const actual = {
          who,
          subtotal: result.subtotal,
          discount: result.discount,
          shipping: result.shipping,
          shippingTax: result.shippingTax,
          tax: result.tax,
          total: result.total,
          lineDiscounts: result.lines.map((l) => l.discount),
          lineTaxes: result.lines.map((l) => l.tax),
          ...(expected?.freeShipping !== undefined ? { freeShipping: result.freeShipping } : {}),
          ...(expected?.promotionApplied !== undefined
            ? { promotionApplied: result.promotion?.applied }
            : {}),
        };
        expect(actual).toEqual({ who, ...expected });
      }
    });
  });

  it('reports a promotion below its minimum as not applied, with the reason', () => {
    const result = priceCart({
      currency: 'EUR',
      priceMode: 'tax_exclusive',
      lines: [{ key: 'a', unitPrice: 999, quantity: 1 }],
      promotion: { code: 'TENOFF', kind: 'fixed_amount', amount: 1000, minSubtotal: 1000 },
      shipping: null,
      taxRateBp: 0,
    });
    expect(result.promotion).toEqual({ code: 'TENOFF', applied: false, reason: 'minimum-subtotal-not-met' });
    expect(result.discount).toBe(0);
  });

  it('echoes the lines in order with their keys, prices and quantities', () => {
    const input = pricingCases[1].input;
    const result = priceCart(input);
    expect(result.lines.map(({ key, unitPrice, quantity }) => ({ key, unitPrice, quantity }))).toEqual(
      input.lines,
    );
    expect(result).toMatchObject({
      currency: input.currency,
      priceMode: input.priceMode,
      taxRateBp: input.taxRateBp,
    });
  });

  describe('property: random carts', () => {
    const seeds = [20_240_601, 7, 424_242];
    const cartsPerSeed = 1000;

    it.each(seeds)('seed %i: engine = reference and the invariants hold', (seed) => {
      const random = seededRandom(seed);
      const failures: string[] = [];
      const seen = {
        applied: 0,
        notApplied: 0,
        threshold: 0,
        promotion: 0,
        leftover: 0,
        inclusive: 0,
        huge: 0,
      };
      for (let i = 0; i < cartsPerSeed && failures.length < 5; i++) {
        const input = randomCart(random);
        const engine = priceCart(input);
        const reference = referencePriceCart(input);
        const problems = invariantViolations(input, engine);
        if (!isDeepStrictEqual(fields(engine), fields(reference)))
          problems.push('differs from the reference');
        if (problems.length > 0)
          failures.push(`cart #${i}: ${problems.join('; ')}: ${JSON.stringify(input)}`);

        if (engine.promotion?.applied === true) seen.applied++;
        if (engine.promotion?.applied === false) seen.notApplied++;
        if (engine.freeShipping === 'threshold') seen.threshold++;
        if (engine.freeShipping === 'promotion') seen.promotion++;
        const inexactShare = (l: PricingResult['lines'][number]) =>
          (BigInt(engine.discount) * BigInt(l.subtotal)) % BigInt(engine.subtotal) !== 0n;
        if (engine.discount > 0 && engine.lines.some(inexactShare)) seen.leftover++;
        if (input.priceMode === 'tax_inclusive') seen.inclusive++;
        if (engine.subtotal > 2 ** 40) seen.huge++;
      }
      expect(failures).toEqual([]);
      // The generator really reaches the branches it is meant to exercise.
      for (const count of Object.values(seen)) expect(count).toBeGreaterThan(10);
    });
  });

  describe('refuses input the HTTP layer should have refused', () => {
    const valid = (): PricingInput => ({
      currency: 'EUR',
      priceMode: 'tax_exclusive',
      lines: [{ key: 'a', unitPrice: 100, quantity: 1 }],
      promotion: null,
      shipping: { methodId: 'm', rate: 100, freeOver: null },
      taxRateBp: 1900,
    });
    const bad: Array<[string, (input: PricingInput) => void]> = [
      ['a negative unit price', (i) => (i.lines[0].unitPrice = -1)],
      ['a fractional unit price', (i) => (i.lines[0].unitPrice = 1.5)],
      ['a NaN unit price', (i) => (i.lines[0].unitPrice = Number.NaN)],
      ['an unsafe unit price', (i) => (i.lines[0].unitPrice = 2 ** 53)],
      ['a quantity of 0', (i) => (i.lines[0].quantity = 0)],
      ['an infinite quantity', (i) => (i.lines[0].quantity = Number.POSITIVE_INFINITY)],
      ['a tax rate above 10000 bp', (i) => (i.taxRateBp = 10_001)],
      ['a negative tax rate', (i) => (i.taxRateBp = -1)],
      ['a negative shipping rate', (i) => (i.shipping = { methodId: 'm', rate: -5, freeOver: null })],
      [
        'a fractional free-shipping threshold',
        (i) => (i.shipping = { methodId: 'm', rate: 5, freeOver: 0.5 }),
      ],
      [
        'a percentage of 0 bp',
        (i) => (i.promotion = { code: 'X', kind: 'percentage', percentBp: 0, minSubtotal: null }),
      ],
      [
        'a percentage above 10000 bp',
        (i) => (i.promotion = { code: 'X', kind: 'percentage', percentBp: 10_001, minSubtotal: null }),
      ],
      [
        'a negative fixed amount',
        (i) => (i.promotion = { code: 'X', kind: 'fixed_amount', amount: -100, minSubtotal: null }),
      ],
      [
        'a negative minimum subtotal',
        (i) => (i.promotion = { code: 'X', kind: 'free_shipping', minSubtotal: -1 }),
      ],
      ['an unknown price mode', (i) => (i.priceMode = 'gross' as PricingInput['priceMode'])],
      [
        'an unknown promotion kind',
        (i) =>
          (i.promotion = {
            code: 'X',
            kind: 'bogo',
            minSubtotal: null,
          } as unknown as PricingInput['promotion']),
      ],
      [
        'a subtotal beyond MAX_SAFE_INTEGER',
        (i) => (i.lines = [{ key: 'a', unitPrice: 2 ** 52, quantity: 2 }]),
      ],
      [
        'a total beyond MAX_SAFE_INTEGER (exclusive tax on top)',
        (i) => (i.lines = [{ key: 'a', unitPrice: Number.MAX_SAFE_INTEGER - 100, quantity: 1 }]),
      ],
    ];

    it('accepts the valid baseline', () => {
      expect(() => priceCart(valid())).not.toThrow();
    });

    it.each(bad)('throws on %s', (_what, spoil) => {
      const input = valid();
      spoil(input);
      expect(() => priceCart(input)).toThrow(Error);
      expect(() => priceCart(input)).toThrow(/^priceCart: /);
    });
  });
});
