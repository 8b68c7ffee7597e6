/**
 * Redis keys of the storefront read cache (under the deployment's key prefix). Every cached read is
 * stored under the catalog generation current when its database read began; a write raises the
 * generation after it commits, so no replica can serve what it cached before.
 */
export const CATALOG_GENERATION_KEY = 'catalog:gen';
export const catalogEntryKey = (generation: string, entry: string): string =>
  `catalog:${generation}:${entry}`;
