import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { type AccessTokenClaims, hasAccessTokenLifetime, isAccessTokenClaims } from './token-claims';
import { JWT_ALGORITHM, jwtKey } from './token.service';

/**
 * passport-jwt checks the signature with an explicit algorithm allow-list (so `alg: none` and
 * HS/RS confusion fail), then `exp` (when present), `nbf`, `iss` and `aud` (both required); `validate`
 * then accepts only access tokens (a refresh token is opaque and an MFA challenge token has
 * `typ: mfa`) that carry `exp` and `iat`, were not issued in the future and live no longer than
 * AUTH_ACCESS_TOKEN_TTL_SECONDS (30 s of clock skew allowed). Whether `sid` is a live session of `sub`
 * is the access guard's check, with the user's state.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(private readonly config: AppConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt's types say string | Buffer; jsonwebtoken takes a KeyObject, and it is much faster.
      secretOrKey: jwtKey(config) as unknown as Buffer,
      algorithms: [JWT_ALGORITHM],
      issuer: config.auth.jwtIssuer,
      audience: config.auth.jwtAudience,
      ignoreExpiration: false,
    });
  }

  validate(payload: unknown): AccessTokenClaims | false {
    return isAccessTokenClaims(payload) &&
      hasAccessTokenLifetime(payload, this.config.auth.accessTokenTtlSeconds, Date.now() / 1000)
      ? payload
      : false;
  }
}
