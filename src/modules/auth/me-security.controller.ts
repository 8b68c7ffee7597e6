import {
  Actor,
  ApiProblemResponses,
  Authenticated,
  CredentialRoute,
  CurrentUser,
  ParseOpaqueIdPipe,
  type RequestActor,
  type UserPrincipal,
} from '@app/common';
import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AccountsService } from './accounts.service';
import { AuthService } from './auth.service';
import { AcceptedResponseDto, ChangePasswordDto, PasswordConfirmationDto } from './dto/credentials.dto';
import { MfaCodeDto, MfaConfirmedResponseDto, MfaEnrolmentResponseDto } from './dto/mfa.dto';
import { SessionResponseDto } from './dto/session.response.dto';
import { TokensResponseDto } from './dto/tokens.response.dto';
import { MfaService } from './mfa.service';
import { SessionsService } from './sessions.service';

/** A person's own credentials, second factor and sessions. */
@ApiTags('me')
@Controller({ path: 'me' })
export class MeSecurityController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly auth: AuthService,
    private readonly mfa: MfaService,
    private readonly sessions: SessionsService,
  ) {}

  @Post('password')
  @CredentialRoute()
  @Authenticated()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Change your password: ends every session and returns a fresh one' })
  @ApiOkResponse({ type: TokensResponseDto })
  @ApiProblemResponses(400, 401, 429)
  changePassword(
    @CurrentUser() user: UserPrincipal,
    @Actor() actor: RequestActor,
    @Body() body: ChangePasswordDto,
  ): Promise<TokensResponseDto> {
    return this.accounts.changePassword(user, body, actor);
  }

  @Post('email/verification')
  @Authenticated()
  @CredentialRoute()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Send a new verification link (earlier links stop working)' })
  @ApiAcceptedResponse({ type: AcceptedResponseDto })
  @ApiProblemResponses(401, 409, 429)
  async resendVerification(
    @CurrentUser() user: UserPrincipal,
    @Actor() actor: RequestActor,
  ): Promise<AcceptedResponseDto> {
    await this.accounts.resendVerification(user, actor);
    return { message: 'A new verification link is on its way.' };
  }

  @Delete()
  @CredentialRoute()
  @Authenticated()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Ask for your account to be deleted (signs you out everywhere)' })
  @ApiAcceptedResponse({ type: AcceptedResponseDto })
  @ApiProblemResponses(400, 401, 429)
  async requestDeletion(
    @CurrentUser() user: UserPrincipal,
    @Actor() actor: RequestActor,
    @Body() body: PasswordConfirmationDto,
  ): Promise<AcceptedResponseDto> {
    await this.accounts.requestDeletion(user, body.password, actor);
    return { message: 'Your deletion request is recorded; you have been signed out everywhere.' };
  }

  @Post('mfa')
  @CredentialRoute()
  @Authenticated()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Start two-factor enrolment: a TOTP secret, its otpauth URL and a QR code' })
  @ApiOkResponse({ type: MfaEnrolmentResponseDto })
  @ApiProblemResponses(400, 401, 409)
  enrolMfa(
    @CurrentUser() user: UserPrincipal,
    @Actor() actor: RequestActor,
    @Body() body: PasswordConfirmationDto,
  ): Promise<MfaEnrolmentResponseDto> {
    return this.mfa.enrol(user, body.password, actor);
  }

  @Post('mfa/confirm')
  @CredentialRoute()
  @Authenticated()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Turn two-factor on with a first code; returns recovery codes and a fresh session',
  })
  @ApiOkResponse({ type: MfaConfirmedResponseDto })
  @ApiProblemResponses(400, 401, 409)
  confirmMfa(
    @CurrentUser() user: UserPrincipal,
    @Actor() actor: RequestActor,
    @Body() body: MfaCodeDto,
  ): Promise<MfaConfirmedResponseDto> {
    return this.mfa.confirm(user, body.code, actor);
  }

  @Delete('mfa')
  @CredentialRoute()
  @Authenticated()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Turn two-factor off with a code; ends every session and returns a fresh one' })
  @ApiOkResponse({ type: TokensResponseDto })
  @ApiProblemResponses(400, 401, 409)
  disableMfa(
    @CurrentUser() user: UserPrincipal,
    @Actor() actor: RequestActor,
    @Body() body: MfaCodeDto,
  ): Promise<TokensResponseDto> {
    return this.mfa.disable(user, body.code, actor);
  }

  @Get('sessions')
  @Authenticated()
  @ApiOperation({ summary: 'Your live sessions (device, IP, last use)' })
  @ApiOkResponse({ type: [SessionResponseDto] })
  @ApiProblemResponses(401)
  listSessions(@CurrentUser() user: UserPrincipal): Promise<SessionResponseDto[]> {
    return this.sessions.list(user);
  }

  @Delete('sessions')
  @Authenticated()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Log out everywhere: every session ends at once, this one included' })
  @ApiNoContentResponse()
  @ApiProblemResponses(401)
  logoutEverywhere(@CurrentUser() user: UserPrincipal): Promise<void> {
    return this.auth.logoutEverywhere(user);
  }

  @Delete('sessions/:id')
  @Authenticated()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'End one of your sessions' })
  @ApiNoContentResponse()
  @ApiProblemResponses(400, 401, 404)
  revokeSession(
    @CurrentUser() user: UserPrincipal,
    @Param('id', new ParseOpaqueIdPipe()) id: string,
  ): Promise<void> {
    return this.sessions.revoke(user, id);
  }
}
