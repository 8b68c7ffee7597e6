import { UserPrincipal } from '@app/common';
import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import { UsersService } from '../users';
import {
  AccountDisabledError,
  InvalidCredentialsError,
  InvalidMfaCodeError,
  InvalidTokenError,
} from './auth.errors';
import type { LoginDto, MfaLoginDto } from './dto/credentials.dto';
import type { LoginResponseDto } from './dto/tokens.response.dto';
import { LoginThrottleService, throttleAccount } from './login-throttle.service';
import { MfaChallengesService } from './mfa-challenges.service';
import { MfaService } from './mfa.service';
import { PasswordHasherService } from './passwords/password-hasher.service';
import { ClientMeta, SessionsService } from './sessions.service';
import { IssuedTokens, TokenService } from './tokens/token.service';

/** Signing in and out: password, second factor, refresh, logout. */
@Injectable()
export class AuthService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly users: UsersService,
    private readonly passwords: PasswordHasherService,
    private readonly throttle: LoginThrottleService,
    private readonly sessions: SessionsService,
    private readonly challenges: MfaChallengesService,
    private readonly mfa: MfaService,
    private readonly tokens: TokenService,
  ) {}

  /**
   * Step one. Unknown email and wrong password look the same (same error, same argon2 time). The
   * attempt is counted before the check, so neither a burst nor two replicas get past the limit.
   */
  async login(credentials: LoginDto, client: ClientMeta): Promise<LoginResponseDto> {
    const user = await this.users.findByEmail(credentials.email);
    const account = throttleAccount(user, credentials.email);
    await this.throttle.consume('login', account, client.ip);
    const valid = user
      ? await this.passwords.verify(user.passwordHash, credentials.password)
      : await this.passwords.verifyNothing(credentials.password);
    if (!user || !valid) throw new InvalidCredentialsError();
    await this.throttle.succeeded('login', account, client.ip);
    if (user.status !== 'active')
      throw new AccountDisabledError('Contact the shop to have it enabled again.');

    // Parameters raised since this hash was made: replace it now that the password is proven (also
    // for MFA accounts, whose second step never sees the password).
    const rehash = this.passwords.needsRehash(user.passwordHash)
      ? await this.passwords.hash(credentials.password)
      : undefined;
    if (user.mfaEnabledAt) {
      if (rehash)
        await this.transactions.run((tx) => this.users.update(tx, user.id, { passwordHash: rehash }));
      const challengeId = await this.challenges.create();
      return {
        mfaRequired: true,
        mfaToken: this.tokens.signMfaChallenge(user.id, user.tokenEpoch, challengeId),
      };
    }
    return this.transactions.run(async (manager) => {
      const current = rehash ? await this.users.update(manager, user.id, { passwordHash: rehash }) : user;
      return this.sessions.start(manager, current, client);
    });
  }

  /** Step two: a TOTP or recovery code against the challenge from step one. */
  async verifyMfa(body: MfaLoginDto, client: ClientMeta): Promise<IssuedTokens> {
    const claims = this.tokens.verifyMfaChallenge(body.mfaToken);
    await this.throttle.consume('mfa', claims.sub, client.ip);
    const attempt = await this.challenges.attempt(claims.jti);
    if (attempt < 0)
      throw new InvalidTokenError('This sign-in step has expired or was completed; sign in again.');
    if (attempt > MfaChallengesService.MAX_ATTEMPTS) {
      await this.challenges.spend(claims.jti);
      throw new InvalidTokenError('Too many wrong codes for this sign-in; sign in again.');
    }
    const { user, tokens } = await this.transactions.run(async (manager) => {
      const current = await this.users.lockById(manager, claims.sub);
      // The password step is void once the user's sessions were ended (reset, disable, log out everywhere).
      if (!current || current.status !== 'active' || current.tokenEpoch !== claims.ep)
        throw new InvalidTokenError();
      if (!(await this.mfa.checkCode(manager, current, body.code))) return { user: null, tokens: null };
      const updated = (await this.users.findById(current.id, manager))!;
      return { user: updated, tokens: await this.sessions.start(manager, updated, client) };
    });
    if (!user || !tokens) throw new InvalidMfaCodeError('The code is not right, or it was already used.');
    // Spent after the commit: a retried or failed transaction must not burn a right code. Codes are
    // single-use on their own (the locked user row and the last TOTP step), so no second session
    // can come of the same code meanwhile.
    await this.challenges.spend(claims.jti);
    await this.throttle.succeeded('mfa', claims.sub, client.ip);
    return tokens;
  }

  refresh(refreshToken: string, client: ClientMeta): Promise<IssuedTokens> {
    return this.sessions.refresh(refreshToken, client);
  }

  logout(principal: UserPrincipal): Promise<void> {
    return this.sessions.revoke(principal, principal.sessionId, 'logout');
  }

  /** Log out everywhere: every session and access token of the user ends at once. */
  async logoutEverywhere(principal: UserPrincipal): Promise<void> {
    await this.transactions.run(async (manager) => {
      await this.sessions.endAll(manager, principal.userId, 'logout-everywhere');
      await this.users.update(manager, principal.userId, {}, { revokeSessions: true });
    });
  }
}
