import type {
  PriceMode,
  PricingInput,
  PricingLineInput,
  PricingPromotion,
  PricingResult,
  PricingShipping,
} from '../../src/modules/carts/pricing/pricing';

/**
 * The pricing table: carts chosen to hit every rule and rounding edge of docs/pricing.md. The unit
 * test compares priceCart with test/support/pricing-reference.ts on each of them; the carts e2e
 * test can replay the same carts through the HTTP API (skip `extreme` ones, whose amounts are at
 * the limits of the integer range rather than anything a storefront request carries).
 *
 * Cases with `expected` were worked out by hand (the arithmetic is in the comment above each);
 * they check the reference itself, not only the engine against it.
 */
export interface PricingCase {
  name: string;
  input: PricingInput;
  expected?: HandComputed;
  extreme?: true;
}

export interface HandComputed {
  subtotal: number;
  discount: number;
  shipping: number;
  shippingTax: number;
  tax: number;
  total: number;
  lineDiscounts: number[];
  lineTaxes: number[];
  freeShipping?: PricingResult['freeShipping'];
  promotionApplied?: boolean;
}

const line = (key: string, unitPrice: number, quantity = 1): PricingLineInput => ({
  key,
  unitPrice,
  quantity,
});
const percent = (percentBp: number, minSubtotal: number | null = null): PricingPromotion => ({
  code: `PCT${percentBp}`,
  kind: 'percentage',
  percentBp,
  minSubtotal,
});
const fixed = (amount: number, minSubtotal: number | null = null): PricingPromotion => ({
  code: `OFF${amount}`,
  kind: 'fixed_amount',
  amount,
  minSubtotal,
});
const freeShippingPromo = (minSubtotal: number | null = null): PricingPromotion => ({
  code: 'SHIPFREE',
  kind: 'free_shipping',
  minSubtotal,
});
const ship = (rate: number, freeOver: number | null = null): PricingShipping => ({
  methodId: 'standard',
  rate,
  freeOver,
});

interface CartSpec {
  lines: PricingLineInput[];
  mode?: PriceMode;
  rate?: number;
  promotion?: PricingPromotion;
  shipping?: PricingShipping;
  currency?: string;
}
const cart = (spec: CartSpec): PricingInput => ({
  currency: spec.currency ?? 'EUR',
  priceMode: spec.mode ?? 'tax_exclusive',
  lines: spec.lines,
  promotion: spec.promotion ?? null,
  shipping: spec.shipping ?? null,
  taxRateBp: spec.rate ?? 0,
});

const MAX = Number.MAX_SAFE_INTEGER; // 9_007_199_254_740_991

/** 25 lines of assorted prices and quantities, for discount remainders spread over many lines. */
const assortedLines: PricingLineInput[] = Array.from({ length: 25 }, (_, i) =>
  line(`sku-${i + 1}`, 37 + ((i * 7919) % 4993), 1 + (i % 4)),
);

export const pricingCases: PricingCase[] = [
  // --- no promotion ----------------------------------------------------------------------------
  {
    // 1000×2 + 250×1 = 2250; no tax, no shipping.
    name: 'no promotion, no tax, no shipping method',
    input: cart({ lines: [line('a', 1000, 2), line('b', 250)] }),
    expected: {
      subtotal: 2250,
      discount: 0,
      shipping: 0,
      shippingTax: 0,
      tax: 0,
      total: 2250,
      lineDiscounts: [0, 0],
      lineTaxes: [0, 0],
      freeShipping: null,
    },
  },
  {
    // a 1999×3 = 5997, b 500 → 6497. Tax 19%: a 1139.43 → 1139, b 95, shipping 495 × .19 = 94.05 → 94.
    // tax = 1139 + 95 + 94 = 1328; total = 6497 + 495 + 1328 = 8320.
    name: 'no promotion, exclusive 19%, shipping charged',
    input: cart({ lines: [line('a', 1999, 3), line('b', 500)], rate: 1900, shipping: ship(495) }),
    expected: {
      subtotal: 6497,
      discount: 0,
      shipping: 495,
      shippingTax: 94,
      tax: 1328,
      total: 8320,
      lineDiscounts: [0, 0],
      lineTaxes: [1139, 95],
      freeShipping: null,
    },
  },
  // --- percentage --------------------------------------------------------------------------------
  {
    // 4000 × 15% = 600 split 1000:3000 → 150 / 450. Net 850 / 2550, tax 20% → 170 / 510; shipping 500
    // → 100. tax = 780; total = 4000 − 600 + 500 + 780 = 4680.
    name: 'percentage 15%, exclusive 20%, shipping charged',
    input: cart({
      lines: [line('a', 1000), line('b', 3000)],
      rate: 2000,
      promotion: percent(1500),
      shipping: ship(500),
    }),
    expected: {
      subtotal: 4000,
      discount: 600,
      shipping: 500,
      shippingTax: 100,
      tax: 780,
      total: 4680,
      lineDiscounts: [150, 450],
      lineTaxes: [170, 510],
      promotionApplied: true,
    },
  },
  {
    // 5 × 10% = 0.5 → 1 (half-even and half-down would give 0). total 4.
    name: 'percentage discount of exactly 0.5 minor units rounds up',
    input: cart({ lines: [line('a', 5)], promotion: percent(1000) }),
    expected: {
      subtotal: 5,
      discount: 1,
      shipping: 0,
      shippingTax: 0,
      tax: 0,
      total: 4,
      lineDiscounts: [1],
      lineTaxes: [0],
    },
  },
  {
    // 15 × 10% = 1.5 → 2 (half-down gives 1). total 13.
    name: 'percentage discount of exactly 1.5 minor units rounds up',
    input: cart({ lines: [line('a', 15)], promotion: percent(1000) }),
    expected: {
      subtotal: 15,
      discount: 2,
      shipping: 0,
      shippingTax: 0,
      tax: 0,
      total: 13,
      lineDiscounts: [2],
      lineTaxes: [0],
    },
  },
  {
    // 25 × 10% = 2.5 → 3 (half-even and half-down give 2). total 22.
    name: 'percentage discount of exactly 2.5 minor units rounds up',
    input: cart({ lines: [line('a', 25)], promotion: percent(1000) }),
    expected: {
      subtotal: 25,
      discount: 3,
      shipping: 0,
      shippingTax: 0,
      tax: 0,
      total: 22,
      lineDiscounts: [3],
      lineTaxes: [0],
    },
  },
  {
    // 4000 × 10% = 400 with minimum 3000: met. total 3600.
    name: 'minimum subtotal met (above)',
    input: cart({ lines: [line('a', 4000)], promotion: percent(1000, 3000) }),
    expected: {
      subtotal: 4000,
      discount: 400,
      shipping: 0,
      shippingTax: 0,
      tax: 0,
      total: 3600,
      lineDiscounts: [400],
      lineTaxes: [0],
      promotionApplied: true,
    },
  },
  {
    // subtotal 2000 + 2000 = 4000 equals the minimum 4000 → applies: 400, 200 per line.
    name: 'minimum subtotal exactly equal applies',
    input: cart({ lines: [line('a', 2000), line('b', 1000, 2)], promotion: percent(1000, 4000) }),
    expected: {
      subtotal: 4000,
      discount: 400,
      shipping: 0,
      shippingTax: 0,
      tax: 0,
      total: 3600,
      lineDiscounts: [200, 200],
      lineTaxes: [0, 0],
      promotionApplied: true,
    },
  },
  {
    // subtotal 4000 < minimum 4001 → not applied, no effect. total 4000.
    name: 'minimum subtotal missed by one minor unit',
    input: cart({ lines: [line('a', 4000)], promotion: percent(1000, 4001) }),
    expected: {
      subtotal: 4000,
      discount: 0,
      shipping: 0,
      shippingTax: 0,
      tax: 0,
      total: 4000,
      lineDiscounts: [0],
      lineTaxes: [0],
      promotionApplied: false,
    },
  },
  {
    name: 'percentage 100% with shipping taxed, exclusive 19%',
    input: cart({
      lines: [line('a', 1234), line('b', 99, 3)],
      rate: 1900,
      promotion: percent(10_000),
      shipping: ship(490),
    }),
  },
  {
    name: 'percentage 12.34% over 25 assorted lines, inclusive 21%',
    input: cart({ lines: assortedLines, mode: 'tax_inclusive', rate: 2100, promotion: percent(1234) }),
  },
  {
    name: 'percentage 10% with minimum 0, exclusive 8.25%',
    input: cart({
      lines: [line('a', 1999), line('b', 2999)],
      rate: 825,
      promotion: percent(1000, 0),
      currency: 'USD',
    }),
  },
  // --- fixed amount ------------------------------------------------------------------------------
  {
    // 500 split 700:1300 of 2000 → 175 / 325. Net 525 / 975, tax 21% → 110.25 → 110 / 204.75 → 205.
    // tax 315; total = 2000 − 500 + 315 = 1815.
    name: 'fixed amount, exclusive 21%, quarter-unit taxes',
    input: cart({ lines: [line('a', 700), line('b', 1300)], rate: 2100, promotion: fixed(500) }),
    expected: {
      subtotal: 2000,
      discount: 500,
      shipping: 0,
      shippingTax: 0,
      tax: 315,
      total: 1815,
      lineDiscounts: [175, 325],
      lineTaxes: [110, 205],
    },
  },
  {
    // discount = min(5000, 1234) = 1234; nothing left to tax on the line; shipping 490 × .19 = 93.1 →
    // 93. total = 0 + 490 + 93 = 583.
    name: 'fixed amount above the subtotal is capped at the subtotal',
    input: cart({ lines: [line('a', 1234)], rate: 1900, promotion: fixed(5000), shipping: ship(490) }),
    expected: {
      subtotal: 1234,
      discount: 1234,
      shipping: 490,
      shippingTax: 93,
      tax: 93,
      total: 583,
      lineDiscounts: [1234],
      lineTaxes: [0],
      promotionApplied: true,
    },
  },
  {
    name: 'fixed amount exactly the subtotal, inclusive 20%',
    input: cart({
      lines: [line('a', 333), line('b', 667)],
      mode: 'tax_inclusive',
      rate: 2000,
      promotion: fixed(1000),
    }),
  },
  {
    name: 'fixed amount of zero applies and changes nothing',
    input: cart({ lines: [line('a', 1500)], rate: 1900, promotion: fixed(0), shipping: ship(300) }),
  },
  {
    // 100 over weights 100..700 (sum 2800): exact shares w/28 = 3.57, 7.14, 10.71, 14.29, 17.86,
    // 21.43, 25 → floors 3, 7, 10, 14, 17, 21, 25 (= 97). Remainders ×28: 16, 4, 20, 8, 24, 12, 0, so
    // the 3 leftover units go to e (24), c (20), a (16): 4, 7, 11, 14, 18, 21, 25. total 2700.
    name: 'many lines: leftover units go to the largest remainders',
    input: cart({
      lines: [100, 200, 300, 400, 500, 600, 700].map((p, i) => line(String.fromCharCode(97 + i), p)),
      promotion: fixed(100),
    }),
    expected: {
      subtotal: 2800,
      discount: 100,
      shipping: 0,
      shippingTax: 0,
      tax: 0,
      total: 2700,
      lineDiscounts: [4, 7, 11, 14, 18, 21, 25],
      lineTaxes: [0, 0, 0, 0, 0, 0, 0],
    },
  },
  {
    // 7 over ten equal lines of 333: each share 0.7 → floor 0, all remainders equal → the first
    // seven lines get one each. total 3330 − 7 = 3323.
    name: 'many equal lines: tied remainders go to the earlier lines',
    input: cart({ lines: Array.from({ length: 10 }, (_, i) => line(`l${i}`, 333)), promotion: fixed(7) }),
    expected: {
      subtotal: 3330,
      discount: 7,
      shipping: 0,
      shippingTax: 0,
      tax: 0,
      total: 3323,
      lineDiscounts: [1, 1, 1, 1, 1, 1, 1, 0, 0, 0],
      lineTaxes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    },
  },
  {
    // 0×2 + 1 + 1 + 1 = 3, discount 2: shares 0, 2/3, 2/3, 2/3 → floors 0; the free line has no
    // remainder, so the two units go to b and c. Tax 19% on the 1 left on d: 0.19 → 0. total 1.
    name: 'free (zero-price) line never takes a leftover unit',
    input: cart({
      lines: [line('a', 0, 2), line('b', 1), line('c', 1), line('d', 1)],
      rate: 1900,
      promotion: fixed(2),
    }),
    expected: {
      subtotal: 3,
      discount: 2,
      shipping: 0,
      shippingTax: 0,
      tax: 0,
      total: 1,
      lineDiscounts: [0, 1, 1, 0],
      lineTaxes: [0, 0, 0, 0],
    },
  },
  {
    // three 1-cent lines, 50% of 3 = 1.5 → 2; shares 2/3 each, tied → a and b. c keeps 1 net; tax
    // 19% of 1 = 0.19 → 0. total 1.
    name: '1-cent lines with a percentage discount, exclusive 19%',
    input: cart({ lines: [line('a', 1), line('b', 1), line('c', 1)], rate: 1900, promotion: percent(5000) }),
    expected: {
      subtotal: 3,
      discount: 2,
      shipping: 0,
      shippingTax: 0,
      tax: 0,
      total: 1,
      lineDiscounts: [1, 1, 0],
      lineTaxes: [0, 0, 0],
    },
  },
  {
    name: 'fixed amount over 25 assorted lines, exclusive 7.7%, shipping charged',
    input: cart({
      lines: assortedLines,
      rate: 770,
      promotion: fixed(12_345),
      shipping: ship(890),
      currency: 'CHF',
    }),
  },
  // --- free shipping -----------------------------------------------------------------------------
  {
    // 2500×2 = 5000, no discount, shipping free by promotion; tax 19% = 950. total 5950.
    name: 'free-shipping promotion',
    input: cart({
      lines: [line('a', 2500, 2)],
      rate: 1900,
      promotion: freeShippingPromo(),
      shipping: ship(590),
    }),
    expected: {
      subtotal: 5000,
      discount: 0,
      shipping: 0,
      shippingTax: 0,
      tax: 950,
      total: 5950,
      lineDiscounts: [0],
      lineTaxes: [950],
      freeShipping: 'promotion',
      promotionApplied: true,
    },
  },
  {
    // 5000 < minimum 10000: not applied. shipping 590, tax 590 × .19 = 112.1 → 112; tax 950 + 112 =
    // 1062; total 5000 + 590 + 1062 = 6652.
    name: 'free-shipping promotion below its minimum charges shipping',
    input: cart({
      lines: [line('a', 2500, 2)],
      rate: 1900,
      promotion: freeShippingPromo(10_000),
      shipping: ship(590),
    }),
    expected: {
      subtotal: 5000,
      discount: 0,
      shipping: 590,
      shippingTax: 112,
      tax: 1062,
      total: 6652,
      lineDiscounts: [0],
      lineTaxes: [950],
      freeShipping: null,
      promotionApplied: false,
    },
  },
  {
    name: 'free-shipping promotion and threshold both met: the promotion wins',
    input: cart({
      lines: [line('a', 5000)],
      rate: 2000,
      promotion: freeShippingPromo(1000),
      shipping: ship(590, 3000),
    }),
  },
  {
    // No method, so nothing to make free: shipping 0 and freeShipping null, though the promotion applies.
    name: 'free-shipping promotion without a shipping method',
    input: cart({ lines: [line('a', 1000)], promotion: freeShippingPromo() }),
    expected: {
      subtotal: 1000,
      discount: 0,
      shipping: 0,
      shippingTax: 0,
      tax: 0,
      total: 1000,
      lineDiscounts: [0],
      lineTaxes: [0],
      freeShipping: null,
      promotionApplied: true,
    },
  },
  {
    // 5000 − 100 = 4900 < 5000: the threshold counts after the discount, so shipping 450 is charged.
    // total 4900 + 450 = 5350.
    name: 'threshold met before the discount but not after it',
    input: cart({ lines: [line('a', 5000)], promotion: fixed(100), shipping: ship(450, 5000) }),
    expected: {
      subtotal: 5000,
      discount: 100,
      shipping: 450,
      shippingTax: 0,
      tax: 0,
      total: 5350,
      lineDiscounts: [100],
      lineTaxes: [0],
      freeShipping: null,
    },
  },
  {
    // 5100 − 100 = 5000 ≥ 5000: free by threshold. total 5000.
    name: 'threshold exactly met after the discount',
    input: cart({ lines: [line('a', 5100)], promotion: fixed(100), shipping: ship(450, 5000) }),
    expected: {
      subtotal: 5100,
      discount: 100,
      shipping: 0,
      shippingTax: 0,
      tax: 0,
      total: 5000,
      lineDiscounts: [100],
      lineTaxes: [0],
      freeShipping: 'threshold',
    },
  },
  {
    // 5556 × 10% = 555.6 → 556; 5556 − 556 = 5000 ≥ 5000: free by threshold only because the discount
    // rounded up. total 5000.
    name: 'threshold met exactly thanks to the discount rounding',
    input: cart({ lines: [line('a', 5556)], promotion: percent(1000), shipping: ship(450, 5000) }),
    expected: {
      subtotal: 5556,
      discount: 556,
      shipping: 0,
      shippingTax: 0,
      tax: 0,
      total: 5000,
      lineDiscounts: [556],
      lineTaxes: [0],
      freeShipping: 'threshold',
    },
  },
  {
    name: 'threshold above, inclusive 19%',
    input: cart({
      lines: [line('a', 4000, 2)],
      mode: 'tax_inclusive',
      rate: 1900,
      shipping: ship(495, 5000),
    }),
  },
  {
    name: 'threshold below by one minor unit, exclusive 19%',
    input: cart({ lines: [line('a', 4999)], rate: 1900, shipping: ship(495, 5000) }),
  },
  {
    name: 'threshold of zero always frees shipping',
    input: cart({ lines: [line('a', 1)], rate: 2500, shipping: ship(495, 0) }),
  },
  // --- tax-inclusive -----------------------------------------------------------------------------
  {
    // 1200 + 600×2 = 2400; 20% inclusive: each line 1200 × 2000/12000 = 200; shipping 600 → 100.
    // tax 500 (contained); total = 2400 + 600 = 3000.
    name: 'inclusive 20%, shipping charged',
    input: cart({
      lines: [line('a', 1200), line('b', 600, 2)],
      mode: 'tax_inclusive',
      rate: 2000,
      shipping: ship(600),
    }),
    expected: {
      subtotal: 2400,
      discount: 0,
      shipping: 600,
      shippingTax: 100,
      tax: 500,
      total: 3000,
      lineDiscounts: [0, 0],
      lineTaxes: [200, 200],
    },
  },
  {
    // 20% inclusive: tax = gross / 6. 3/6 = 0.5 → 1, 9/6 = 1.5 → 2, 15/6 = 2.5 → 3; 8/6 = 1.33 → 1.
    // tax 7; total 3 + 9 + 15 + 8 = 35.
    name: 'inclusive taxes of exactly .5 round up',
    input: cart({
      lines: [line('a', 3), line('b', 9), line('c', 15), line('d', 8)],
      mode: 'tax_inclusive',
      rate: 2000,
    }),
    expected: {
      subtotal: 35,
      discount: 0,
      shipping: 0,
      shippingTax: 0,
      tax: 7,
      total: 35,
      lineDiscounts: [0, 0, 0, 0],
      lineTaxes: [1, 2, 3, 1],
    },
  },
  {
    // 11900 + 5950×2 = 23800; 25% = 5950, split equally 2975 / 2975. Net 8925 each; 19% inclusive:
    // 8925 × 1900/11900 = 1425 each; shipping 595 × 1900/11900 = 95. tax 2945; total 23800 − 5950 +
    // 595 = 18445.
    name: 'inclusive 19% with a percentage discount and shipping',
    input: cart({
      lines: [line('a', 11_900), line('b', 5950, 2)],
      mode: 'tax_inclusive',
      rate: 1900,
      promotion: percent(2500),
      shipping: ship(595),
    }),
    expected: {
      subtotal: 23_800,
      discount: 5950,
      shipping: 595,
      shippingTax: 95,
      tax: 2945,
      total: 18_445,
      lineDiscounts: [2975, 2975],
      lineTaxes: [1425, 1425],
    },
  },
  {
    name: 'inclusive 7.7% (770 bp)',
    input: cart({
      lines: [line('a', 10_770), line('b', 999, 3)],
      mode: 'tax_inclusive',
      rate: 770,
      shipping: ship(790),
      currency: 'CHF',
    }),
  },
  {
    name: 'inclusive 8.25% (825 bp) with a fixed amount',
    input: cart({
      lines: [line('a', 2499), line('b', 1299, 2), line('c', 1)],
      mode: 'tax_inclusive',
      rate: 825,
      promotion: fixed(1000),
      shipping: ship(699),
    }),
  },
  {
    name: 'inclusive 25% with a free-shipping promotion met exactly',
    input: cart({
      lines: [line('a', 3125, 2)],
      mode: 'tax_inclusive',
      rate: 2500,
      promotion: freeShippingPromo(6250),
      shipping: ship(500),
      currency: 'SEK',
    }),
  },
  {
    // 100% inclusive: tax is half the gross. 1 → 0.5 → 1; 3 → 1.5 → 2. tax 3, total 4.
    name: 'inclusive 100% (the highest rate) rounds halves up',
    input: cart({ lines: [line('a', 1), line('b', 3)], mode: 'tax_inclusive', rate: 10_000 }),
    expected: {
      subtotal: 4,
      discount: 0,
      shipping: 0,
      shippingTax: 0,
      tax: 3,
      total: 4,
      lineDiscounts: [0, 0],
      lineTaxes: [1, 2],
    },
  },
  {
    name: 'inclusive with tax rate 0',
    input: cart({
      lines: [line('a', 1999, 2)],
      mode: 'tax_inclusive',
      promotion: percent(1500),
      shipping: ship(300),
    }),
  },
  // --- tax-exclusive rates -----------------------------------------------------------------------
  {
    // 5%: 10 → 0.5 → 1, 30 → 1.5 → 2, 50 → 2.5 → 3, 9 → 0.45 → 0, 11 → 0.55 → 1. tax 7; total 110 + 7
    // = 117.
    name: 'exclusive 5%: exact halves round up, just below rounds down',
    input: cart({
      lines: [line('a', 10), line('b', 30), line('c', 50), line('d', 9), line('e', 11)],
      rate: 500,
    }),
    expected: {
      subtotal: 110,
      discount: 0,
      shipping: 0,
      shippingTax: 0,
      tax: 7,
      total: 117,
      lineDiscounts: [0, 0, 0, 0, 0],
      lineTaxes: [1, 2, 3, 0, 1],
    },
  },
  {
    name: 'exclusive 7.7% (770 bp), shipping charged',
    input: cart({
      lines: [line('a', 1299), line('b', 4599, 2)],
      rate: 770,
      shipping: ship(390),
      currency: 'CHF',
    }),
  },
  {
    // 8000 × 25% = 2000; shipping 4900 × 25% = 1225. tax 3225; total 8000 + 4900 + 3225 = 16125.
    name: 'exclusive 25%, shipping under the threshold',
    input: cart({ lines: [line('a', 8000)], rate: 2500, shipping: ship(4900, 50_000), currency: 'DKK' }),
    expected: {
      subtotal: 8000,
      discount: 0,
      shipping: 4900,
      shippingTax: 1225,
      tax: 3225,
      total: 16_125,
      lineDiscounts: [0],
      lineTaxes: [2000],
      freeShipping: null,
    },
  },
  {
    name: 'exclusive 21% with a percentage discount over different prices',
    input: cart({
      lines: [line('a', 1995), line('b', 2350, 3), line('c', 15), line('d', 89_990)],
      rate: 2100,
      promotion: percent(725),
      shipping: ship(1250),
    }),
  },
  {
    // empty cart: subtotal 0, the percentage gives 0; the chosen method still charges 500 (rule 5), and
    // 19% of it is 95. total 595.
    name: 'empty cart with a method and a promotion',
    input: cart({ lines: [], rate: 1900, promotion: percent(1000), shipping: ship(500) }),
    expected: {
      subtotal: 0,
      discount: 0,
      shipping: 500,
      shippingTax: 95,
      tax: 95,
      total: 595,
      lineDiscounts: [],
      lineTaxes: [],
      promotionApplied: true,
    },
  },
  // --- limits ------------------------------------------------------------------------------------
  {
    // 999·10⁹ × 9 = 8 991 000 000 000; 25% = 2 247 750 000 000 (the product 8.991·10¹² × 2500 is
    // beyond 2⁵³). total 11 238 750 000 000.
    name: 'huge prices: 999·10⁹ × 9 at 25%',
    extreme: true,
    input: cart({ lines: [line('a', 999_000_000_000, 9)], rate: 2500 }),
    expected: {
      subtotal: 8_991_000_000_000,
      discount: 0,
      shipping: 0,
      shippingTax: 0,
      tax: 2_247_750_000_000,
      total: 11_238_750_000_000,
      lineDiscounts: [0],
      lineTaxes: [2_247_750_000_000],
    },
  },
  {
    // 2 401 919 801 264 264 × 3 = 7 205 759 403 792 792; 25% = 1 801 439 850 948 198 exactly;
    // total 9 007 199 254 740 990 = MAX_SAFE_INTEGER − 1.
    name: 'exclusive total one below MAX_SAFE_INTEGER',
    extreme: true,
    input: cart({ lines: [line('a', 2_401_919_801_264_264, 3)], rate: 2500 }),
    expected: {
      subtotal: 7_205_759_403_792_792,
      discount: 0,
      shipping: 0,
      shippingTax: 0,
      tax: 1_801_439_850_948_198,
      total: MAX - 1,
      lineDiscounts: [0],
      lineTaxes: [1_801_439_850_948_198],
    },
  },
  {
    name: 'inclusive subtotal 500 below MAX_SAFE_INTEGER with a 0.01% discount',
    extreme: true,
    input: cart({
      lines: [line('a', 1, MAX - 500 - 2000), line('b', 1000, 2)],
      mode: 'tax_inclusive',
      rate: 1900,
      promotion: percent(1),
      shipping: ship(500 + 3),
    }),
  },
  {
    name: 'huge quantities across lines share a fixed discount',
    extreme: true,
    input: cart({
      lines: [line('a', 1, 3_000_000_000_000_001), line('b', 3, 1_000_000_000_000_000), line('c', 7, 3)],
      rate: 770,
      promotion: fixed(1_000_000_000_000_007),
      shipping: ship(999_999_999, 1),
    }),
  },
];
