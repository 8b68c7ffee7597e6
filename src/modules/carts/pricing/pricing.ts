/**
 * Cart pricing: a pure function from a cart's lines, promotion, shipping method and tax rate to its
 * totals. No I/O and no dependencies, so the carts service can call it on every read and write and
 * checkout can call it again to freeze the order's amounts. docs/pricing.md has the same rules with
 * worked examples.
 *
 * Every amount is an integer number of minor units of `currency`. The rules (the documented
 * rounding rule):
 *
 * 1. A line's subtotal is unitPrice × quantity; the cart's subtotal is the sum of the line
 *    subtotals. Prices are in the store's price mode: net of tax when `tax_exclusive`, gross
 *    (tax included) when `tax_inclusive`.
 * 2. A promotion applies only when subtotal ≥ minSubtotal (when set). Otherwise it is reported as
 *    `applied: false, reason: 'minimum-subtotal-not-met'` and has no effect at all.
 * 3. The order discount: percentage → roundHalfUp(subtotal × percentBp / 10000);
 *    fixed_amount → min(amount, subtotal); free_shipping → 0.
 * 4. The order discount is allocated to the lines in proportion to their subtotals: each line gets
 *    floor(discount × lineSubtotal / subtotal), and the minor units left over go one each to the
 *    lines with the largest remainders (ties: the earlier line first). The line discounts add up
 *    to the order discount exactly, and no line is discounted below zero.
 * 5. Shipping: no method → 0. Free when a free_shipping promotion applies (`freeShipping:
 *    'promotion'`) or when the method's freeOver is set and (subtotal − discount) ≥ freeOver
 *    (`'threshold'`; the promotion wins when both hold). Otherwise the method's rate, which is in
 *    the same price mode as the product prices. Without a method `freeShipping` is null.
 * 6. Tax is computed per line on the discounted line amount, net = lineSubtotal − lineDiscount:
 *    tax_exclusive → roundHalfUp(net × rate / 10000) is added on top; tax_inclusive →
 *    roundHalfUp(net × rate / (10000 + rate)) is the tax already contained in the price. Shipping
 *    is taxed at the same rate in the same way (shippingTax). tax = Σ line taxes + shippingTax.
 *    A line's total = subtotal − discount + (exclusive ? tax : 0).
 * 7. total = subtotal − discount + shipping + (exclusive ? tax : 0).
 * 8. roundHalfUp rounds half away from zero (all amounts are non-negative, so half up). Products
 *    are computed with BigInt: 999·10⁹ × 10000 already exceeds 2⁵³.
 *
 * Input that is not a safe non-negative integer where an amount is expected, a quantity below 1, a
 * tax rate above 10000 bp or a percentage outside 1..10000 bp throws a plain Error: that is a
 * programming error, because the HTTP layer validates before calling. So does a result that would
 * not be a safe integer.
 */

export type PriceMode = 'tax_exclusive' | 'tax_inclusive';

export interface PricingLineInput {
  key: string;
  unitPrice: number;
  quantity: number;
}

export type PricingPromotion =
  | {
      code: string;
      kind: 'percentage';
      percentBp: number /* 1..10000, 1500 = 15% */;
      minSubtotal: number | null;
    }
  | { code: string; kind: 'fixed_amount'; amount: number; minSubtotal: number | null }
  | { code: string; kind: 'free_shipping'; minSubtotal: number | null };

export interface PricingShipping {
  methodId: string;
  rate: number;
  freeOver: number | null;
}

export interface PricingInput {
  currency: string;
  priceMode: PriceMode;
  lines: PricingLineInput[];
  promotion: PricingPromotion | null;
  shipping: PricingShipping | null;
  taxRateBp: number /* 0..10000; 0 = none */;
}

export interface PricedLine {
  key: string;
  unitPrice: number;
  quantity: number;
  subtotal: number;
  discount: number;
  tax: number;
  total: number;
}

export interface PricingResult {
  currency: string;
  priceMode: PriceMode;
  subtotal: number;
  discount: number;
  shipping: number;
  shippingTax: number;
  tax: number /* lines + shipping */;
  total: number;
  taxRateBp: number;
  promotion: { code: string; applied: boolean; reason: 'minimum-subtotal-not-met' | null } | null;
  freeShipping: 'threshold' | 'promotion' | null;
  lines: PricedLine[];
}

const BASIS_POINTS = 10_000n;

export function priceCart(input: PricingInput): PricingResult {
  assertValidInput(input);
  const exclusive = input.priceMode === 'tax_exclusive';
  const rate = BigInt(input.taxRateBp);

  const lineSubtotals = input.lines.map((line) => BigInt(line.unitPrice) * BigInt(line.quantity));
  const subtotal = sum(lineSubtotals);

  const promotion = input.promotion;
  const applied =
    promotion != null && (promotion.minSubtotal == null || subtotal >= BigInt(promotion.minSubtotal));
  const discount = applied ? orderDiscount(promotion, subtotal) : 0n;
  const lineDiscounts = allocateProportionally(discount, lineSubtotals, subtotal);

  let shipping = 0n;
  let freeShipping: PricingResult['freeShipping'] = null;
  if (input.shipping != null) {
    const { rate: shippingRate, freeOver } = input.shipping;
    if (applied && promotion.kind === 'free_shipping') freeShipping = 'promotion';
    else if (freeOver != null && subtotal - discount >= BigInt(freeOver)) freeShipping = 'threshold';
    else shipping = BigInt(shippingRate);
  }

  const lineTaxes = lineSubtotals.map((lineSubtotal, i) =>
    taxOn(lineSubtotal - lineDiscounts[i], rate, exclusive),
  );
  const shippingTax = taxOn(shipping, rate, exclusive);
  const tax = sum(lineTaxes) + shippingTax;
  const total = subtotal - discount + shipping + (exclusive ? tax : 0n);

  return {
    currency: input.currency,
    priceMode: input.priceMode,
    subtotal: toSafeNumber(subtotal, 'subtotal'),
    discount: toSafeNumber(discount, 'discount'),
    shipping: toSafeNumber(shipping, 'shipping'),
    shippingTax: toSafeNumber(shippingTax, 'shippingTax'),
    tax: toSafeNumber(tax, 'tax'),
    total: toSafeNumber(total, 'total'),
    taxRateBp: input.taxRateBp,
    promotion:
      promotion == null
        ? null
        : { code: promotion.code, applied, reason: applied ? null : 'minimum-subtotal-not-met' },
    freeShipping,
    lines: input.lines.map((line, i) => {
      const lineTotal = lineSubtotals[i] - lineDiscounts[i] + (exclusive ? lineTaxes[i] : 0n);
      return {
        key: line.key,
        unitPrice: line.unitPrice,
        quantity: line.quantity,
        subtotal: toSafeNumber(lineSubtotals[i], `lines[${i}].subtotal`),
        discount: toSafeNumber(lineDiscounts[i], `lines[${i}].discount`),
        tax: toSafeNumber(lineTaxes[i], `lines[${i}].tax`),
        total: toSafeNumber(lineTotal, `lines[${i}].total`),
      };
    }),
  };
}

function orderDiscount(promotion: PricingPromotion, subtotal: bigint): bigint {
  switch (promotion.kind) {
    case 'percentage':
      return roundHalfUp(subtotal * BigInt(promotion.percentBp), BASIS_POINTS);
    case 'fixed_amount': {
      const amount = BigInt(promotion.amount);
      return amount < subtotal ? amount : subtotal;
    }
    case 'free_shipping':
      return 0n;
  }
}

/**
 * Largest-remainder allocation of `amount` (≤ total) over `weights` (which sum to `total`): floors
 * first, then one minor unit each to the largest remainders, earlier lines first on ties.
 */
function allocateProportionally(amount: bigint, weights: bigint[], total: bigint): bigint[] {
  if (amount === 0n) return weights.map(() => 0n);
  const shares = weights.map((weight) => amount * weight);
  const allocated = shares.map((share) => share / total);
  let leftover = amount - sum(allocated);
  const byRemainder = shares
    .map((share, index) => ({ index, remainder: share % total }))
    .sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of byRemainder) {
    if (leftover === 0n) break;
    allocated[index] += 1n;
    leftover -= 1n;
  }
  return allocated;
}

function taxOn(amount: bigint, rate: bigint, exclusive: boolean): bigint {
  if (rate === 0n || amount === 0n) return 0n;
  return exclusive
    ? roundHalfUp(amount * rate, BASIS_POINTS)
    : roundHalfUp(amount * rate, BASIS_POINTS + rate);
}

/** numerator / denominator rounded half up, for numerator ≥ 0 and denominator > 0. */
function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (2n * numerator + denominator) / (2n * denominator);
}

function sum(values: bigint[]): bigint {
  return values.reduce((acc, value) => acc + value, 0n);
}

function toSafeNumber(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new Error(`priceCart: ${what} (${value}) exceeds Number.MAX_SAFE_INTEGER`);
  }
  return Number(value);
}

function assertValidInput(input: PricingInput): void {
  if (input.priceMode !== 'tax_exclusive' && input.priceMode !== 'tax_inclusive') {
    throw new Error(`priceCart: unknown priceMode ${String(input.priceMode)}`);
  }
  assertAmount(input.taxRateBp, 'taxRateBp', 0, 10_000);
  input.lines.forEach((line, i) => {
    assertAmount(line.unitPrice, `lines[${i}].unitPrice`);
    assertAmount(line.quantity, `lines[${i}].quantity`, 1);
  });
  const promotion = input.promotion;
  if (promotion != null) {
    if (promotion.minSubtotal != null) assertAmount(promotion.minSubtotal, 'promotion.minSubtotal');
    switch (promotion.kind) {
      case 'percentage':
        assertAmount(promotion.percentBp, 'promotion.percentBp', 1, 10_000);
        break;
      case 'fixed_amount':
        assertAmount(promotion.amount, 'promotion.amount');
        break;
      case 'free_shipping':
        break;
      default:
        throw new Error(`priceCart: unknown promotion kind ${String((promotion as { kind: unknown }).kind)}`);
    }
  }
  if (input.shipping != null) {
    assertAmount(input.shipping.rate, 'shipping.rate');
    if (input.shipping.freeOver != null) assertAmount(input.shipping.freeOver, 'shipping.freeOver');
  }
}

function assertAmount(value: number, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`priceCart: ${what} must be a safe integer in ${min}..${max}, got ${String(value)}`);
  }
}
