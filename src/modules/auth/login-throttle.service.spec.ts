import { RateLimitedError } from '@app/common';
import { AppConfig } from '@app/config';
import { mockOf, rejectionOf } from '@app/testing/unit-fixture';
import type Redis from 'ioredis';
import { ipBucket, LoginThrottleService, throttleAccount } from './login-throttle.service';

describe('login throttle keys', () => {
  it('counts IPv4 addresses one by one, and IPv4-mapped IPv6 as IPv4', () => {
    expect(ipBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(ipBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('counts an IPv6 client by its /64, however the address is written', () => {
    const bucket = '2001:0db8:0001:0002::/64';
    expect(ipBucket('2001:db8:1:2::1')).toBe(bucket);
    expect(ipBucket('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(bucket);
    expect(ipBucket('2001:DB8:1:2:0:0:0:9')).toBe(bucket);
    expect(ipBucket('2001:db8:1:3::1')).not.toBe(bucket);
    expect(ipBucket('::1')).toBe('0000:0000:0000:0000::/64');
  });

  it('keys an existing account by its id (every spelling shares one counter), others by address', () => {
    expect(throttleAccount({ id: 'u1' }, 'ALICE@example.com')).toBe('user:u1');
    expect(throttleAccount(null, 'nobody@example.com')).toBe('email:nobody@example.com');
  });
});

describe('LoginThrottleService', () => {
  const consumeAttempt = jest.fn<Promise<number>, Array<string | number>>();
  const attemptSucceeded = jest.fn<Promise<number>, string[]>();
  const config = mockOf<AppConfig>();
  Object.assign(config, {
    auth: { loginMaxFailures: 5, ipMaxFailures: 50, accountMaxFailures: 20, loginWindowSeconds: 900 },
  });
  const throttle = new LoginThrottleService(
    Object.assign(mockOf<Redis>(), { consumeAttempt, attemptSucceeded }),
    config,
  );

  beforeEach(() => {
    jest.clearAllMocks();
    consumeAttempt.mockResolvedValue(0);
  });

  it('counts an attempt under the configured limits, keyed without the email in clear', async () => {
    await throttle.consume('login', 'email:ada@example.com', '203.0.113.7');
    const [pairKey, ipKey, accountKey, ...limits] = consumeAttempt.mock.calls[0];
    expect(limits).toEqual([5, 50, 20, 2, 900_000]);
    expect(ipKey).toBe('auth:throttle:login:ip:203.0.113.7');
    expect(`${String(pairKey)} ${String(accountKey)}`).not.toContain('ada@example.com');
  });

  it('refuses an attempt over a limit with how long to wait', async () => {
    consumeAttempt.mockResolvedValue(1500);
    const error = await rejectionOf(throttle.consume('login', 'user:u1', '203.0.113.7'), RateLimitedError);
    expect(error.headers).toEqual({ 'retry-after': '2' });
  });

  it('holds reset mails to their own fixed budget', async () => {
    await throttle.consume('reset', 'user:u1', '203.0.113.7');
    expect(consumeAttempt.mock.calls[0].slice(3)).toEqual([5, 20, 5, 0, 900_000]);
  });

  it('keeps the pair limit when it is already below two attempts per window', async () => {
    const strict = mockOf<AppConfig>();
    Object.assign(strict, { auth: { ...config.auth, loginMaxFailures: 1 } });
    await new LoginThrottleService(
      Object.assign(mockOf<Redis>(), { consumeAttempt, attemptSucceeded }),
      strict,
    ).consume('mfa', 'user:u1', '203.0.113.7');
    expect(consumeAttempt.mock.calls[0].slice(3, 7)).toEqual([1, 50, 20, 1]);
  });

  it('gives a success back on the same three keys', async () => {
    await throttle.consume('mfa', 'user:u1', '2001:db8::1');
    await throttle.succeeded('mfa', 'user:u1', '2001:db8::1');
    expect(attemptSucceeded.mock.calls[0]).toEqual(consumeAttempt.mock.calls[0].slice(0, 3));
  });
});
