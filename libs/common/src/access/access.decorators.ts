import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Permission } from './permissions';
import type { Principal, RequestActor, UserPrincipal } from './principal';

export const ACCESS_POLICY = 'storekeep:access-policy';

/**
 * What a route requires. Every route declares one: the global guard denies a route without it, and
 * a test fails when one is missing.
 * - `public`: anyone, signed in or not.
 * - `user`: any signed-in person (their own resources: /v1/me, their carts and orders).
 * - `guest-or-user`: anyone; a caller who sends credentials must send valid ones of a person, and
 *   the route then acts for that person (carts and orders: guests prove ownership with a token).
 * - `permission`: a person whose role grants it, or an API key with it as a scope.
 */
export type AccessPolicy =
  | { kind: 'public' }
  | { kind: 'guest-or-user' }
  | { kind: 'user' }
  | { kind: 'permission'; permission: Permission };

/** Open to everyone. */
export const Public = (): MethodDecorator & ClassDecorator =>
  SetMetadata(ACCESS_POLICY, { kind: 'public' } satisfies AccessPolicy);

/**
 * Guests and signed-in people alike (carts, checkout, an order's page). Credentials are optional, but
 * when sent they must be a valid person's: the request then carries that principal.
 */
export const GuestOrUser = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(ACCESS_POLICY, { kind: 'guest-or-user' } satisfies AccessPolicy),
    ApiBearerAuth(),
  );

/** Any signed-in person (not an API key: a key acts for a server, not for a person). */
export const Authenticated = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ACCESS_POLICY, { kind: 'user' } satisfies AccessPolicy), ApiBearerAuth());

/** A person whose role grants `permission`, or an API key scoped with it. */
export const RequirePermission = (permission: Permission): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(ACCESS_POLICY, { kind: 'permission', permission } satisfies AccessPolicy),
    ApiBearerAuth(),
    ApiSecurity('api-key'),
  );

/** The request as the guard left it: authenticated routes carry their principal. */
export interface AuthenticatedRequest extends FastifyRequest {
  principal?: Principal;
}

/** The caller and where the request came from, for services that audit or track sessions. */
export const Actor = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RequestActor<Principal | undefined> => {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const userAgent = request.headers['user-agent'];
    return {
      principal: request.principal,
      requestId: String(request.id),
      ip: request.ip,
      userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 255) : '',
    };
  },
);

/** The signed-in person on an `@Authenticated()` route (the guard has made sure there is one). */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): UserPrincipal => {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (principal?.kind !== 'user')
      throw new Error('CurrentUser used on a route that is not @Authenticated()');
    return principal;
  },
);

export const CREDENTIAL_ROUTE = 'storekeep:credential-route';

/**
 * A route that checks a secret (login, MFA, reset…): besides the global limit it gets the tighter
 * per-IP `credentials` throttler (AUTH_ROUTE_RATE_LIMIT_PER_MINUTE).
 */
export const CredentialRoute = (): MethodDecorator => SetMetadata(CREDENTIAL_ROUTE, true);
