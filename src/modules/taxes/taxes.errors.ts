import { DomainError } from '@app/common';

export { StaleVersionError } from '@app/common';

export class TaxRateNotFoundError extends DomainError {
  readonly kind = 'not_found';
  readonly type = 'tax-rate-not-found';
  readonly title = 'Tax rate not found';
  constructor(id: string) {
    super(`There is no tax rate ${JSON.stringify(id)}.`);
  }
}

export class TaxRateExistsError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'tax-rate-exists';
  readonly title = 'A tax rate for this place already exists';
  constructor(country: string, region: string, existingId: string) {
    super(
      `${region ? `${country}-${region}` : `${country} (whole country)`} already has a tax rate (${existingId}): change that one.`,
      { country, region: region || null, existingId },
    );
  }
}
