import { versionFromIfMatch } from '@app/common';
import { InvalidOptionValuesError, InvalidPriceError } from '../catalog.errors';
import { assertDistinctCombinations, assertOptionValues, assertPrices, variantTitle } from './variant-rules';

const options = [
  { name: 'size', values: ['S', 'M'] },
  { name: 'colour', values: ['red'] },
];

describe('variant rules', () => {
  it('accepts exactly one allowed value per option', () => {
    expect(() => assertOptionValues(options, { size: 'S', colour: 'red' }, 'A')).not.toThrow();
    expect(() => assertOptionValues(options, { size: 'S' }, 'A')).toThrow(/missing: colour/);
    expect(() => assertOptionValues(options, { size: 'S', colour: 'red', fit: 'slim' }, 'A')).toThrow(
      /not options of this product: fit/,
    );
    expect(() => assertOptionValues(options, { size: 'XL', colour: 'red' }, 'A')).toThrow(
      InvalidOptionValuesError,
    );
  });

  it('refuses two variants with the same combination, in any key order', () => {
    expect(() =>
      assertDistinctCombinations([
        { sku: 'A', optionValues: { size: 'S', colour: 'red' } },
        { sku: 'B', optionValues: { colour: 'red', size: 'S' } },
      ]),
    ).toThrow(/A and B/);
  });

  it('wants a compare-at price above the price', () => {
    expect(() => assertPrices(1000, 1000, 'A')).toThrow(InvalidPriceError);
    expect(() => assertPrices(1000, 1200, 'A')).not.toThrow();
    expect(() => assertPrices(1000, null, 'A')).not.toThrow();
  });

  it('titles a variant by its option values', () => {
    expect(variantTitle({ size: 'M', colour: 'red' }, 'Shirt')).toBe('M / red');
    expect(variantTitle({}, 'Shirt')).toBe('Shirt');
  });

  it('reads a version from If-Match, and nothing usable from anything else', () => {
    expect(versionFromIfMatch(undefined)).toBeUndefined();
    expect(versionFromIfMatch('W/"7"')).toBe(7);
    expect(versionFromIfMatch('"12"')).toBe(12);
    expect(versionFromIfMatch('*')).toBe(-1);
    expect(versionFromIfMatch('"abc"')).toBe(-1);
  });
});
