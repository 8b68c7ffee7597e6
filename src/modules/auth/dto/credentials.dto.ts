import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsJWT, IsNotEmpty, IsString, Length, Matches, MaxLength } from 'class-validator';
import { IsAcceptablePassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../passwords/password-policy';

/** Emails are compared and stored trimmed and lower-cased. */
export const normaliseEmail = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.normalize('NFC').trim().toLowerCase() : value;
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Register: only these three fields; a role, a verified flag or anything else is refused (400). */
export class RegisterDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @Transform(normaliseEmail)
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({
    example: 'correct horse battery staple',
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
    description: 'At least 8 characters, not one of the 20,000 most common passwords.',
  })
  @IsAcceptablePassword()
  password: string;

  @ApiProperty({ example: 'Ada Lovelace', maxLength: 200 })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name: string;
}

export class LoginDto {
  @ApiProperty({ example: 'ada@example.com' })
  @Transform(normaliseEmail)
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(PASSWORD_MAX_LENGTH * 4)
  password: string;
}

export class MfaLoginDto {
  @ApiProperty({ description: 'The `mfaToken` the password step returned.' })
  @IsJWT()
  mfaToken: string;

  @ApiProperty({
    example: '123456',
    description: 'A 6-digit code from the authenticator, or a recovery code.',
  })
  @IsString()
  @Length(6, 40)
  code: string;
}

export class RefreshDto {
  @ApiProperty({ example: 'rt_…' })
  @IsString()
  @Length(10, 200)
  refreshToken: string;
}

export class OneTimeTokenDto {
  @ApiProperty({ description: 'The token from the link in the email.' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{20,200}$/, { message: 'token is not a token this API issued' })
  token: string;
}

export class ForgotPasswordDto {
  @ApiProperty({ example: 'ada@example.com' })
  @Transform(normaliseEmail)
  @IsEmail()
  @MaxLength(254)
  email: string;
}

export class ResetPasswordDto extends OneTimeTokenDto {
  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH })
  @IsAcceptablePassword()
  newPassword: string;
}

export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(PASSWORD_MAX_LENGTH * 4)
  currentPassword: string;

  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH })
  @IsAcceptablePassword()
  newPassword: string;
}

/** Re-authentication for sensitive changes (MFA enrolment, account deletion). */
export class PasswordConfirmationDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(PASSWORD_MAX_LENGTH * 4)
  password: string;
}

export class AcceptedResponseDto {
  @ApiProperty({ example: 'If the address belongs to an account, an email is on its way.' })
  message: string;

  @ApiPropertyOptional()
  detail?: string;
}
