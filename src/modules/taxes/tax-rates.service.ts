import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TaxRatesRepository } from './tax-rates.repository';

/** The rate pricing applies: basis points (1900 = 19 %), so tax is computed in integers. */
export interface ApplicableTaxRate {
  id: string;
  name: string;
  rateBp: number;
}

/**
 * Tax rates other features (carts, checkout) price with. Reads inside the caller's transaction
 * through the manager it is given.
 */
@Injectable()
export class TaxRatesService {
  constructor(private readonly rates: TaxRatesRepository) {}

  /**
   * The rate of `region` in `country` when one is set for it, else the country-wide rate, else null.
   * Both are case-insensitive; the region may be the bare subdivision ('CA') or the full ISO 3166-2
   * code ('US-CA').
   */
  async rateFor(
    manager: EntityManager,
    country: string,
    region?: string | null,
  ): Promise<ApplicableTaxRate | null> {
    const code = country.trim().toUpperCase();
    if (!/^[A-Z]{2}$/.test(code)) return null;
    let subdivision = (region ?? '').trim().toUpperCase();
    if (subdivision.startsWith(`${code}-`)) subdivision = subdivision.slice(code.length + 1);
    const rate = await this.rates.mostSpecific(manager, code, subdivision);
    return rate ? { id: rate.id, name: rate.name, rateBp: rate.rateBp } : null;
  }
}
