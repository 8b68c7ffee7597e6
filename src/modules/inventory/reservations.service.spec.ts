import { aggregateLines } from './reservations.service';

describe('aggregateLines', () => {
  it('sums lines of the same variant so it is decided once', () => {
    expect(
      aggregateLines([
        { variantId: 'b', quantity: 2 },
        { variantId: 'a', quantity: 1 },
        { variantId: 'b', quantity: 3 },
      ]),
    ).toEqual(
      new Map([
        ['b', 5],
        ['a', 1],
      ]),
    );
  });
});
