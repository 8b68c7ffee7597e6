import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type Redis from 'ioredis';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorageRedisService['increment']>>;

type RedisWithIncrement = Redis & {
  throttlerIncrement(
    hitKey: string,
    blockKey: string,
    throttlerName: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<[number, number, number, number]>;
};

/**
 * The Redis throttler storage with its script loaded once (EVALSHA) instead of sent in full with
 * every request (EVAL): the rate limit runs on every request, so its round trip is on the hottest
 * path. Same script, same keys, same semantics as @nest-lab/throttler-storage-redis.
 */
export class ScriptedThrottlerStorage extends ThrottlerStorageRedisService {
  private readonly client: RedisWithIncrement;

  constructor(redis: Redis) {
    super(redis);
    if (!('throttlerIncrement' in redis)) {
      redis.defineCommand('throttlerIncrement', { numberOfKeys: 2, lua: this.scriptSrc });
    }
    this.client = redis as RedisWithIncrement;
  }

  override async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const [totalHits, timeToExpire, isBlocked, timeToBlockExpire] = await this.client.throttlerIncrement(
      `{${key}:${throttlerName}}:hits`,
      `{${key}:${throttlerName}}:blocked`,
      throttlerName,
      ttl,
      limit,
      blockDuration,
    );
    return {
      totalHits,
      timeToExpire: Math.ceil(timeToExpire / 1000),
      isBlocked: isBlocked === 1,
      timeToBlockExpire: Math.ceil(timeToBlockExpire / 1000),
    };
  }
}
