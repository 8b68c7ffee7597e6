import type { AccessTokenClaims } from './token-claims';

type VerifiedClaims = AccessTokenClaims & { exp: number; nbf?: number };

/**
 * Access tokens this process has already verified (signature, algorithm, issuer, audience, type),
 * so a client that sends the same token for fifteen minutes pays for the check once. Only the
 * signature-dependent part is cached: expiry and not-before are rechecked on every hit, and the
 * user's state (disabled, sessions ended, session revoked) is looked up on every request anyway.
 * Bounded; the oldest entry makes room.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, VerifiedClaims>();

  constructor(private readonly maxEntries = 10_000) {}

  get(token: string, nowSeconds = Date.now() / 1000): AccessTokenClaims | undefined {
    const claims = this.entries.get(token);
    if (!claims) return undefined;
    if (claims.exp <= nowSeconds || (claims.nbf !== undefined && claims.nbf > nowSeconds)) {
      this.entries.delete(token);
      return undefined;
    }
    return claims;
  }

  set(token: string, claims: AccessTokenClaims): void {
    const { exp } = claims as Partial<VerifiedClaims>;
    if (typeof exp !== 'number') return; // never cache a token that does not expire
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, claims as VerifiedClaims);
  }
}
