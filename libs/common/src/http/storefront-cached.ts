/**
 * The Fastify route-config flag that `@StorefrontCached()` (catalog) sets on a storefront read.
 * Fastify hands a route's config to `onRoute` when the route is registered (the hit path attaches
 * there) and to `request.routeOptions.config` per request (request logging reads it there).
 * Only the reader lives here: the decorator needs @nestjs/platform-fastify, which the worker and
 * the CLI, both users of this library, must not load.
 */
export const STOREFRONT_CACHED = 'storefrontCached';

/** Whether a route's Fastify config (`route.config`, `request.routeOptions.config`) is a storefront read. */
export function isStorefrontCached(config: unknown): boolean {
  return (config as Record<string, unknown> | undefined)?.[STOREFRONT_CACHED] === true;
}
