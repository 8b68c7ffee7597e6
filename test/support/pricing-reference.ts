import type { PricedLine, PricingInput, PricingResult } from '../../src/modules/carts/pricing/pricing';

/**
 * An independent reference for priceCart (docs/pricing.md), written differently on purpose so the
 * two are unlikely to share a mistake: every intermediate value is an exact rational (BigInt
 * numerator / denominator, reduced), rounding inspects the rational's fractional part explicitly,
 * and the discount's leftover minor units are handed out by repeatedly scanning for the largest
 * remaining fraction instead of sorting. It takes no shortcuts for zero rates or amounts.
 */
export function referencePriceCart(input: PricingInput): PricingResult {
  const inclusive = input.priceMode === 'tax_inclusive';
  const taxFraction = inclusive
    ? Fraction.of(input.taxRateBp, 10_000 + input.taxRateBp) // tax contained in a gross amount
    : Fraction.of(input.taxRateBp, 10_000); // tax added on a net amount

  const lineSubtotals = input.lines.map((line) =>
    Fraction.whole(line.unitPrice).times(Fraction.whole(line.quantity)),
  );
  let subtotal = Fraction.whole(0);
  for (const s of lineSubtotals) subtotal = subtotal.plus(s);

  const promo = input.promotion;
  let applied = false;
  if (promo) applied = promo.minSubtotal === null || !subtotal.lessThan(Fraction.whole(promo.minSubtotal));

  let discount = Fraction.whole(0);
  if (promo && applied) {
    if (promo.kind === 'percentage') {
      discount = subtotal.times(Fraction.of(promo.percentBp, 10_000)).roundedHalfUp();
    } else if (promo.kind === 'fixed_amount') {
      const amount = Fraction.whole(promo.amount);
      discount = subtotal.lessThan(amount) ? subtotal : amount;
    }
  }

  const lineDiscounts = allocateByScanning(discount, lineSubtotals, subtotal);

  let shipping = Fraction.whole(0);
  let freeShipping: PricingResult['freeShipping'] = null;
  if (input.shipping) {
    const promotionGivesIt = applied && promo?.kind === 'free_shipping';
    const freeOver = input.shipping.freeOver;
    const thresholdGivesIt =
      freeOver !== null && !subtotal.minus(discount).lessThan(Fraction.whole(freeOver));
    if (promotionGivesIt) freeShipping = 'promotion';
    else if (thresholdGivesIt) freeShipping = 'threshold';
    else shipping = Fraction.whole(input.shipping.rate);
  }

  const lineTaxes = lineSubtotals.map((s, i) => s.minus(lineDiscounts[i]).times(taxFraction).roundedHalfUp());
  const shippingTax = shipping.times(taxFraction).roundedHalfUp();
  let tax = shippingTax;
  for (const t of lineTaxes) tax = tax.plus(t);

  // In inclusive mode the tax is inside the prices already; in exclusive mode it comes on top.
  const onTop = (t: Fraction): Fraction => (inclusive ? Fraction.whole(0) : t);
  const total = subtotal.minus(discount).plus(shipping).plus(onTop(tax));

  const lines: PricedLine[] = input.lines.map((line, i) => ({
    key: line.key,
    unitPrice: line.unitPrice,
    quantity: line.quantity,
    subtotal: lineSubtotals[i].toInteger(),
    discount: lineDiscounts[i].toInteger(),
    tax: lineTaxes[i].toInteger(),
    total: lineSubtotals[i].minus(lineDiscounts[i]).plus(onTop(lineTaxes[i])).toInteger(),
  }));

  return {
    currency: input.currency,
    priceMode: input.priceMode,
    subtotal: subtotal.toInteger(),
    discount: discount.toInteger(),
    shipping: shipping.toInteger(),
    shippingTax: shippingTax.toInteger(),
    tax: tax.toInteger(),
    total: total.toInteger(),
    taxRateBp: input.taxRateBp,
    promotion: promo
      ? { code: promo.code, applied, reason: applied ? null : 'minimum-subtotal-not-met' }
      : null,
    freeShipping,
    lines,
  };
}

/**
 * Exact shares discount × s / subtotal; every line first gets the whole part of its share, then
 * the minor units still missing go, one per pass, to the line whose remaining fractional part is
 * the largest (a strict comparison keeps the earliest line on ties); a line that got one is out.
 */
function allocateByScanning(discount: Fraction, weights: Fraction[], subtotal: Fraction): Fraction[] {
  if (subtotal.isZero()) return weights.map(() => Fraction.whole(0));
  const exact = weights.map((w) => discount.times(w).dividedBy(subtotal));
  const given = exact.map((share) => share.floor());
  const fractional = exact.map((share, i) => share.minus(given[i]));
  const stillOwed = () => given.reduce((acc, g) => acc.minus(g), discount);
  const done = new Set<number>();
  while (stillOwed().lessThan(Fraction.whole(1)) === false) {
    let best = -1;
    for (let i = 0; i < fractional.length; i++) {
      if (done.has(i)) continue;
      if (best === -1 || fractional[best].lessThan(fractional[i])) best = i;
    }
    if (best === -1) throw new Error('reference: nothing left to give a leftover minor unit to');
    given[best] = given[best].plus(Fraction.whole(1));
    done.add(best);
  }
  return given;
}

/** An exact non-negative rational number n/d with d > 0, always kept in lowest terms. */
export class Fraction {
  private constructor(
    readonly n: bigint,
    readonly d: bigint,
  ) {}

  static of(numerator: number | bigint, denominator: number | bigint): Fraction {
    let n = BigInt(numerator);
    let d = BigInt(denominator);
    if (d === 0n) throw new Error('Fraction: zero denominator');
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    const g = gcd(n < 0n ? -n : n, d);
    return new Fraction(n / g, d / g);
  }

  static whole(value: number | bigint): Fraction {
    return Fraction.of(value, 1);
  }

  plus(o: Fraction): Fraction {
    return Fraction.of(this.n * o.d + o.n * this.d, this.d * o.d);
  }

  minus(o: Fraction): Fraction {
    return Fraction.of(this.n * o.d - o.n * this.d, this.d * o.d);
  }

  times(o: Fraction): Fraction {
    return Fraction.of(this.n * o.n, this.d * o.d);
  }

  dividedBy(o: Fraction): Fraction {
    return Fraction.of(this.n * o.d, this.d * o.n);
  }

  lessThan(o: Fraction): boolean {
    return this.n * o.d < o.n * this.d;
  }

  isZero(): boolean {
    return this.n === 0n;
  }

  /** Largest integer ≤ this (this is never negative where it is used). */
  floor(): Fraction {
    if (this.n < 0n) throw new Error('Fraction.floor: negative values are not used here');
    return Fraction.whole(this.n / this.d);
  }

  /** Half away from zero: the whole part, plus one when the fractional part is at least 1/2. */
  roundedHalfUp(): Fraction {
    const whole = this.floor();
    const fraction = this.minus(whole);
    return fraction.lessThan(Fraction.of(1, 2)) ? whole : whole.plus(Fraction.whole(1));
  }

  toInteger(): number {
    if (this.d !== 1n) throw new Error(`Fraction.toInteger: ${this.n}/${this.d} is not whole`);
    if (this.n < 0n || this.n > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new Error(`Fraction.toInteger: ${this.n} is not a safe non-negative integer`);
    }
    return Number(this.n);
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}
