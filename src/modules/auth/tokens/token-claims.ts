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
