// The public surface of the catalog feature: what other features, the process roots and the
// tools may import. Anything not named here is internal (the dependency rule in .dependency-cruiser.cjs).
export { CatalogCoreModule } from './catalog-core.module';
export { CatalogWorkerModule } from './catalog-worker.module';
export { CatalogModule } from './catalog.module';
export { CatalogImportWorkerModule } from './import/catalog-import-worker.module';
export { CatalogImportModule } from './import/catalog-import.module';
export { CATALOG_IMPORT_QUEUE, CatalogImportJobs } from './import/jobs/catalog-import.jobs';
export { CATALOG_QUEUE, CatalogJobs } from './jobs/catalog.jobs';
export { SellableVariant, SellableVariantsService } from './storefront/sellable-variants.service';
export { StorefrontAvailabilityModule } from './storefront/storefront-availability.module';
export { StorefrontHitsService } from './storefront/storefront-hits.service';
