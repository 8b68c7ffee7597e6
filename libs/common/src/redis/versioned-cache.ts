import type Redis from 'ioredis';

/**
 * Stores `value` unless the key already holds the same or a newer version. Writers store the row
 * they committed, readers that missed store what they read: whatever the interleaving, the newest
 * committed version wins, so (for example) a disable can never be overwritten by a stale read.
 */
const SET_IF_NEWER = `
local current = redis.call('GET', KEYS[1])
if current then
  local version = tonumber(string.match(current, '^(%d+)|'))
  if version and version >= tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'EX', ARGV[3])
return 1`;

type RedisWithSetIfNewer = Redis & {
  setIfNewer(key: string, version: number, value: string, ttlSeconds: number): Promise<number>;
};

/** A Redis cache of versioned JSON values (rows with a version column), shared by every replica. */
export class VersionedCache<T> {
  private readonly redis: RedisWithSetIfNewer;

  constructor(
    redis: Redis,
    private readonly ttlSeconds: number,
  ) {
    if (!('setIfNewer' in redis)) redis.defineCommand('setIfNewer', { numberOfKeys: 1, lua: SET_IF_NEWER });
    this.redis = redis as RedisWithSetIfNewer;
  }

  async store(key: string, version: number, value: T): Promise<void> {
    await this.redis.setIfNewer(key, version, JSON.stringify(value), this.ttlSeconds);
  }

  /** Reads what `store` wrote (the value without its version), or null. */
  static parse<T>(cached: string | null): T | null {
    return cached === null ? null : (JSON.parse(cached.slice(cached.indexOf('|') + 1)) as T);
  }
}
