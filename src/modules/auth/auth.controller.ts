import {
  Actor,
  CredentialRoute,
  ApiProblemResponses,
  Authenticated,
  CurrentUser,
  Public,
  type RequestActor,
  type UserPrincipal,
} from '@app/common';
import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { AccountsService } from './accounts.service';
import { AuthService } from './auth.service';
import {
  AcceptedResponseDto,
  ForgotPasswordDto,
  LoginDto,
  MfaLoginDto,
  OneTimeTokenDto,
  RefreshDto,
  RegisterDto,
  ResetPasswordDto,
} from './dto/credentials.dto';
import { LoginResponseDto, MfaChallengeResponseDto, TokensResponseDto } from './dto/tokens.response.dto';

@ApiTags('auth')
@Controller({ path: 'auth' })
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly accounts: AccountsService,
  ) {}

  @Post('register')
  @Public()
  @HttpCode(HttpStatus.ACCEPTED)
  @CredentialRoute()
  @ApiOperation({
    summary: 'Create an account; a verification link is emailed',
    description: 'Answers 202 whether or not the address already has an account, so it reveals nobody.',
  })
  @ApiAcceptedResponse({ type: AcceptedResponseDto })
  @ApiProblemResponses(400, 429)
  async register(@Body() body: RegisterDto): Promise<AcceptedResponseDto> {
    await this.accounts.register(body);
    return { message: 'Check your inbox for a link to verify your address.' };
  }

  @Post('email/verify')
  @Public()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Verify the email address with the token from the link' })
  @ApiNoContentResponse()
  @ApiProblemResponses(400, 422)
  verifyEmail(@Body() body: OneTimeTokenDto): Promise<void> {
    return this.accounts.verifyEmail(body.token);
  }

  @Post('login')
  @Public()
  @HttpCode(HttpStatus.OK)
  @CredentialRoute()
  @ApiOperation({ summary: 'Sign in with email and password; returns tokens or an MFA challenge' })
  @ApiExtraModels(TokensResponseDto, MfaChallengeResponseDto)
  @ApiOkResponse({
    description:
      'Tokens (`mfaRequired: false`), or an MFA challenge (`mfaRequired: true`) to answer at /v1/auth/mfa/verify',
    schema: {
      oneOf: [{ $ref: getSchemaPath(TokensResponseDto) }, { $ref: getSchemaPath(MfaChallengeResponseDto) }],
    },
  })
  @ApiProblemResponses(400, 401, 403, 429)
  login(@Actor() actor: RequestActor<undefined>, @Body() body: LoginDto): Promise<LoginResponseDto> {
    return this.auth.login(body, actor);
  }

  @Post('mfa/verify')
  @Public()
  @HttpCode(HttpStatus.OK)
  @CredentialRoute()
  @ApiOperation({ summary: 'Second sign-in step: the MFA token and a TOTP or recovery code' })
  @ApiOkResponse({ type: TokensResponseDto })
  @ApiProblemResponses(400, 401, 429)
  verifyMfa(@Actor() actor: RequestActor<undefined>, @Body() body: MfaLoginDto): Promise<TokensResponseDto> {
    return this.auth.verifyMfa(body, actor);
  }

  @Post('refresh')
  @Public()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Exchange a refresh token for a new pair',
    description: 'Each refresh token works once; presenting a used one ends the whole session.',
  })
  @ApiOkResponse({ type: TokensResponseDto })
  @ApiProblemResponses(400, 401)
  refresh(@Actor() actor: RequestActor<undefined>, @Body() body: RefreshDto): Promise<TokensResponseDto> {
    return this.auth.refresh(body.refreshToken, actor);
  }

  @Post('logout')
  @Authenticated()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'End this session (its access and refresh tokens stop working at once)' })
  @ApiNoContentResponse()
  @ApiProblemResponses(401)
  logout(@CurrentUser() user: UserPrincipal): Promise<void> {
    return this.auth.logout(user);
  }

  @Post('password/forgot')
  @Public()
  @HttpCode(HttpStatus.ACCEPTED)
  @CredentialRoute()
  @ApiOperation({
    summary: 'Email a password reset link',
    description: 'Always 202, whether or not the address has an account.',
  })
  @ApiAcceptedResponse({ type: AcceptedResponseDto })
  @ApiProblemResponses(400, 429)
  async forgotPassword(
    @Actor() actor: RequestActor<undefined>,
    @Body() body: ForgotPasswordDto,
  ): Promise<AcceptedResponseDto> {
    await this.accounts.forgotPassword(body, actor);
    return { message: 'If the address belongs to an account, a reset link is on its way.' };
  }

  @Post('password/reset')
  @Public()
  @HttpCode(HttpStatus.NO_CONTENT)
  @CredentialRoute()
  @ApiOperation({ summary: 'Set a new password with the token from the reset link (ends every session)' })
  @ApiNoContentResponse()
  @ApiProblemResponses(400, 422, 429)
  resetPassword(@Body() body: ResetPasswordDto): Promise<void> {
    return this.accounts.resetPassword(body);
  }
}
