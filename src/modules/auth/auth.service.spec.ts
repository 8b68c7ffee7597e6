import { RateLimitedError } from '@app/common';
import { buildWithMocks, type UnitFixture } from '@app/testing/unit-fixture';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import {
  AccountDisabledError,
  InvalidCredentialsError,
  InvalidMfaCodeError,
  InvalidTokenError,
} from './auth.errors';
import { AuthService } from './auth.service';
import { LoginThrottleService } from './login-throttle.service';
import { MfaChallengesService } from './mfa-challenges.service';
import { MfaService } from './mfa.service';
import { PasswordHasherService } from './passwords/password-hasher.service';
import { SessionsService } from './sessions.service';
import { TokenService, type IssuedTokens } from './tokens/token.service';

const CLIENT = { ip: '203.0.113.7', userAgent: 'jest' };
const CREDENTIALS = { email: 'ada@example.com', password: 'correct horse' };
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
    passwordHash: '$argon2id$old',
    status: 'active',
    mfaEnabledAt: null,
    mfaSecret: null,
    tokenEpoch: 3,
    ...fields,
  });

describe('AuthService', () => {
  let fixture: UnitFixture<AuthService>;
  let users: jest.Mocked<UsersService>;
  let passwords: jest.Mocked<PasswordHasherService>;
  let throttle: jest.Mocked<LoginThrottleService>;
  let sessions: jest.Mocked<SessionsService>;
  let challenges: jest.Mocked<MfaChallengesService>;
  let mfa: jest.Mocked<MfaService>;
  let tokens: jest.Mocked<TokenService>;

  beforeEach(async () => {
    fixture = await buildWithMocks(AuthService);
    users = fixture.mock(UsersService);
    passwords = fixture.mock(PasswordHasherService);
    throttle = fixture.mock(LoginThrottleService);
    sessions = fixture.mock(SessionsService);
    challenges = fixture.mock(MfaChallengesService);
    mfa = fixture.mock(MfaService);
    tokens = fixture.mock(TokenService);
    passwords.needsRehash.mockReturnValue(false);
    sessions.start.mockResolvedValue(TOKENS);
  });

  describe('login', () => {
    it('counts the attempt against the account, checks the password and starts a session', async () => {
      users.findByEmail.mockResolvedValue(userWith());
      passwords.verify.mockResolvedValue(true);
      await expect(fixture.subject.login(CREDENTIALS, CLIENT)).resolves.toBe(TOKENS);
      expect(throttle.consume).toHaveBeenCalledWith('login', 'user:u1', CLIENT.ip);
      expect(passwords.verify).toHaveBeenCalledWith('$argon2id$old', 'correct horse');
      expect(throttle.succeeded).toHaveBeenCalledWith('login', 'user:u1', CLIENT.ip);
      expect(sessions.start).toHaveBeenCalledWith(fixture.transactions.tx, userWith(), CLIENT);
    });

    it('refuses a wrong password, leaving the failure counted', async () => {
      users.findByEmail.mockResolvedValue(userWith());
      passwords.verify.mockResolvedValue(false);
      await expect(fixture.subject.login(CREDENTIALS, CLIENT)).rejects.toBeInstanceOf(
        InvalidCredentialsError,
      );
      expect(throttle.succeeded).not.toHaveBeenCalled();
      expect(sessions.start).not.toHaveBeenCalled();
    });

    it('answers an unknown email exactly like a wrong password, after hashing all the same', async () => {
      users.findByEmail.mockResolvedValue(null);
      passwords.verifyNothing.mockResolvedValue(false);
      await expect(fixture.subject.login(CREDENTIALS, CLIENT)).rejects.toBeInstanceOf(
        InvalidCredentialsError,
      );
      expect(passwords.verifyNothing).toHaveBeenCalledWith('correct horse');
      expect(throttle.consume).toHaveBeenCalledWith('login', 'email:ada@example.com', CLIENT.ip);
    });

    it('refuses a locked-out client before checking any password', async () => {
      users.findByEmail.mockResolvedValue(userWith());
      throttle.consume.mockRejectedValue(new RateLimitedError('Too many attempts', 60));
      await expect(fixture.subject.login(CREDENTIALS, CLIENT)).rejects.toBeInstanceOf(RateLimitedError);
      expect(passwords.verify).not.toHaveBeenCalled();
      expect(sessions.start).not.toHaveBeenCalled();
    });

    it('refuses a disabled account only once its password is proven', async () => {
      users.findByEmail.mockResolvedValue(userWith({ status: 'disabled' }));
      passwords.verify.mockResolvedValue(true);
      await expect(fixture.subject.login(CREDENTIALS, CLIENT)).rejects.toBeInstanceOf(AccountDisabledError);
      expect(throttle.succeeded).toHaveBeenCalled();
      expect(sessions.start).not.toHaveBeenCalled();
    });

    it('answers an MFA challenge instead of a session when MFA is on', async () => {
      users.findByEmail.mockResolvedValue(userWith({ mfaEnabledAt: new Date() }));
      passwords.verify.mockResolvedValue(true);
      challenges.create.mockResolvedValue('challenge-1');
      tokens.signMfaChallenge.mockReturnValue('mfa-token');
      await expect(fixture.subject.login(CREDENTIALS, CLIENT)).resolves.toEqual({
        mfaRequired: true,
        mfaToken: 'mfa-token',
      });
      expect(tokens.signMfaChallenge).toHaveBeenCalledWith('u1', 3, 'challenge-1');
      expect(sessions.start).not.toHaveBeenCalled();
    });

    it.each([
      ['without MFA', null],
      ['with MFA', new Date()],
    ])('replaces an outdated hash once the password is proven (%s)', async (_label, mfaEnabledAt) => {
      users.findByEmail.mockResolvedValue(userWith({ mfaEnabledAt }));
      users.update.mockResolvedValue(userWith({ passwordHash: '$argon2id$new' }));
      passwords.verify.mockResolvedValue(true);
      passwords.needsRehash.mockReturnValue(true);
      passwords.hash.mockResolvedValue('$argon2id$new');
      await fixture.subject.login(CREDENTIALS, CLIENT);
      expect(users.update).toHaveBeenCalledWith(fixture.transactions.tx, 'u1', {
        passwordHash: '$argon2id$new',
      });
    });
  });

  describe('verifyMfa (second step)', () => {
    const BODY = { mfaToken: 'mfa-token', code: '123456' };

    beforeEach(() => {
      tokens.verifyMfaChallenge.mockReturnValue({ typ: 'mfa', sub: 'u1', ep: 3, jti: 'challenge-1' });
      challenges.attempt.mockResolvedValue(1);
      users.lockById.mockResolvedValue(userWith({ mfaEnabledAt: new Date() }));
      users.findById.mockResolvedValue(userWith({ mfaEnabledAt: new Date() }));
    });

    it('starts a session for a right code, then spends the challenge after the commit', async () => {
      mfa.checkCode.mockResolvedValue(true);
      await expect(fixture.subject.verifyMfa(BODY, CLIENT)).resolves.toBe(TOKENS);
      expect(mfa.checkCode).toHaveBeenCalledWith(
        fixture.transactions.tx,
        expect.objectContaining({ id: 'u1' }),
        '123456',
      );
      expect(challenges.spend).toHaveBeenCalledWith('challenge-1');
      expect(throttle.succeeded).toHaveBeenCalledWith('mfa', 'u1', CLIENT.ip);
      expect(fixture.transactions.last.outcome).toBe('committed');
    });

    it('refuses a wrong or used code, keeping the challenge for another try', async () => {
      mfa.checkCode.mockResolvedValue(false);
      await expect(fixture.subject.verifyMfa(BODY, CLIENT)).rejects.toBeInstanceOf(InvalidMfaCodeError);
      expect(sessions.start).not.toHaveBeenCalled();
      expect(challenges.spend).not.toHaveBeenCalled();
      expect(throttle.succeeded).not.toHaveBeenCalled();
    });

    it('refuses a challenge that is no longer live', async () => {
      challenges.attempt.mockResolvedValue(-1);
      await expect(fixture.subject.verifyMfa(BODY, CLIENT)).rejects.toBeInstanceOf(InvalidTokenError);
      expect(mfa.checkCode).not.toHaveBeenCalled();
    });

    it('ends a challenge after too many wrong codes', async () => {
      challenges.attempt.mockResolvedValue(MfaChallengesService.MAX_ATTEMPTS + 1);
      await expect(fixture.subject.verifyMfa(BODY, CLIENT)).rejects.toBeInstanceOf(InvalidTokenError);
      expect(challenges.spend).toHaveBeenCalledWith('challenge-1');
      expect(mfa.checkCode).not.toHaveBeenCalled();
    });

    it('accepts the last allowed attempt', async () => {
      challenges.attempt.mockResolvedValue(MfaChallengesService.MAX_ATTEMPTS);
      mfa.checkCode.mockResolvedValue(true);
      await expect(fixture.subject.verifyMfa(BODY, CLIENT)).resolves.toBe(TOKENS);
    });

    it('refuses a throttled client before counting an attempt', async () => {
      throttle.consume.mockRejectedValue(new RateLimitedError('Too many attempts', 60));
      await expect(fixture.subject.verifyMfa(BODY, CLIENT)).rejects.toBeInstanceOf(RateLimitedError);
      expect(challenges.attempt).not.toHaveBeenCalled();
    });

    it.each([
      ['its sessions were ended since the password step', userWith({ tokenEpoch: 4 })],
      ['it was disabled', userWith({ status: 'disabled' })],
      ['it is gone', null],
    ])('refuses the step when the account %s', async (_label, current) => {
      users.lockById.mockResolvedValue(current);
      await expect(fixture.subject.verifyMfa(BODY, CLIENT)).rejects.toBeInstanceOf(InvalidTokenError);
      expect(mfa.checkCode).not.toHaveBeenCalled();
      expect(sessions.start).not.toHaveBeenCalled();
    });
  });
});
