import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import { createSecretKey, type KeyObject } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { InvalidTokenError } from '../auth.errors';
import type { AccessTokenClaims, MfaChallengeClaims } from './token-claims';

/** The one algorithm accepted; anything else (none, RS256, HS512…) is refused by the allow-list. */
export const JWT_ALGORITHM = 'HS256';

const keys = new WeakMap<AppConfig, KeyObject>();

/**
 * The HMAC key as a KeyObject, made once: given the secret as a string, jsonwebtoken builds a key
 * on every verification (~0.4 ms, measured: most of an authenticated request's CPU).
 */
export function jwtKey(config: AppConfig): KeyObject {
  let key = keys.get(config);
  if (!key) {
    key = createSecretKey(Buffer.from(config.auth.jwtSecret, 'utf8'));
    keys.set(config, key);
  }
  return key;
}

export interface IssuedTokens {
  /** Always false: tells tokens from the MFA challenge a login may answer instead. */
  mfaRequired: false;
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  expiresIn: number;
}

/** Signs and checks the JWTs Storekeep issues: access tokens and MFA challenge tokens. */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  signAccess(claims: Omit<AccessTokenClaims, 'typ'>): string {
    const payload: AccessTokenClaims = { typ: 'access', ...claims };
    return this.jwt.sign(payload, {
      algorithm: JWT_ALGORITHM,
      expiresIn: this.config.auth.accessTokenTtlSeconds,
      issuer: this.config.auth.jwtIssuer,
      audience: this.config.auth.jwtAudience,
    });
  }

  signMfaChallenge(userId: string, tokenEpoch: number, challengeId: string): string {
    const payload: MfaChallengeClaims = { typ: 'mfa', sub: userId, ep: tokenEpoch, jti: challengeId };
    return this.jwt.sign(payload, {
      algorithm: JWT_ALGORITHM,
      expiresIn: this.config.auth.mfaChallengeTtlSeconds,
      issuer: this.config.auth.jwtIssuer,
      audience: this.config.auth.jwtAudience,
    });
  }

  verifyMfaChallenge(token: string): MfaChallengeClaims {
    let payload: Partial<MfaChallengeClaims>;
    try {
      payload = this.jwt.verify<MfaChallengeClaims>(token, {
        algorithms: [JWT_ALGORITHM],
        issuer: this.config.auth.jwtIssuer,
        audience: this.config.auth.jwtAudience,
      });
    } catch {
      throw new InvalidTokenError('The MFA token is invalid or expired; sign in again.');
    }
    if (
      payload.typ !== 'mfa' ||
      typeof payload.sub !== 'string' ||
      typeof payload.jti !== 'string' ||
      !Number.isInteger(payload.ep)
    ) {
      throw new InvalidTokenError('This is not an MFA token.');
    }
    return payload as MfaChallengeClaims;
  }
}
