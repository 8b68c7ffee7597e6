import type { ProductOption } from '../entities/product.entity';
import { InvalidOptionValuesError, InvalidPriceError } from '../catalog.errors';

/** A variant names exactly one allowed value of each of its product's options. */
export function assertOptionValues(
  options: ProductOption[],
  values: Record<string, string>,
  sku: string,
): void {
  const names = options.map((option) => option.name);
  const given = Object.keys(values);
  const missing = names.filter((name) => !(name in values));
  const unknown = given.filter((name) => !names.includes(name));
  if (missing.length > 0 || unknown.length > 0) {
    throw new InvalidOptionValuesError(
      `Variant ${sku} must give a value for each option (${names.join(', ') || 'none'})` +
        (missing.length ? `; missing: ${missing.join(', ')}` : '') +
        (unknown.length ? `; not options of this product: ${unknown.join(', ')}` : '') +
        '.',
    );
  }
  for (const option of options) {
    if (!option.values.includes(values[option.name])) {
      throw new InvalidOptionValuesError(
        `Variant ${sku}: ${JSON.stringify(values[option.name])} is not a value of option ${option.name} (${option.values.join(', ')}).`,
      );
    }
  }
}

export function assertUniqueOptionNames(options: ProductOption[]): void {
  const names = options.map((option) => option.name);
  if (new Set(names).size !== names.length)
    throw new InvalidOptionValuesError('Each option of a product needs its own name.');
}

/** Two variants of one product may not stand for the same combination of option values. */
export function assertDistinctCombinations(
  variants: Array<{ sku: string; optionValues: Record<string, string> }>,
): void {
  const seen = new Map<string, string>();
  for (const variant of variants) {
    const key = JSON.stringify(Object.entries(variant.optionValues).sort(([a], [b]) => (a < b ? -1 : 1)));
    const other = seen.get(key);
    if (other !== undefined)
      throw new InvalidOptionValuesError(`Variants ${other} and ${variant.sku} have the same option values.`);
    seen.set(key, variant.sku);
  }
}

export function assertPrices(price: number, compareAtPrice: number | null | undefined, sku: string): void {
  if (compareAtPrice !== null && compareAtPrice !== undefined && compareAtPrice <= price)
    throw new InvalidPriceError(`Variant ${sku}: the compare-at price must be above the price.`);
}

export function variantTitle(optionValues: Record<string, string>, fallback: string): string {
  const values = Object.values(optionValues);
  return values.length > 0 ? values.join(' / ') : fallback;
}
