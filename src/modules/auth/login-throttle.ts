import { hashToken, RateLimitedError, REDIS_CLIENT } from '@app/common';
import { AppConfig } from '@app/config';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { isIPv6 } from 'node:net';

/**
 * Counts one attempt against an account key and an IP key in one atomic step (fixed windows that
 * start at the first attempt) and answers how long to wait (ms) when either is over its limit.
 */
const CONSUME = `
local account = redis.call('INCR', KEYS[1])
if account == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
local ip = redis.call('INCR', KEYS[2])
if ip == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
local wait = 0
if account > tonumber(ARGV[1]) then wait = math.max(wait, redis.call('PTTL', KEYS[1])) end
if ip > tonumber(ARGV[2]) then wait = math.max(wait, redis.call('PTTL', KEYS[2])) end
return wait`;

/** What is being guessed: a password, an MFA code, or reset mails being requested. */
export type ThrottledAction = 'login' | 'mfa' | 'reset';

/** Reset mails are not failures, but each one is a mail sent: a tighter budget. */
const RESET_ACCOUNT_LIMIT = 5;
const RESET_IP_LIMIT = 20;

type RedisWithConsume = Redis & {
  consumeAttempt(accountKey: string, ipKey: string, ...limits: number[]): Promise<number>;
};

/**
 * Brute-force limits per account and per IP, in Redis so they hold across every API replica.
 * An attempt is counted before the password is checked, so concurrent guesses cannot slip past the
 * limit; a success clears the account's count and takes its attempt back from the IP's.
 */
@Injectable()
export class LoginThrottle {
  private readonly redis: RedisWithConsume;

  constructor(
    @Inject(REDIS_CLIENT) redis: Redis,
    private readonly config: AppConfig,
  ) {
    if (!('consumeAttempt' in redis))
      redis.defineCommand('consumeAttempt', { numberOfKeys: 2, lua: CONSUME });
    this.redis = redis as RedisWithConsume;
  }

  /** Throws RateLimitedError (429 with Retry-After) when the account or the IP is over its limit. */
  async consume(action: ThrottledAction, account: string, ip: string): Promise<void> {
    const { loginMaxFailures, ipMaxFailures, loginWindowSeconds } = this.config.auth;
    const [accountLimit, ipLimit] =
      action === 'reset' ? [RESET_ACCOUNT_LIMIT, RESET_IP_LIMIT] : [loginMaxFailures, ipMaxFailures];
    const waitMs = await this.redis.consumeAttempt(
      accountKey(action, account),
      ipKey(action, ip),
      accountLimit,
      ipLimit,
      loginWindowSeconds * 1000,
    );
    if (waitMs > 0) {
      throw new RateLimitedError(
        'Too many attempts for this account or from this address; wait before trying again.',
        waitMs / 1000,
      );
    }
  }

  /** After a success: the account starts afresh, and the IP gets this attempt back. */
  async succeeded(action: ThrottledAction, account: string, ip: string): Promise<void> {
    await this.redis.multi().del(accountKey(action, account)).decr(ipKey(action, ip)).exec();
  }
}

/**
 * The account an attempt counts against: the user when the address has one (so every spelling that
 * reaches the account shares one counter), else the address as typed.
 */
export function throttleAccount(user: { id: string } | null, email: string): string {
  return user ? `user:${user.id}` : `email:${email}`;
}

/** IPv6 clients usually hold a whole /64: count them by it, or one host has 2^64 budgets. */
export function ipBucket(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (!isIPv6(ip)) return ip;
  const [head, tail = ''] = ip.toLowerCase().split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = [
    ...headGroups,
    ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'),
    ...tailGroups,
  ];
  return `${groups
    .slice(0, 4)
    .map((group) => group.padStart(4, '0'))
    .join(':')}::/64`;
}

// Account keys hold a hash, not the email: Redis never holds who tried to sign in.
const accountKey = (action: ThrottledAction, account: string) =>
  `auth:throttle:${action}:account:${hashToken(account)}`;
const ipKey = (action: ThrottledAction, ip: string) => `auth:throttle:${action}:ip:${ipBucket(ip)}`;
