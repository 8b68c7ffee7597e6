/** The claims of an access token: who (`sub`), which session (`sid`) and which token epoch (`ep`). */
export interface AccessTokenClaims {
  typ: 'access';
  sub: string;
  sid: string;
  ep: number;
}

/** The claims of the short-lived token between the password step and the code step of an MFA login. */
export interface MfaChallengeClaims {
  typ: 'mfa';
  sub: string;
  /** The user's token epoch at the password step: ending all sessions voids the challenge too. */
  ep: number;
  /** The challenge id: its attempt counter lives in Redis and it can be consumed once. */
  jti: string;
}

/** How far a token's `iat` may be ahead of this clock, and its lifetime over the configured TTL. */
export const ACCESS_TOKEN_CLOCK_SKEW_SECONDS = 30;

/**
 * The time claims an access token must carry, beyond what the JWT library checks (it checks `exp`
 * only when present and never looks at `iat`): `exp` and `iat` both present, `iat` not in the future,
 * and a lifetime no longer than the configured TTL. A signing key that leaks can then mint tokens
 * that live at most one TTL, like the real ones.
 */
export function hasAccessTokenLifetime(payload: unknown, ttlSeconds: number, nowSeconds: number): boolean {
  const { iat, exp } = (payload ?? {}) as { iat?: unknown; exp?: unknown };
  if (!Number.isInteger(iat) || !Number.isInteger(exp)) return false;
  const issuedAt = iat as number;
  const expiresAt = exp as number;
  return (
    issuedAt <= nowSeconds + ACCESS_TOKEN_CLOCK_SKEW_SECONDS &&
    expiresAt > issuedAt &&
    expiresAt - issuedAt <= ttlSeconds + ACCESS_TOKEN_CLOCK_SKEW_SECONDS
  );
}

export function isAccessTokenClaims(payload: unknown): payload is AccessTokenClaims {
  const claims = payload as Partial<AccessTokenClaims> | null;
  return (
    claims !== null &&
    typeof claims === 'object' &&
    claims.typ === 'access' &&
    typeof claims.sub === 'string' &&
    typeof claims.sid === 'string' &&
    Number.isInteger(claims.ep)
  );
}
