import { Global, Module } from '@nestjs/common';
import { STOREFRONT_AVAILABILITY } from '../../inventory';
import { CatalogCoreModule } from '../catalog-core.module';
import { StorefrontAvailabilityAdapter } from './storefront-availability.adapter';

/**
 * Provides the inventory's STOREFRONT_AVAILABILITY port. Global, because the stock ledger that injects
 * it lives in a module the catalog imports itself; every process graph (API, worker, command-line
 * tools) imports this once at its root.
 */
@Global()
@Module({
  imports: [CatalogCoreModule],
  providers: [
    StorefrontAvailabilityAdapter,
    { provide: STOREFRONT_AVAILABILITY, useExisting: StorefrontAvailabilityAdapter },
  ],
  exports: [STOREFRONT_AVAILABILITY],
})
export class StorefrontAvailabilityModule {}
