import { STOREFRONT_CACHED } from '@app/common';
import { RouteConfig } from '@nestjs/platform-fastify';

/**
 * Marks a storefront GET handler whose responses the hit path may repeat (StorefrontHitsService) and whose
 * requests skip the per-request logger context (request logging). Declared on the handler, so a
 * renamed route keeps both. It is Fastify route config (Nest's `@RouteConfig`): the set of routes is
 * resolved once, when Fastify registers them, and costs a request no lookup of its own.
 * `@RouteConfig` is one metadata slot per handler: a handler that needs other route config too must
 * combine both in one `@RouteConfig` call.
 */
export const StorefrontCached = (): MethodDecorator => RouteConfig({ [STOREFRONT_CACHED]: true });
