/**
 * Redis keys of the storefront read cache (under the deployment's key prefix). Every cached read is
 * stored under the catalog generation current when its database read began; a write raises the
 * generation after it commits, so no replica can serve what it cached before.
 */
export const CATALOG_GENERATION_KEY = 'catalog:gen';
/**
 * The shape of the cached bodies: raised when what the storefront sends changes shape (2: money as
 * integers with one product `currency`, issue 15), so a replica never serves a body cached by an
 * older release.
 */
const ENTRY_SHAPE = 2;
export const catalogEntryKey = (generation: string, entry: string): string =>
  `catalog:v${ENTRY_SHAPE}:${generation}:${entry}`;
