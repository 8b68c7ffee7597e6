import { REDIS_CLIENT } from '@app/common';
import { AppConfig } from '@app/config';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';

/** Counts an attempt on a live challenge; -1 when it does not exist (expired, spent or never made). */
const ATTEMPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
return redis.call('INCR', KEYS[1])`;

type RedisWithAttempt = Redis & { mfaAttempt(key: string): Promise<number> };

/**
 * The state of the second login step, in Redis: a challenge lives for the MFA token's lifetime,
 * allows a few codes, and is spent by the first right one.
 */
@Injectable()
export class MfaChallengesService {
  static readonly MAX_ATTEMPTS = 5;
  private readonly redis: RedisWithAttempt;

  constructor(
    @Inject(REDIS_CLIENT) redis: Redis,
    private readonly config: AppConfig,
  ) {
    if (!('mfaAttempt' in redis)) redis.defineCommand('mfaAttempt', { numberOfKeys: 1, lua: ATTEMPT });
    this.redis = redis as RedisWithAttempt;
  }

  async create(): Promise<string> {
    const id = randomUUID();
    await this.redis.set(key(id), '0', 'EX', this.config.auth.mfaChallengeTtlSeconds);
    return id;
  }

  /** The number of this attempt (1, 2, …), or -1 when the challenge is not live. */
  attempt(id: string): Promise<number> {
    return this.redis.mfaAttempt(key(id));
  }

  /** True for exactly one caller: a challenge yields one session however many race for it. */
  async spend(id: string): Promise<boolean> {
    return (await this.redis.del(key(id))) === 1;
  }
}

const key = (id: string) => `auth:mfa-challenge:${id}`;
