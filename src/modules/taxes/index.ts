// The public surface of the taxes feature: what other features, the process roots and the
// tools may import. Anything not named here is internal (the dependency rule in .dependency-cruiser.cjs).
export { TaxRatesService } from './tax-rates.service';
export { TaxesModule } from './taxes.module';
