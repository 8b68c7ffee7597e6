import type { EntityManager } from 'typeorm';
import type { TaxRate } from './entities/tax-rate.entity';
import { TaxRatesService } from './tax-rates.service';
import type { TaxRatesRepository } from './tax-rates.repository';

describe('TaxRatesService.rateFor', () => {
  const manager = {} as EntityManager;
  const found = { id: 'r1', name: 'California', rateBp: 825 } as TaxRate;
  let mostSpecific: jest.MockedFunction<TaxRatesRepository['mostSpecific']>;
  let rates: TaxRatesService;

  beforeEach(() => {
    mostSpecific = jest.fn().mockResolvedValue(found);
    rates = new TaxRatesService({ mostSpecific } as unknown as TaxRatesRepository);
  });

  it.each([
    ['US', 'CA', 'CA'],
    ['us', 'ca', 'CA'],
    [' us ', 'US-CA', 'CA'],
    ['US', 'us-ca', 'CA'],
    ['US', null, ''],
    ['US', undefined, ''],
    ['US', '  ', ''],
  ])('asks for country %j region %j as the stored region %j', async (country, region, stored) => {
    await expect(rates.rateFor(manager, country, region)).resolves.toEqual({
      id: 'r1',
      name: 'California',
      rateBp: 825,
    });
    expect(mostSpecific).toHaveBeenCalledWith(manager, 'US', stored);
  });

  it('answers null for what is not a country code, without a query', async () => {
    await expect(rates.rateFor(manager, 'USA', 'CA')).resolves.toBeNull();
    await expect(rates.rateFor(manager, '', null)).resolves.toBeNull();
    expect(mostSpecific).not.toHaveBeenCalled();
  });

  it('answers null when no rate applies', async () => {
    mostSpecific.mockResolvedValue(null);
    await expect(rates.rateFor(manager, 'JP', 'TOKYO')).resolves.toBeNull();
  });
});
