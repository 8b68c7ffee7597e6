import { hashToken, SecretBox, type UserPrincipal } from '@app/common';
import { buildWithMocks, type UnitFixture } from '@app/testing/unit-fixture';
import { generate, generateSecret } from 'otplib';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { InvalidCredentialsError, InvalidMfaCodeError, MfaStateError } from './auth.errors';
import { LoginThrottleService } from './login-throttle.service';
import { MfaService } from './mfa.service';
import { OneTimeTokensRepository } from './one-time-tokens.repository';
import { PasswordHasherService } from './passwords/password-hasher.service';
import { SessionsService } from './sessions.service';
import type { IssuedTokens } from './tokens/token.service';

/** The TOTP part runs the real otplib against a real secret; only the sealing is mocked (sealed = `sealed:<secret>`). */
const SECRET = generateSecret();
const SEALED = `sealed:${SECRET}`;
const CLIENT = { ip: '203.0.113.7', userAgent: 'jest' };
const PRINCIPAL: UserPrincipal = {
  kind: 'user',
  userId: 'u1',
  sessionId: 's1',
  role: 'customer',
  permissions: new Set(),
};
const TOKENS: IssuedTokens = {
  mfaRequired: false,
  accessToken: 'access',
  refreshToken: 'rt_refresh',
  tokenType: 'Bearer',
  expiresIn: 900,
};

const userWith = (fields: Partial<User> = {}): User =>
  Object.assign(new User(), {
    id: 'u1',
    email: 'ada@example.com',
    passwordHash: '$argon2id$h',
    status: 'active',
    mfaSecret: SEALED,
    mfaPendingSecret: null,
    mfaEnabledAt: new Date('2026-11-01T00:00:00Z'),
    mfaLastStep: null,
    tokenEpoch: 1,
    ...fields,
  });

describe('MfaService', () => {
  let fixture: UnitFixture<MfaService>;
  let users: jest.Mocked<UsersService>;
  let codes: jest.Mocked<OneTimeTokensRepository>;
  let secrets: jest.Mocked<SecretBox>;
  let sessions: jest.Mocked<SessionsService>;
  let throttle: jest.Mocked<LoginThrottleService>;
  let passwords: jest.Mocked<PasswordHasherService>;
  const tx = () => fixture.transactions.tx;
  const currentCode = () => generate({ secret: SECRET });
  /** Six digits that are not the current code. */
  const wrongCode = async () => String((Number(await currentCode()) + 1) % 1_000_000).padStart(6, '0');

  beforeEach(async () => {
    fixture = await buildWithMocks(MfaService);
    users = fixture.mock(UsersService);
    codes = fixture.mock(OneTimeTokensRepository);
    secrets = fixture.mock(SecretBox);
    sessions = fixture.mock(SessionsService);
    throttle = fixture.mock(LoginThrottleService);
    passwords = fixture.mock(PasswordHasherService);
    secrets.open.mockImplementation((envelope) => envelope.replace(/^sealed:/, ''));
    secrets.seal.mockImplementation((plaintext) => `sealed:${plaintext}`);
    secrets.needsRotation.mockReturnValue(false);
    users.update.mockImplementation((_manager, _id, changes) => Promise.resolve(userWith(changes)));
    sessions.start.mockResolvedValue(TOKENS);
  });

  describe('checkCode (a code at sign-in)', () => {
    it('accepts the current TOTP code and remembers its step', async () => {
      await expect(fixture.subject.checkCode(tx(), userWith(), await currentCode())).resolves.toBe(true);
      expect(users.update).toHaveBeenCalledWith(tx(), 'u1', { mfaLastStep: expect.stringMatching(/^\d+$/) });
    });

    it('refuses a wrong TOTP code, remembering nothing', async () => {
      await expect(fixture.subject.checkCode(tx(), userWith(), await wrongCode())).resolves.toBe(false);
      expect(users.update).not.toHaveBeenCalled();
    });

    it('refuses a TOTP code a second time (its step is used)', async () => {
      const code = await currentCode();
      await fixture.subject.checkCode(tx(), userWith(), code);
      const [, , { mfaLastStep }] = users.update.mock.calls[0];
      await expect(fixture.subject.checkCode(tx(), userWith({ mfaLastStep }), code)).resolves.toBe(false);
      expect(users.update).toHaveBeenCalledTimes(1);
    });

    it('refuses every code once a later step was used (a clock behind another replica)', async () => {
      const farAhead = String(Math.floor(Date.now() / 30_000) + 100);
      await expect(
        fixture.subject.checkCode(tx(), userWith({ mfaLastStep: farAhead }), await currentCode()),
      ).resolves.toBe(false);
    });

    it('re-seals a secret sealed with a retired key as it is used', async () => {
      secrets.needsRotation.mockReturnValue(true);
      await fixture.subject.checkCode(tx(), userWith(), await currentCode());
      expect(users.update.mock.calls[0][2]).toMatchObject({ mfaSecret: SEALED });
      expect(secrets.seal).toHaveBeenCalledWith(SECRET, 'mfa:u1');
    });

    it('spends a recovery code by its hash, whatever its spelling', async () => {
      codes.consumeRecoveryCode.mockResolvedValue(true);
      await expect(fixture.subject.checkCode(tx(), userWith(), '  ABCDEFGH-jkmnpqrs ')).resolves.toBe(true);
      expect(codes.consumeRecoveryCode).toHaveBeenCalledWith(tx(), 'u1', hashToken('abcdefgh-jkmnpqrs'));
    });

    it('refuses a recovery code already spent', async () => {
      codes.consumeRecoveryCode.mockResolvedValueOnce(true).mockResolvedValueOnce(false);
      await fixture.subject.checkCode(tx(), userWith(), 'abcdefgh-jkmnpqrs');
      await expect(fixture.subject.checkCode(tx(), userWith(), 'abcdefgh-jkmnpqrs')).resolves.toBe(false);
    });

    it('refuses any code for a user without MFA', async () => {
      await expect(
        fixture.subject.checkCode(tx(), userWith({ mfaSecret: null }), await currentCode()),
      ).resolves.toBe(false);
      expect(codes.consumeRecoveryCode).not.toHaveBeenCalled();
    });
  });

  describe('enrol', () => {
    beforeEach(() => users.findById.mockResolvedValue(userWith({ mfaSecret: null, mfaEnabledAt: null })));

    it('asks for the password again, throttled like a login', async () => {
      passwords.verify.mockResolvedValue(false);
      await expect(fixture.subject.enrol(PRINCIPAL, 'wrong', CLIENT)).rejects.toBeInstanceOf(
        InvalidCredentialsError,
      );
      expect(throttle.consume).toHaveBeenCalledWith('login', 'user:u1', CLIENT.ip);
      expect(throttle.succeeded).not.toHaveBeenCalled();
      expect(users.update).not.toHaveBeenCalled();
    });

    it('refuses when MFA is on already', async () => {
      users.findById.mockResolvedValue(userWith());
      passwords.verify.mockResolvedValue(true);
      await expect(fixture.subject.enrol(PRINCIPAL, 'right', CLIENT)).rejects.toBeInstanceOf(MfaStateError);
    });

    it('keeps a new secret, sealed, pending confirmation', async () => {
      passwords.verify.mockResolvedValue(true);
      const enrolment = await fixture.subject.enrol(PRINCIPAL, 'right', CLIENT);
      expect(users.update).toHaveBeenCalledWith(tx(), 'u1', {
        mfaPendingSecret: `sealed:${enrolment.secret}`,
      });
      expect(enrolment.otpauthUrl).toContain('otpauth://totp/');
    });
  });

  describe('confirm', () => {
    const pending = () => userWith({ mfaSecret: null, mfaEnabledAt: null, mfaPendingSecret: SEALED });

    it('turns MFA on with the first right code, stores ten recovery codes hashed and restarts sessions', async () => {
      users.lockById.mockResolvedValue(pending());
      const confirmed = await fixture.subject.confirm(PRINCIPAL, await currentCode(), CLIENT);
      expect(confirmed.recoveryCodes).toHaveLength(10);
      expect(codes.replaceRecoveryCodes).toHaveBeenCalledWith(
        tx(),
        'u1',
        confirmed.recoveryCodes.map(hashToken),
      );
      expect(users.update.mock.calls[0][2]).toMatchObject({ mfaSecret: SEALED, mfaPendingSecret: null });
      expect(users.update.mock.calls[0][3]).toEqual({ revokeSessions: true });
      expect(sessions.endAll).toHaveBeenCalledWith(tx(), 'u1', 'mfa-enabled');
      expect(confirmed).toMatchObject({ accessToken: 'access' });
    });

    it('refuses a wrong code, turning nothing on', async () => {
      users.lockById.mockResolvedValue(pending());
      await expect(fixture.subject.confirm(PRINCIPAL, await wrongCode(), CLIENT)).rejects.toBeInstanceOf(
        InvalidMfaCodeError,
      );
      expect(users.update).not.toHaveBeenCalled();
      expect(fixture.transactions.last.outcome).toBe('rolled back');
    });

    it.each([
      ['no enrolment was started', userWith({ mfaSecret: null, mfaEnabledAt: null })],
      ['MFA is on already', userWith({ mfaPendingSecret: SEALED })],
    ])('refuses when %s', async (_label, current) => {
      users.lockById.mockResolvedValue(current);
      await expect(fixture.subject.confirm(PRINCIPAL, await currentCode(), CLIENT)).rejects.toBeInstanceOf(
        MfaStateError,
      );
    });
  });

  describe('disable', () => {
    it('turns MFA off with a right code, drops the recovery codes and restarts sessions', async () => {
      users.lockById.mockResolvedValue(userWith());
      await expect(fixture.subject.disable(PRINCIPAL, await currentCode(), CLIENT)).resolves.toBe(TOKENS);
      expect(codes.replaceRecoveryCodes).toHaveBeenCalledWith(tx(), 'u1', []);
      expect(users.update).toHaveBeenLastCalledWith(
        tx(),
        'u1',
        { mfaSecret: null, mfaPendingSecret: null, mfaEnabledAt: null, mfaLastStep: null },
        { revokeSessions: true },
      );
      expect(throttle.succeeded).toHaveBeenCalledWith('mfa', 'u1', CLIENT.ip);
    });

    it('refuses a wrong code, counted like a guess at sign-in', async () => {
      users.lockById.mockResolvedValue(userWith());
      await expect(fixture.subject.disable(PRINCIPAL, await wrongCode(), CLIENT)).rejects.toBeInstanceOf(
        InvalidMfaCodeError,
      );
      expect(throttle.consume).toHaveBeenCalledWith('mfa', 'u1', CLIENT.ip);
      expect(throttle.succeeded).not.toHaveBeenCalled();
      expect(codes.replaceRecoveryCodes).not.toHaveBeenCalled();
    });

    it('refuses when MFA is off', async () => {
      users.lockById.mockResolvedValue(userWith({ mfaEnabledAt: null }));
      await expect(fixture.subject.disable(PRINCIPAL, '123456', CLIENT)).rejects.toBeInstanceOf(
        MfaStateError,
      );
    });
  });
});
