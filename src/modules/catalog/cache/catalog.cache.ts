import { REDIS_CLIENT } from '@app/common';
import { AppConfig } from '@app/config';
import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import { CATALOG_GENERATION_KEY, catalogEntryKey } from './catalog-cache.keys';

/** A serialised storefront response and its entity tag. */
export interface CachedBody {
  etag: string;
  body: string;
  /** The catalog generation it was read under ('' when the cache is off). */
  generation?: string;
}

export function entityTag(body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

/**
 * The storefront read cache in Redis, shared by every replica. Entries live under the catalog
 * generation read *before* the database was: a write raises the generation after it commits, so an
 * entry filled from pre-commit data sits under the old generation and no replica reads it again.
 * Correct at once on every replica, not eventually after a TTL. Each replica also keeps recent
 * bodies in memory (LocalEntries), used only for the generation Redis names for this request.
 */
@Injectable()
export class CatalogCache {
  private readonly local: LocalEntries;
  /** Whole responses by exact request URL, for the hit path in front of Nest (StorefrontHitsService). */
  private readonly byUrl: LocalEntries;
  private pendingGeneration: Promise<string> | undefined;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {
    // Half the budget for bodies by cache entry, half for whole responses by URL.
    this.local = new LocalEntries(Math.floor(config.catalog.localCacheBytes / 2));
    this.byUrl = new LocalEntries(Math.floor(config.catalog.localCacheBytes / 2));
  }

  /**
   * The response this process already sent for exactly this URL, if it was read under the current
   * generation (read from Redis now, so a committed write is never hidden). Undefined otherwise.
   */
  async hitFor(url: string): Promise<CachedBody | undefined> {
    if (!this.enabled || this.config.catalog.localCacheBytes === 0) return undefined;
    const generation = await this.currentGeneration().catch(() => undefined);
    // Without Redis nothing proves a copy current: the request takes the full path.
    return generation === undefined ? undefined : this.byUrl.get(generation, url);
  }

  /**
   * The generation as Redis has it now. Requests that ask before the read is sent share it — it is
   * sent after every one of them arrived, so none can miss a write committed before it came in.
   */
  private currentGeneration(): Promise<string> {
    this.pendingGeneration ??= new Promise<string>((resolve, reject) =>
      setImmediate(() => {
        this.pendingGeneration = undefined;
        this.redis.get(CATALOG_GENERATION_KEY).then((value) => resolve(value ?? '0'), reject);
      }),
    );
    return this.pendingGeneration;
  }

  /** Remembers what was sent for a URL (only responses that came through the full Nest pipeline). */
  rememberUrl(url: string, cached: CachedBody): void {
    if (cached.generation) this.byUrl.set(cached.generation, url, cached);
  }

  get enabled(): boolean {
    return this.config.catalog.cacheEnabled;
  }

  /** The cached response for `entry`, or the JSON text `load` returns (then cached). */
  async read(entry: string, load: () => Promise<string>): Promise<CachedBody> {
    if (!this.enabled) return this.tagged(await load());
    // The generation is read on every request (a few bytes, pipelined with other commands); only
    // the body comes from process memory when this replica already holds it for that generation.
    // So a write committed before this request arrived is never hidden by a local copy.
    let generation: string;
    try {
      generation = await this.currentGeneration();
    } catch {
      // Redis is down: serve from the database, uncached, rather than fail the storefront.
      return this.tagged(await load());
    }
    const local = this.local.get(generation, entry);
    if (local) return local;
    const cached = await this.redis.get(catalogEntryKey(generation, entry)).catch(() => null);
    if (cached !== null) {
      const newline = cached.indexOf('\n');
      return this.local.set(generation, entry, {
        etag: cached.slice(0, newline),
        body: cached.slice(newline + 1),
        generation,
      });
    }
    const fresh = { ...this.tagged(await load()), generation };
    await this.redis
      .set(
        catalogEntryKey(generation, entry),
        `${fresh.etag}\n${fresh.body}`,
        'EX',
        this.config.catalog.cacheTtlSeconds,
      )
      .catch(() => undefined); // a lost cache write costs a later miss, never this response
    return this.local.set(generation, entry, fresh);
  }

  /** Called after a catalog write commits: every replica misses from its next read on. */
  async invalidate(): Promise<void> {
    await this.redis.incr(CATALOG_GENERATION_KEY);
  }

  private tagged(body: string): CachedBody {
    return { etag: entityTag(body), body };
  }
}

/**
 * This replica's copies of cached bodies, for the current generation only (a new generation drops
 * them all), bounded in bytes; least recently used out first (lru-cache does the bounding).
 */
export class LocalEntries {
  private generation = '';
  private readonly entries: LRUCache<string, CachedBody> | undefined;

  constructor(maxBytes: number) {
    // lru-cache refuses a zero budget; zero here means "keep nothing".
    this.entries =
      maxBytes > 0
        ? new LRUCache<string, CachedBody>({
            maxSize: maxBytes,
            // One body may take at most half the budget, so one large page cannot flush the rest.
            maxEntrySize: Math.max(1, Math.floor(maxBytes / 2)),
            sizeCalculation: (value, entry) => value.body.length + value.etag.length + entry.length,
          })
        : undefined;
  }

  get(generation: string, entry: string): CachedBody | undefined {
    if (generation !== this.generation) return undefined;
    return this.entries?.get(entry);
  }

  set(generation: string, entry: string, value: CachedBody): CachedBody {
    if (!this.entries) return value;
    if (generation !== this.generation) {
      // Only ever move forward: a slow request of an older generation must not wipe newer copies.
      if (Number(generation) < Number(this.generation)) return value;
      this.entries.clear();
      this.generation = generation;
    }
    this.entries.set(entry, value);
    return value;
  }
}
