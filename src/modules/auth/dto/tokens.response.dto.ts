import { ApiProperty } from '@nestjs/swagger';

export class TokensResponseDto {
  @ApiProperty({
    type: 'boolean',
    enum: [false],
    description: 'Always false: these are tokens, not an MFA challenge (which a login may answer instead).',
  })
  mfaRequired: false;

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
 * Either tokens, or (when MFA is on) a challenge to answer at /v1/auth/mfa/verify, told apart by
 * `mfaRequired` (`const: false` / `const: true`). Documented as `oneOf` of the two (see the login
 * route), without an OpenAPI `discriminator`: its values must be strings (ajv refuses a boolean one).
 */
export type LoginResponseDto = TokensResponseDto | MfaChallengeResponseDto;
