import { Entity, Index, PrimaryColumn } from 'typeorm';

/** A destination country of a zone. A country belongs to one zone at most (the unique index says so). */
@Entity({ name: 'shipping_zone_countries' })
@Index('uq_shipping_zone_countries_country', ['countryCode'], { unique: true })
export class ShippingZoneCountry {
  @PrimaryColumn({ type: 'char', length: 36, name: 'zone_id' })
  zoneId: string;

  /** ISO 3166-1 alpha-2, upper-case. */
  @PrimaryColumn({ type: 'char', length: 2, name: 'country_code', charset: 'ascii', collation: 'ascii_bin' })
  countryCode: string;
}
