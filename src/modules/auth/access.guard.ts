import {
  ACCESS_POLICY,
  type AccessPolicy,
  type AuthenticatedRequest,
  ForbiddenError,
  ROLE_PERMISSIONS,
  type Principal,
  UnauthenticatedError,
} from '@app/common';
import { ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ThrottlerGuard } from '@nestjs/throttler';
import { API_KEY_PREFIX, ApiKeysService } from './api-keys.service';
import { InvalidTokenError } from './auth.errors';
import { LiveSessionsService } from './live-sessions.service';
import type { AccessTokenClaims } from './tokens/token-claims';
import { VerifiedTokenCache } from './tokens/verified-token-cache';

/** A route without a policy is a programming error: denied, and loud in the logs. */
class AccessPolicyMissingError extends ForbiddenError {}

/**
 * The one global guard. It applies the rate limit (@nestjs/throttler's guard, run from here) and
 * access: every route is denied unless it declares who may call it (`@Public`,
 * `@Authenticated`, `@RequirePermission`). A JWT goes through passport-jwt (signature with the
 * HS256 allow-list, exp and iat required and within the TTL, nbf, iss, aud, typ); then the user's
 * current state — disabled, token epoch raised — and the session — live, and the user's — are
 * checked against process copies of their Redis entries that Redis invalidates, so a revocation
 * takes effect at once on every replica and a warm request makes no round trip for them.
 * `Bearer sk_…` and `X-Api-Key` are API keys.
 */
@Injectable()
export class AccessGuard extends AuthGuard('jwt') {
  private readonly logger = new Logger(AccessGuard.name);
  private readonly verifiedTokens = new VerifiedTokenCache();
  private readonly policies = new WeakMap<object, WeakMap<object, AccessPolicy | undefined>>();
  private readonly permissionsByRole = new Map(
    Object.entries(ROLE_PERMISSIONS).map(([role, permissions]) => [role, new Set(permissions)]),
  );

  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
    private readonly rateLimit: ThrottlerGuard,
    private readonly liveSessions: LiveSessionsService,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.policyOf(context);
    if (!policy) {
      this.logger.error(`${context.getClass().name}.${context.getHandler().name} declares no access policy`);
      throw new AccessPolicyMissingError('This route is not open to anyone.');
    }
    if (policy.kind === 'public') return this.rateLimit.canActivate(context);
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (
      policy.kind === 'guest-or-user' &&
      request.headers.authorization === undefined &&
      request.headers['x-api-key'] === undefined
    )
      return this.rateLimit.canActivate(context);

    // The rate limit and the credential check run side by side: their Redis commands leave in one
    // write and come back in one read (auto-pipelining), instead of two round trips in a row. A
    // limited client still gets 429 first, whatever its credentials.
    const [limited, authenticated] = await Promise.allSettled([
      this.rateLimit.canActivate(context),
      this.authenticate(context, request),
    ]);
    if (limited.status === 'rejected') throw limited.reason;
    if (authenticated.status === 'rejected') throw authenticated.reason;
    const principal = authenticated.value;
    if ((policy.kind === 'user' || policy.kind === 'guest-or-user') && principal.kind !== 'user') {
      throw new ForbiddenError('Only a signed-in person can do this, not an API key.');
    }
    if (policy.kind === 'permission' && !principal.permissions.has(policy.permission)) {
      throw new ForbiddenError(`This needs the "${policy.permission}" permission.`);
    }
    request.principal = principal;
    return true;
  }

  /**
   * A route's policy is decorator metadata, fixed once its class is defined: read through the
   * reflector once per controller and handler, not on every request (reflect-metadata walks
   * prototype chains: ~2 % of a health probe's CPU).
   */
  private policyOf(context: ExecutionContext): AccessPolicy | undefined {
    const controller = context.getClass();
    const handler = context.getHandler();
    let byHandler = this.policies.get(controller);
    if (!byHandler) this.policies.set(controller, (byHandler = new WeakMap()));
    if (byHandler.has(handler)) return byHandler.get(handler);
    const policy = this.reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_POLICY, [
      handler,
      controller,
    ]);
    byHandler.set(handler, policy);
    return policy;
  }

  /** passport's hook: its failures (bad signature, expired, wrong aud…) become one 401 problem. */
  override handleRequest<T = AccessTokenClaims>(error: unknown, claims: T | false): T {
    if (error || !claims) throw new InvalidTokenError();
    return claims;
  }

  private async authenticate(context: ExecutionContext, request: AuthenticatedRequest): Promise<Principal> {
    const apiKeyHeader = request.headers['x-api-key'];
    const authorization = request.headers.authorization;
    const bearer = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : undefined;
    const apiKey =
      typeof apiKeyHeader === 'string'
        ? apiKeyHeader
        : bearer?.startsWith(API_KEY_PREFIX)
          ? bearer
          : undefined;
    if (apiKey !== undefined) {
      const principal = await this.apiKeys.authenticate(apiKey);
      if (!principal) throw new UnauthenticatedError('The API key is unknown, revoked or expired.');
      return principal;
    }
    if (!authorization) throw new UnauthenticatedError();

    let claims = bearer ? this.verifiedTokens.get(bearer) : undefined;
    if (!claims) {
      await super.canActivate(context); // passport-jwt: throws through handleRequest, sets request.user
      claims = (request as AuthenticatedRequest & { user: AccessTokenClaims }).user;
      if (bearer) this.verifiedTokens.set(bearer, claims);
    }
    const user = await this.liveSessions.currentUser(claims);
    if (!user) throw new InvalidTokenError('This session has ended; sign in again.');
    return {
      kind: 'user',
      userId: user.id,
      sessionId: claims.sid,
      role: user.role,
      permissions: this.permissionsByRole.get(user.role) ?? new Set(),
      state: user,
    };
  }
}
