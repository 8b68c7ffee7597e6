import { hashToken, RateLimitedError, REDIS_CLIENT } from '@app/common';
import { AppConfig } from '@app/config';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { isIPv6 } from 'node:net';

/**
 * One attempt, decided and counted in one atomic step (one round trip). KEYS: the (account, client)
 * pair, the client IP, the account across all clients. ARGV: the pair's limit, the IP's limit, the
 * account's ceiling, the pair's limit once the account is over its ceiling, the window (ms). Fixed
 * windows that start at a key's first attempt. Over a limit: nothing is counted (a refused attempt
 * checks no password) and the answer is how long to wait (ms); otherwise 0.
 */
const CONSUME = `
local pair = tonumber(redis.call('GET', KEYS[1]) or '0')
local ip = tonumber(redis.call('GET', KEYS[2]) or '0')
local account = tonumber(redis.call('GET', KEYS[3]) or '0')
local pairLimit = tonumber(ARGV[1])
if account >= tonumber(ARGV[3]) then pairLimit = math.min(pairLimit, tonumber(ARGV[4])) end
local wait = 0
if pair >= pairLimit then wait = math.max(wait, redis.call('PTTL', KEYS[1]), 1000) end
if ip >= tonumber(ARGV[2]) then wait = math.max(wait, redis.call('PTTL', KEYS[2]), 1000) end
if wait > 0 then return wait end
for i = 1, 3 do
  if redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[5]) end
end
return 0`;

/** A success: the pair starts afresh; the IP and the account get this attempt back (never below 0). */
const SUCCEED = `
redis.call('DEL', KEYS[1])
for i = 2, 3 do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
return 0`;

/** What is being guessed: a password, an MFA code, or reset mails being requested. */
export type ThrottledAction = 'login' | 'mfa' | 'reset';

interface Limits {
  /** Failures of one account from one client (IP, or IPv6 /64) per window. */
  pair: number;
  /** Failures from one client across all accounts per window. */
  ip: number;
  /** Failures of one account across all clients per window before it is slowed down. */
  account: number;
  /** Attempts each client still gets at an account over its ceiling, per window. */
  pairOverCeiling: number;
}

/**
 * Once an account is over its ceiling, each client gets two attempts at it per window: enough for
 * its owner to sign in from anywhere (and mistype once), while an attacker's guesses drop from
 * AUTH_LOGIN_MAX_FAILURES to 2 per address and window.
 */
export const PAIR_LIMIT_OVER_CEILING = 2;

/** Reset mails are not failures, but each one is a mail sent: a tighter budget, hard per account. */
const RESET_LIMITS: Limits = { pair: 5, ip: 20, account: 5, pairOverCeiling: 0 };

type RedisWithThrottle = Redis & {
  consumeAttempt(pairKey: string, ipKey: string, accountKey: string, ...args: number[]): Promise<number>;
  attemptSucceeded(pairKey: string, ipKey: string, accountKey: string): Promise<number>;
};

/**
 * Brute-force limits in Redis, so they hold across every API replica. Guessing is limited per
 * (account, client IP) pair, per client IP, and per account across all IPs — where the account
 * ceiling does not lock the account but slows it down to a couple of attempts per address, so
 * nobody who merely knows an email can lock its owner out. An attempt is counted before the
 * password is checked, so concurrent guesses cannot slip past a limit; a success clears the pair
 * and takes its attempt back from the IP and the account.
 */
@Injectable()
export class LoginThrottleService {
  private readonly redis: RedisWithThrottle;

  constructor(
    @Inject(REDIS_CLIENT) redis: Redis,
    private readonly config: AppConfig,
  ) {
    if (!('consumeAttempt' in redis))
      redis.defineCommand('consumeAttempt', { numberOfKeys: 3, lua: CONSUME });
    if (!('attemptSucceeded' in redis))
      redis.defineCommand('attemptSucceeded', { numberOfKeys: 3, lua: SUCCEED });
    this.redis = redis as RedisWithThrottle;
  }

  /** Throws RateLimitedError (429 with Retry-After) when this attempt is over a limit. */
  async consume(action: ThrottledAction, account: string, ip: string): Promise<void> {
    const limits = this.limits(action);
    const waitMs = await this.redis.consumeAttempt(
      ...keys(action, account, ip),
      limits.pair,
      limits.ip,
      limits.account,
      limits.pairOverCeiling,
      this.config.auth.loginWindowSeconds * 1000,
    );
    if (waitMs > 0) {
      throw new RateLimitedError(
        'Too many attempts for this account from this address, or from this address; wait before trying again.',
        waitMs / 1000,
      );
    }
  }

  /** After a success: the pair starts afresh, the IP and the account get this attempt back. */
  async succeeded(action: ThrottledAction, account: string, ip: string): Promise<void> {
    await this.redis.attemptSucceeded(...keys(action, account, ip));
  }

  private limits(action: ThrottledAction): Limits {
    if (action === 'reset') return RESET_LIMITS;
    const { loginMaxFailures, ipMaxFailures, accountMaxFailures } = this.config.auth;
    return {
      pair: loginMaxFailures,
      ip: ipMaxFailures,
      account: accountMaxFailures,
      pairOverCeiling: Math.min(PAIR_LIMIT_OVER_CEILING, loginMaxFailures),
    };
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
function keys(action: ThrottledAction, account: string, ip: string): [string, string, string] {
  const accountHash = hashToken(account);
  const client = ipBucket(ip);
  return [
    `auth:throttle:${action}:pair:${accountHash}:${client}`,
    `auth:throttle:${action}:ip:${client}`,
    `auth:throttle:${action}:account:${accountHash}`,
  ];
}
