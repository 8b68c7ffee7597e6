import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

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

/** Either tokens, or (when MFA is on) a challenge to answer at /v1/auth/mfa/verify. */
export class LoginResponseDto {
  @ApiPropertyOptional()
  accessToken?: string;

  @ApiPropertyOptional()
  refreshToken?: string;

  @ApiPropertyOptional({ example: 'Bearer' })
  tokenType?: 'Bearer';

  @ApiPropertyOptional({ example: 900 })
  expiresIn?: number;

  @ApiPropertyOptional({ description: 'True when a second factor is needed.' })
  mfaRequired?: true;

  @ApiPropertyOptional({ description: 'Short-lived token for /v1/auth/mfa/verify.' })
  mfaToken?: string;
}
