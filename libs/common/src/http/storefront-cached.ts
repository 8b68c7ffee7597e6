import { RouteConfig } from '@nestjs/platform-fastify';

/** The key `@StorefrontCached()` sets in a route's Fastify config. */
const STOREFRONT_CACHED = 'storefrontCached';

/**
 * Marks a storefront GET handler whose responses the hit path may repeat (StorefrontHits) and whose
 * requests skip the per-request logger context (request logging). Declared on the handler, so a
 * renamed route keeps both. It is Fastify route config (Nest's `@RouteConfig`), which Fastify hands
 * to `onRoute` when the route is registered and to `request.routeOptions.config` per request: the
 * set of routes is resolved once, at startup, and costs a request no lookup of its own.
 * `@RouteConfig` is one metadata slot per handler: a handler that needs other route config too
 * must combine both in one `@RouteConfig` call.
 */
export const StorefrontCached = (): MethodDecorator => RouteConfig({ [STOREFRONT_CACHED]: true });

/** Whether a route's Fastify config (`route.config`, `request.routeOptions.config`) is a storefront read. */
export function isStorefrontCached(config: unknown): boolean {
  return (config as Record<string, unknown> | undefined)?.[STOREFRONT_CACHED] === true;
}
