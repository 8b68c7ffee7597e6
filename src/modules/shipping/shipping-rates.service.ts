import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { ShippingMethod } from './entities/shipping-method.entity';
import { ShippingMethodsRepository } from './shipping-methods.repository';

/** What pricing needs of a shipping method. Amounts are integer minor units of the store currency. */
export interface ShippingMethodRule {
  id: string;
  zoneId: string;
  name: string;
  /** In the same price mode as product prices. */
  rate: number;
  /** Shipping is free when the discounted subtotal is at least this; null = never free. */
  freeOver: number | null;
}

const toRule = (method: ShippingMethod): ShippingMethodRule => ({
  id: method.id,
  zoneId: method.zoneId,
  name: method.name,
  rate: method.rate,
  freeOver: method.freeOver,
});

/** ISO 3166-1 alpha-2 in the stored form; anything else can match no zone. */
const normaliseCountry = (country: string): string | null => {
  const code = country.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(code) ? code : null;
};

/**
 * The shipping rules other features (carts, checkout) price with. Every method takes the caller's
 * EntityManager, so it reads inside the caller's transaction.
 */
@Injectable()
export class ShippingRatesService {
  constructor(private readonly methods: ShippingMethodsRepository) {}

  /** The active methods of the active zone containing `country`, ordered by position; [] if none. */
  async methodsFor(manager: EntityManager, country: string): Promise<ShippingMethodRule[]> {
    const code = normaliseCountry(country);
    if (!code) return [];
    return (await this.methods.offeredTo(manager, code)).map(toRule);
  }

  /**
   * The method, with the countries it ships to, if it is offered at all; null when it does not
   * exist, is inactive, or its zone is inactive (a cart holding it must choose again).
   */
  async findMethod(
    manager: EntityManager,
    methodId: string,
  ): Promise<(ShippingMethodRule & { countries: string[] }) | null> {
    const found = await this.methods.findOffered(manager, methodId);
    return found ? { ...toRule(found.method), countries: found.countries } : null;
  }
}
