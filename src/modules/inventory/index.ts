// The public surface of the inventory feature: what other features, the process roots and the
// tools may import. Anything not named here is internal (the dependency rule in .dependency-cruiser.cjs).
export { InventoryCoreModule } from './inventory-core.module';
export { InventoryWorkerModule } from './inventory-worker.module';
export { InsufficientStockError } from './inventory.errors';
export { InventoryModule } from './inventory.module';
export { INVENTORY_QUEUE } from './jobs/inventory.jobs';
export { ReservationsService } from './reservations.service';
export type { KnownVariant } from './reservations.service';
export { StockCorrectionsService } from './stock-corrections.service';
export { StockShortageService } from './stock-shortage.service';
export type { ShortVariant } from './inventory.repository';
export { STOREFRONT_AVAILABILITY } from './storefront-availability.port';
export type { StorefrontAvailability } from './storefront-availability.port';
