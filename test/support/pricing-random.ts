import type {
  PriceMode,
  PricingInput,
  PricingLineInput,
  PricingPromotion,
  PricingShipping,
} from '../../src/modules/carts/pricing/pricing';

/** mulberry32: a tiny seeded PRNG, so a failing random cart can be reproduced from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RATES = [0, 500, 770, 825, 1900, 2000, 2100, 2500, 10_000];

/**
 * A random cart biased towards the edges: tiny and tied prices, minimum subtotals and free-shipping
 * thresholds right around the cart's subtotal, and now and then amounts near 10¹⁵ (where products
 * with a rate pass 2⁵³ but every result stays a safe integer).
 */
export function randomCart(random: () => number): PricingInput {
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const chance = (p: number): boolean => random() < p;

  const huge = chance(0.05);
  const lineCount = chance(0.05) ? 0 : chance(0.15) ? int(7, 30) : int(1, 6);
  const sharedPrice = int(1, 999);
  const lines: PricingLineInput[] = Array.from({ length: lineCount }, (_, i) => {
    const unitPrice = huge
      ? int(1, 1_000_000) * int(1, 1_000_000)
      : pick([
          () => int(0, 20),
          () => int(1, 100_000),
          () => sharedPrice, // ties between lines
          () => int(1, 9) * 100 - 1,
        ])();
    const quantity = huge ? int(1, 50) : chance(0.1) ? int(1, 10_000) : int(1, 5);
    return { key: `line-${i}`, unitPrice, quantity };
  });
  const subtotal = lines.reduce((acc, l) => acc + l.unitPrice * l.quantity, 0); // < 2⁵³ by construction

  const near = (amount: number): number =>
    Math.max(0, pick([amount - 1, amount, amount + 1, int(0, Math.max(1, Math.round(amount * 1.5)))]));
  const minSubtotal = chance(0.5) ? null : near(subtotal);
  let promotion: PricingPromotion | null = null;
  switch (pick(['none', 'percentage', 'fixed_amount', 'free_shipping'] as const)) {
    case 'none':
      break;
    case 'percentage':
      promotion = {
        code: 'P',
        kind: 'percentage',
        percentBp: pick([int(1, 10_000), 1000, 1500, 5000]),
        minSubtotal,
      };
      break;
    case 'fixed_amount':
      promotion = {
        code: 'F',
        kind: 'fixed_amount',
        amount: int(0, Math.round(subtotal * 1.2) + 1),
        minSubtotal,
      };
      break;
    case 'free_shipping':
      promotion = { code: 'S', kind: 'free_shipping', minSubtotal };
      break;
  }

  const shipping: PricingShipping | null = chance(0.2)
    ? null
    : {
        methodId: 'm',
        rate: huge ? int(0, 1_000_000_000) : int(0, 2500),
        freeOver: chance(0.4) ? null : pick([near(subtotal), int(Math.round(subtotal * 0.7), subtotal + 1)]),
      };

  const priceMode: PriceMode = chance(0.5) ? 'tax_exclusive' : 'tax_inclusive';
  const taxRateBp = chance(0.8) ? pick(RATES) : int(0, 10_000);
  return { currency: 'EUR', priceMode, lines, promotion, shipping, taxRateBp };
}
