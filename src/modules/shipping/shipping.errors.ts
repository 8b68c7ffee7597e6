import { DomainError } from '@app/common';

export { StaleVersionError } from '@app/common';

export class ShippingZoneNotFoundError extends DomainError {
  readonly kind = 'not_found';
  readonly type = 'shipping-zone-not-found';
  readonly title = 'Shipping zone not found';
  constructor(id: string) {
    super(`There is no shipping zone ${JSON.stringify(id)}.`);
  }
}

export class ShippingMethodNotFoundError extends DomainError {
  readonly kind = 'not_found';
  readonly type = 'shipping-method-not-found';
  readonly title = 'Shipping method not found';
  constructor(id: string) {
    super(`There is no shipping method ${JSON.stringify(id)}.`);
  }
}

/** A country can be in one zone only, so a destination always has one set of methods. */
export class CountryInAnotherZoneError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'country-in-another-zone';
  readonly title = 'Country already belongs to another shipping zone';
  constructor(taken: Array<{ country: string; zoneId: string; zoneName: string }>) {
    super(
      `${taken.map((entry) => `${entry.country} is in zone ${JSON.stringify(entry.zoneName)} (${entry.zoneId})`).join('; ')}: remove it there first.`,
      { countries: taken.map((entry) => entry.country), conflicts: taken },
    );
  }
}
