import type { TransactionContext } from '@app/database';

/**
 * What the inventory tells the storefront when stock changes what a shopper can buy. Inventory owns
 * this port and the catalog implements it, so stock never imports the catalog (the catalog's import
 * writes stock through inventory: the dependency runs one way).
 */
export interface StorefrontAvailability {
  /** These products went out of stock or came back: rebuild their storefront view in `tx`. */
  productsChanged(tx: TransactionContext, productIds: Iterable<string>): Promise<void>;
  /** A stock location was activated or deactivated: every product stocked there may have changed. */
  locationChanged(tx: TransactionContext, locationId: string): Promise<void>;
}

export const STOREFRONT_AVAILABILITY = Symbol('STOREFRONT_AVAILABILITY');
