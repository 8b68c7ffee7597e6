// What the demo shop sells under, besides its catalog: where it ships and for how much, the tax
// rates of those countries, two discount codes and two accounts with public passwords. Amounts are
// integer minor units of the store currency (CATALOG_CURRENCY, EUR by default) in the configured
// price mode (tax-inclusive by default). Each entry has a natural key (zone name, country + region,
// code, email) by which the seed recognises it on a second run.
import type { Role } from '@app/common';

export interface DemoShippingZone {
  name: string;
  countries: string[];
  methods: Array<{ name: string; rate: number; freeOver: number | null; position: number }>;
}

export interface DemoTaxRate {
  country: string;
  /** ISO 3166-2 subdivision without the country prefix; '' for the whole country. */
  region: string;
  name: string;
  rateBp: number;
}

export interface DemoPromotion {
  code: string;
  description: string;
  kind: 'percentage' | 'fixed_amount';
  percentBp?: number;
  amount?: number;
  minSubtotal?: number;
}

export interface DemoAccount {
  email: string;
  password: string;
  name: string;
  role: Role;
}

/** A flat rate, and a dearer express service that is free from a discounted subtotal up. */
const methods = (flat: number, tracked: number, freeOver: number): DemoShippingZone['methods'] => [
  { name: 'Standard (3-5 working days)', rate: flat, freeOver: null, position: 0 },
  { name: 'Express (1-2 working days)', rate: tracked, freeOver, position: 1 },
];

export const DEMO_SHIPPING_ZONES: readonly DemoShippingZone[] = [
  {
    name: 'Demo: European Union',
    countries: ['AT', 'BE', 'DE', 'ES', 'FR', 'IT', 'NL'],
    methods: methods(490, 790, 5_000),
  },
  { name: 'Demo: United Kingdom', countries: ['GB'], methods: methods(690, 990, 7_500) },
  { name: 'Demo: United States', countries: ['US'], methods: methods(990, 1_490, 10_000) },
];

/** Standard VAT rates of the EU countries and the UK; US sales tax for two states (none elsewhere). */
export const DEMO_TAX_RATES: readonly DemoTaxRate[] = [
  { country: 'AT', region: '', name: 'USt', rateBp: 2_000 },
  { country: 'BE', region: '', name: 'BTW / TVA', rateBp: 2_100 },
  { country: 'DE', region: '', name: 'MwSt', rateBp: 1_900 },
  { country: 'ES', region: '', name: 'IVA', rateBp: 2_100 },
  { country: 'FR', region: '', name: 'TVA', rateBp: 2_000 },
  { country: 'IT', region: '', name: 'IVA', rateBp: 2_200 },
  { country: 'NL', region: '', name: 'BTW', rateBp: 2_100 },
  { country: 'GB', region: '', name: 'VAT', rateBp: 2_000 },
  { country: 'US', region: '', name: 'No sales tax', rateBp: 0 },
  { country: 'US', region: 'CA', name: 'California sales tax', rateBp: 725 },
  { country: 'US', region: 'NY', name: 'New York sales tax', rateBp: 400 },
];

export const DEMO_PROMOTIONS: readonly DemoPromotion[] = [
  { code: 'WELCOME10', description: 'Demo: 10 % off any order', kind: 'percentage', percentBp: 1_000 },
  {
    code: 'SAVE5',
    description: 'Demo: 5.00 off orders from 30.00',
    kind: 'fixed_amount',
    amount: 500,
    minSubtotal: 3_000,
  },
];

/**
 * Fixed and public (README "Demo accounts"): a development database only. The seed never creates
 * them with NODE_ENV=production, and never changes an account that already exists.
 */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { email: 'admin@storekeep.test', password: 'storekeep-demo-admin', name: 'Demo Admin', role: 'admin' },
  {
    email: 'customer@storekeep.test',
    password: 'storekeep-demo-customer',
    name: 'Demo Customer',
    role: 'customer',
  },
];

/** A stock location for a database without any (the demo catalog brings `main` and `outlet`). */
export const DEMO_LOCATION = { code: 'main', name: 'Main warehouse', priority: 0 };

/** The system actor of the seed's own audit entries (the accounts, and each complete run). */
export const SEED_ACTOR = 'seed';
/** The audit action that says the demo shop was seeded completely (written once per database). */
export const DEMO_SHOP_SEEDED = 'demo-shop.seeded';
