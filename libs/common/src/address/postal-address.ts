/** A postal address as a customer gave it (validated on the way in); carts and orders keep it as JSON. */
export interface PostalAddress {
  firstName: string;
  lastName: string;
  company?: string | null;
  line1: string;
  line2?: string | null;
  city: string;
  postalCode: string;
  /** ISO 3166-2 subdivision suffix (`CA` of `US-CA`), where taxes or shipping depend on it. */
  region?: string | null;
  /** ISO 3166-1 alpha-2. */
  country: string;
  phone?: string | null;
}
