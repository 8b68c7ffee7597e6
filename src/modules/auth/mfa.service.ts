import { hashToken, SecretBox, UserPrincipal } from '@app/common';
import { TransactionContext, TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import { generateSecret, generateURI, verify } from 'otplib';
import { randomInt } from 'node:crypto';
import * as QRCode from 'qrcode';
import { EntityManager } from 'typeorm';
import { type User, UsersService } from '../users';
import { InvalidCredentialsError, InvalidMfaCodeError, MfaStateError } from './auth.errors';
import type { MfaConfirmedResponseDto, MfaEnrolmentResponseDto } from './dto/mfa.dto';
import { LoginThrottleService, throttleAccount } from './login-throttle.service';
import { OneTimeTokensRepository } from './one-time-tokens.repository';
import { PasswordHasherService } from './passwords/password-hasher.service';
import { ClientMeta, SessionsService } from './sessions.service';
import type { IssuedTokens } from './tokens/token.service';

const RECOVERY_CODE_COUNT = 10;
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'; // no 0/o, 1/l/i
/** One step (30 s) either side, for clocks that drift. */
const TOTP_TOLERANCE_SECONDS = 30;
const TOTP_ISSUER = 'Storekeep';

const secretOwner = (userId: string) => `mfa:${userId}`;

/** 16 characters from a 31-letter alphabet ≈ 79 bits: SHA-256 is enough to store them. */
function newRecoveryCode(): string {
  const chars = Array.from({ length: 16 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]);
  return `${chars.slice(0, 8).join('')}-${chars.slice(8).join('')}`;
}

const normaliseRecoveryCode = (code: string) => code.trim().toLowerCase().replace(/\s+/g, '');

/**
 * TOTP (RFC 6238) enrolment, confirmation, removal and code checks. Secrets are sealed at rest; a
 * TOTP step is accepted once (the last step used is kept), a recovery code once.
 */
@Injectable()
export class MfaService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly users: UsersService,
    private readonly codes: OneTimeTokensRepository,
    private readonly sessions: SessionsService,
    private readonly passwords: PasswordHasherService,
    private readonly secrets: SecretBox,
    private readonly throttle: LoginThrottleService,
  ) {}

  /** Step 1: a new secret, pending until a first code confirms it. Asks for the password again. */
  async enrol(
    principal: UserPrincipal,
    password: string,
    client: ClientMeta,
  ): Promise<MfaEnrolmentResponseDto> {
    const user = await this.requireUser(principal.userId);
    // The same per-account budget as login: a stolen access token must not become a password oracle.
    const account = throttleAccount(user, user.email);
    await this.throttle.consume('login', account, client.ip);
    if (!(await this.passwords.verify(user.passwordHash, password))) throw new InvalidCredentialsError();
    await this.throttle.succeeded('login', account, client.ip);
    if (user.mfaEnabledAt)
      throw new MfaStateError('Two-factor authentication is already on; turn it off first.');
    const secret = generateSecret();
    await this.transactions.run((manager) =>
      this.users.update(manager, user.id, {
        mfaPendingSecret: this.secrets.seal(secret, secretOwner(user.id)),
      }),
    );
    const otpauthUrl = generateURI({ issuer: TOTP_ISSUER, label: user.email, secret });
    return { secret, otpauthUrl, qrCodeDataUrl: await QRCode.toDataURL(otpauthUrl) };
  }

  /**
   * Step 2: the first code turns MFA on and yields ten recovery codes. Like every MFA change it
   * ends all sessions; the caller gets a fresh one.
   */
  async confirm(
    principal: UserPrincipal,
    code: string,
    client: ClientMeta,
  ): Promise<MfaConfirmedResponseDto> {
    const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    const { tokens } = await this.transactions.run(async (manager) => {
      const current = await this.lockUser(manager, principal.userId);
      if (current.mfaEnabledAt || !current.mfaPendingSecret) {
        throw new MfaStateError('Start enrolment first (POST /v1/me/mfa).');
      }
      const step = await this.matchTotp(
        this.secrets.open(current.mfaPendingSecret, secretOwner(current.id)),
        code,
      );
      if (step === null) throw new InvalidMfaCodeError('The code does not match; check the device clock.');
      await this.codes.replaceRecoveryCodes(manager, current.id, recoveryCodes.map(hashToken));
      const updated = await this.users.update(
        manager,
        current.id,
        {
          mfaSecret: current.mfaPendingSecret,
          mfaPendingSecret: null,
          mfaEnabledAt: new Date(),
          mfaLastStep: String(step),
        },
        { revokeSessions: true },
      );
      return this.restartSessions(manager, updated, client, 'mfa-enabled');
    });
    return { recoveryCodes, ...tokens };
  }

  /** Turns MFA off with a current code (or a recovery code); ends all sessions, starts a fresh one. */
  async disable(principal: UserPrincipal, code: string, client: ClientMeta): Promise<IssuedTokens> {
    // Guessing codes here must cost what guessing them at sign-in costs.
    await this.throttle.consume('mfa', principal.userId, client.ip);
    const { tokens } = await this.transactions.run(async (manager) => {
      const current = await this.lockUser(manager, principal.userId);
      if (!current.mfaEnabledAt) throw new MfaStateError('Two-factor authentication is not on.');
      if (!(await this.checkCode(manager, current, code)))
        throw new InvalidMfaCodeError('The code is not right.');
      await this.codes.replaceRecoveryCodes(manager, current.id, []);
      const updated = await this.users.update(
        manager,
        current.id,
        { mfaSecret: null, mfaPendingSecret: null, mfaEnabledAt: null, mfaLastStep: null },
        { revokeSessions: true },
      );
      return this.restartSessions(manager, updated, client, 'mfa-disabled');
    });
    await this.throttle.succeeded('mfa', principal.userId, client.ip);
    return tokens;
  }

  /**
   * Checks a TOTP code (a step not used before) or a recovery code, and spends it, inside the
   * caller's transaction on a locked user row.
   */
  async checkCode(manager: TransactionContext, user: User, code: string): Promise<boolean> {
    if (!user.mfaSecret) return false;
    if (/^\d{6}$/.test(code.trim())) {
      const after = user.mfaLastStep === null ? undefined : Number(user.mfaLastStep);
      const step = await this.matchTotp(
        this.secrets.open(user.mfaSecret, secretOwner(user.id)),
        code.trim(),
        after,
      );
      if (step === null) return false;
      // A secret sealed with a retired key is re-sealed with the active one as it is used.
      const resealed = this.secrets.needsRotation(user.mfaSecret)
        ? {
            mfaSecret: this.secrets.seal(
              this.secrets.open(user.mfaSecret, secretOwner(user.id)),
              secretOwner(user.id),
            ),
          }
        : {};
      await this.users.update(manager, user.id, { mfaLastStep: String(step), ...resealed });
      return true;
    }
    return this.codes.consumeRecoveryCode(manager, user.id, hashToken(normaliseRecoveryCode(code)));
  }

  private async matchTotp(secret: string, code: string, afterTimeStep?: number): Promise<number | null> {
    if (!/^\d{6}$/.test(code)) return null;
    let result: Awaited<ReturnType<typeof verify>>;
    try {
      result = await verify({ secret, token: code, epochTolerance: TOTP_TOLERANCE_SECONDS, afterTimeStep });
    } catch {
      // otplib throws when the last used step is ahead of this server's clock (skew between
      // replicas, a clock stepped back): no code can be newer, so none is accepted.
      return null;
    }
    if (!result.valid) return null;
    // otplib's TOTP result carries the matched step (its union type with HOTP does not say so).
    const { timeStep } = result as typeof result & { timeStep: number };
    return timeStep;
  }

  private async restartSessions(
    manager: EntityManager,
    user: User,
    client: ClientMeta,
    reason: string,
  ): Promise<{ user: User; tokens: IssuedTokens }> {
    await this.sessions.endAll(manager, user.id, reason);
    return { user, tokens: await this.sessions.start(manager, user, client) };
  }

  private async requireUser(userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw new InvalidCredentialsError();
    return user;
  }

  private async lockUser(manager: EntityManager, userId: string): Promise<User> {
    const user = await this.users.lockById(manager, userId);
    if (!user) throw new InvalidCredentialsError();
    return user;
  }
}
