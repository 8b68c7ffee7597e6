// The public surface of the shipping feature: what other features, the process roots and the
// tools may import. Anything not named here is internal (the dependency rule in .dependency-cruiser.cjs).
export { ShippingRatesService } from './shipping-rates.service';
export type { ShippingMethodRule } from './shipping-rates.service';
export { ShippingModule } from './shipping.module';
