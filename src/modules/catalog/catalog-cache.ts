import { REDIS_CLIENT } from '@app/common';
import { AppConfig } from '@app/config';
import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import { CATALOG_GENERATION_KEY, catalogEntryKey } from './catalog-cache.keys';

/** A serialised storefront response and its entity tag. */
export interface CachedBody {
  etag: string;
  body: string;
}

/** Reads the generation and the entry stored under it in one round trip. */
const READ_ENTRY = `
local generation = redis.call('GET', KEYS[1]) or '0'
return {generation, redis.call('GET', ARGV[1] .. generation .. ':' .. ARGV[2])}`;

type RedisWithReadEntry = Redis & {
  catalogReadEntry(
    generationKey: string,
    entryPrefix: string,
    entry: string,
  ): Promise<[string, string | null]>;
};

export function entityTag(body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

/**
 * The storefront read cache in Redis, shared by every replica. Entries live under the catalog
 * generation read *before* the database was: a write raises the generation after it commits, so an
 * entry filled from pre-commit data sits under the old generation and no replica reads it again.
 * Correct at once on every replica, not eventually after a TTL.
 */
@Injectable()
export class CatalogCache {
  private readonly redis: RedisWithReadEntry;
  private readonly entryPrefix: string;

  constructor(
    @Inject(REDIS_CLIENT) redis: Redis,
    private readonly config: AppConfig,
  ) {
    if (!('catalogReadEntry' in redis))
      redis.defineCommand('catalogReadEntry', { numberOfKeys: 1, lua: READ_ENTRY });
    this.redis = redis as RedisWithReadEntry;
    // ioredis prefixes KEYS, not ARGV: the script builds the entry key, so it gets the prefix here.
    this.entryPrefix = `${config.redis.prefix}:${catalogEntryKey('', '').replace(/:+$/, '')}:`;
  }

  get enabled(): boolean {
    return this.config.catalog.cacheEnabled;
  }

  /** The cached response for `entry`, or what `load` serialises (then cached). */
  async read(entry: string, load: () => Promise<unknown>): Promise<CachedBody> {
    if (!this.enabled) return this.serialise(await load());
    const [generation, cached] = await this.redis.catalogReadEntry(
      CATALOG_GENERATION_KEY,
      this.entryPrefix,
      entry,
    );
    if (cached !== null) {
      const newline = cached.indexOf('\n');
      return { etag: cached.slice(0, newline), body: cached.slice(newline + 1) };
    }
    const fresh = this.serialise(await load());
    await this.redis.set(
      catalogEntryKey(generation, entry),
      `${fresh.etag}\n${fresh.body}`,
      'EX',
      this.config.catalog.cacheTtlSeconds,
    );
    return fresh;
  }

  /** Called after a catalog write commits: every replica misses from its next read on. */
  async invalidate(): Promise<void> {
    await this.redis.incr(CATALOG_GENERATION_KEY);
  }

  private serialise(value: unknown): CachedBody {
    const body = JSON.stringify(value);
    return { etag: entityTag(body), body };
  }
}
