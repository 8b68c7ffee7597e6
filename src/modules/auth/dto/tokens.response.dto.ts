import { ApiProperty } from '@nestjs/swagger';

export class TokensResponseDto {
  @ApiProperty({ description: 'JWT for `Authorization: Bearer`; short-lived.' })
  accessToken: string;

  @ApiProperty({ description: 'Opaque; exchange it once at /v1/auth/refresh for a new pair.' })
  refreshToken: string;

  @ApiProperty({ example: 'Bearer' })
  tokenType: 'Bearer';

  @ApiProperty({ example: 900, description: 'Seconds until the access token expires.' })
  expiresIn: number;
}

/** Step one of an MFA sign-in: answer the challenge at /v1/auth/mfa/verify. */
export class MfaChallengeResponseDto {
  @ApiProperty({ enum: [true], description: 'Always true: a second factor is needed.' })
  mfaRequired: true;

  @ApiProperty({ description: 'Short-lived token for /v1/auth/mfa/verify.' })
  mfaToken: string;
}

/**
 * Either tokens, or (when MFA is on) a challenge to answer at /v1/auth/mfa/verify; only the
 * challenge has `mfaRequired`. Documented as `oneOf` of the two (see the login route).
 */
export type LoginResponseDto = TokensResponseDto | MfaChallengeResponseDto;
