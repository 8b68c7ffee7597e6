import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { TokensResponseDto } from './tokens.response.dto';

export class MfaCodeDto {
  @ApiProperty({
    example: '123456',
    description: 'A 6-digit authenticator code (or, to turn MFA off, a recovery code).',
  })
  @IsString()
  @Length(6, 40)
  code: string;
}

export class MfaEnrolmentResponseDto {
  @ApiProperty({ description: 'Base32 secret, for authenticators without a camera. Shown once.' })
  secret: string;

  @ApiProperty({ example: 'otpauth://totp/Storekeep:ada%40example.com?secret=…&issuer=Storekeep' })
  otpauthUrl: string;

  @ApiProperty({ example: 'data:image/png;base64,…' })
  qrCodeDataUrl: string;
}

export class MfaConfirmedResponseDto extends TokensResponseDto {
  @ApiProperty({
    type: [String],
    description: 'Ten single-use recovery codes. Shown once: store them safely.',
  })
  recoveryCodes: string[];
}
