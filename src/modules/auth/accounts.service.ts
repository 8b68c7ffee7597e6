import { hashToken, randomToken, SecretBox, UserPrincipal } from '@app/common';
import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { MAIL_SECRET_CONTEXT, MailJobs, type MailTemplate, type SendMailPayload } from '../notifications';
import { OutboxService } from '../outbox';
import { type User, UsersService } from '../users';
import { EmailAlreadyVerifiedError, InvalidCredentialsError, InvalidOneTimeTokenError } from './auth.errors';
import type {
  ChangePasswordDto,
  ForgotPasswordDto,
  RegisterDto,
  ResetPasswordDto,
} from './dto/credentials.dto';
import type { EmailTokenPurpose } from './entities/email-token.entity';
import { LoginThrottleService, throttleAccount } from './login-throttle.service';
import { OneTimeTokensRepository } from './one-time-tokens.repository';
import { PasswordHasherService } from './passwords/password-hasher.service';
import { ClientMeta, SessionsService } from './sessions.service';
import type { IssuedTokens } from './tokens/token.service';

const HOUR_MS = 3_600_000;
const EMAIL_TOKEN_TTL_MS: Record<EmailTokenPurpose, number> = {
  'verify-email': 24 * HOUR_MS,
  'reset-password': HOUR_MS,
};

/** Accounts: registration, email verification, password reset and change, deletion requests. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly users: UsersService,
    private readonly passwords: PasswordHasherService,
    private readonly tokens: OneTimeTokensRepository,
    private readonly sessions: SessionsService,
    private readonly throttle: LoginThrottleService,
    private readonly outbox: OutboxService,
    private readonly secrets: SecretBox,
  ) {}

  /**
   * Creates the account and, in the same transaction, the verification mail. A taken address gets
   * the same answer (and costs the same hashing time), so registration does not reveal who has an
   * account.
   */
  async register(body: RegisterDto): Promise<void> {
    const passwordHash = await this.passwords.hash(body.password);
    await this.transactions.run(async (manager) => {
      if (await this.users.findByEmail(body.email, manager)) return;
      const user = await this.users.create(manager, { email: body.email, name: body.name, passwordHash });
      await this.sendTokenMail(manager, user, 'verify-email');
    });
  }

  async verifyEmail(token: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      const userId = await this.tokens.consumeEmailToken(manager, hashToken(token), 'verify-email');
      if (!userId) throw new InvalidOneTimeTokenError('This verification link is invalid, used or expired.');
      return this.users.update(manager, userId, { emailVerifiedAt: new Date() });
    });
  }

  /** A new verification link (the older ones stop working); limited like reset mails. */
  async resendVerification(principal: UserPrincipal, client: ClientMeta): Promise<void> {
    const user = await this.users.findById(principal.userId);
    if (!user) throw new InvalidCredentialsError();
    if (user.emailVerifiedAt) throw new EmailAlreadyVerifiedError('This address is already verified.');
    await this.throttle.consume('reset', throttleAccount(user, user.email), client.ip);
    await this.transactions.run(async (manager) => {
      await this.tokens.invalidateUnused(manager, user.id, 'verify-email');
      await this.sendTokenMail(manager, user, 'verify-email');
    });
  }

  /** Always accepted (202) whether or not the address has an account; limited per address and IP. */
  async forgotPassword(body: ForgotPasswordDto, client: ClientMeta): Promise<void> {
    const user = await this.users.findByEmail(body.email);
    await this.throttle.consume('reset', throttleAccount(user, body.email), client.ip);
    if (!user || user.status !== 'active') return;
    await this.transactions.run(async (manager) => {
      await this.tokens.invalidateUnused(manager, user.id, 'reset-password');
      await this.sendTokenMail(manager, user, 'reset-password');
    });
  }

  /** Sets a new password from a reset link: ends every session; MFA stays as it was. */
  async resetPassword(body: ResetPasswordDto): Promise<void> {
    const passwordHash = await this.passwords.hash(body.newPassword);
    await this.transactions.run(async (manager) => {
      const userId = await this.tokens.consumeEmailToken(manager, hashToken(body.token), 'reset-password');
      if (!userId) throw new InvalidOneTimeTokenError('This reset link is invalid, used or expired.');
      const owner = await this.users.lockById(manager, userId);
      // A disabled account stays locked out: a reset link mailed before the disable is void.
      if (owner?.status !== 'active')
        throw new InvalidOneTimeTokenError('This reset link is no longer valid.');
      await this.tokens.invalidateUnused(manager, userId, 'reset-password');
      await this.sessions.endAll(manager, userId, 'password-reset');
      const updated = await this.users.update(manager, userId, { passwordHash }, { revokeSessions: true });
      await this.enqueueMail(manager, {
        template: 'password-changed',
        to: updated.email,
        data: { name: updated.name },
        sealedSecrets: {},
      });
      return updated;
    });
  }

  /** Ends every session (Saleor #15941 kept them alive) and starts a fresh one for the caller. */
  async changePassword(
    principal: UserPrincipal,
    body: ChangePasswordDto,
    client: ClientMeta,
  ): Promise<IssuedTokens> {
    const user = await this.users.findById(principal.userId);
    if (!user) throw new InvalidCredentialsError();
    await this.throttle.consume('login', user.email, client.ip);
    if (!(await this.passwords.verify(user.passwordHash, body.currentPassword)))
      throw new InvalidCredentialsError();
    await this.throttle.succeeded('login', user.email, client.ip);
    const passwordHash = await this.passwords.hash(body.newPassword);
    return this.transactions.run(async (manager) => {
      await this.sessions.endAll(manager, user.id, 'password-changed');
      // A reset link mailed before the change must not undo it.
      await this.tokens.invalidateUnused(manager, user.id, 'reset-password');
      const changed = await this.users.update(manager, user.id, { passwordHash }, { revokeSessions: true });
      await this.enqueueMail(manager, {
        template: 'password-changed',
        to: changed.email,
        data: { name: changed.name },
        sealedSecrets: {},
      });
      return this.sessions.start(manager, changed, client);
    });
  }

  /** Records the request (staff act on it) and signs the account out everywhere. */
  async requestDeletion(principal: UserPrincipal, password: string, client: ClientMeta): Promise<void> {
    const user = await this.users.findById(principal.userId);
    if (!user) throw new InvalidCredentialsError();
    await this.throttle.consume('login', throttleAccount(user, user.email), client.ip);
    if (!(await this.passwords.verify(user.passwordHash, password))) throw new InvalidCredentialsError();
    await this.throttle.succeeded('login', throttleAccount(user, user.email), client.ip);
    await this.transactions.run(async (manager) => {
      await this.sessions.endAll(manager, user.id, 'deletion-requested');
      await this.users.update(
        manager,
        user.id,
        { deletionRequestedAt: new Date() },
        { revokeSessions: true },
      );
    });
  }

  private async sendTokenMail(manager: EntityManager, user: User, purpose: EmailTokenPurpose): Promise<void> {
    const token = randomToken(32);
    await this.tokens.insertEmailToken(manager, {
      userId: user.id,
      purpose,
      tokenHash: hashToken(token),
      expiresAt: new Date(Date.now() + EMAIL_TOKEN_TTL_MS[purpose]),
    });
    await this.enqueueMail(manager, {
      template: purpose,
      to: user.email,
      data: { name: user.name },
      // Sealed: the outbox row and the Bull job never hold the token in clear.
      sealedSecrets: { token: this.secrets.seal(token, MAIL_SECRET_CONTEXT) },
    });
  }

  private async enqueueMail<T extends MailTemplate>(
    manager: EntityManager,
    payload: SendMailPayload<T>,
  ): Promise<void> {
    await this.outbox.enqueue(manager, { jobName: MailJobs.send, payload });
  }
}
