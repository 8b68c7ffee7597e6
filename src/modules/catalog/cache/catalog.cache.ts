import { InvalidatedCopy, InvalidationLink, REDIS_CLIENT } from '@app/common';
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
  /**
   * The epoch it was read under (this process's name for the catalog generation as its invalidation
   * link knows it; see CatalogCache.heldEpoch); absent when the cache is off.
   */
  epoch?: string;
}

/** A whole response the hit path repeats, its body encoded once (not on every send). */
export interface RepeatableResponse {
  etag: string;
  body: Buffer;
}

export function entityTag(body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

/** The catalog generation as one request saw it: the Redis value, and the epoch copies are kept under. */
interface Generation {
  value: string;
  /** undefined: the invalidation link is down, so nothing read now may be kept in this process. */
  epoch: string | undefined;
}

/** At the latest after this long the generation is read from Redis again, invalidated or not. */
const GENERATION_COPY_TTL_MS = 60_000;

/**
 * The storefront read cache in Redis, shared by every replica. Entries live under the catalog
 * generation read *before* the database was: a write raises the generation after it commits, so an
 * entry filled from pre-commit data sits under the old generation and no replica reads it again.
 *
 * Each process also holds the generation itself and recent bodies in memory (DESIGN.md, Processes):
 * the generation is a copy Redis invalidates (InvalidationLink: every replica hears of a raise as it
 * happens) and every body is kept under the epoch it was read in — link generation and catalog
 * generation together — so a raise, or a lost link, leaves no old body reachable. While the link is
 * down nothing is kept: every request reads the generation from Redis, as before there was a link.
 */
@Injectable()
export class CatalogCache {
  private readonly local: LocalEntries<CachedBody>;
  /** Whole responses by exact request URL, for the hit path in front of Nest (StorefrontHitsService). */
  private readonly byUrl: LocalEntries<RepeatableResponse>;
  private readonly generations: InvalidatedCopy<string>;
  private pendingGeneration: Promise<string> | undefined;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly config: AppConfig,
    private readonly link: InvalidationLink,
  ) {
    // Half the budget for bodies by cache entry, half for whole responses by URL.
    const half = Math.floor(config.catalog.localCacheBytes / 2);
    this.local = new LocalEntries(half, (value) => value.body.length + value.etag.length);
    this.byUrl = new LocalEntries(half, (value) => value.body.length + value.etag.length);
    this.generations = link.copy<string>({
      keyPrefix: CATALOG_GENERATION_KEY,
      maxEntries: 1,
      ttlMs: GENERATION_COPY_TTL_MS,
    });
  }

  /**
   * The response this process already sent for exactly this URL under the generation it holds now,
   * found without waiting (no promise, no Redis). Undefined when there is none, or when the process
   * holds no generation (just raised, link down): the request then takes the full path.
   */
  hitFor(url: string): RepeatableResponse | undefined {
    const epoch = this.heldEpoch();
    return epoch === undefined ? undefined : this.byUrl.get(epoch, url);
  }

  /** Remembers what was sent for a URL (only responses that came through the full Nest pipeline). */
  rememberUrl(url: string, cached: CachedBody): void {
    if (cached.epoch !== undefined && cached.epoch === this.heldEpoch()) {
      this.byUrl.set(cached.epoch, url, { etag: cached.etag, body: Buffer.from(cached.body) });
    }
  }

  get enabled(): boolean {
    return this.config.catalog.cacheEnabled;
  }

  /** The cached response for `entry`, or the JSON text `load` returns (then cached). */
  async read(entry: string, load: () => Promise<string>): Promise<CachedBody> {
    if (!this.enabled) return this.tagged(await load());
    let generation: Generation;
    try {
      generation = await this.currentGeneration();
    } catch {
      // Redis is down: serve from the database, uncached, rather than fail the storefront.
      return this.tagged(await load());
    }
    const { value, epoch } = generation;
    const local = epoch === undefined ? undefined : this.local.get(epoch, entry);
    if (local) return local;
    const cached = await this.redis.get(catalogEntryKey(value, entry)).catch(() => null);
    if (cached !== null) {
      const newline = cached.indexOf('\n');
      return this.keep(epoch, entry, {
        etag: cached.slice(0, newline),
        body: cached.slice(newline + 1),
        epoch,
      });
    }
    const fresh = { ...this.tagged(await load()), epoch };
    await this.redis
      .set(
        catalogEntryKey(value, entry),
        `${fresh.etag}\n${fresh.body}`,
        'EX',
        this.config.catalog.cacheTtlSeconds,
      )
      .catch(() => undefined); // a lost cache write costs a later miss, never this response
    return this.keep(epoch, entry, fresh);
  }

  /**
   * Called after a catalog write commits: every replica misses from its next read on (their links
   * report the raise; this process drops its own copy at once rather than wait for its report).
   */
  async invalidate(): Promise<void> {
    await this.redis.incr(CATALOG_GENERATION_KEY);
    this.generations.invalidate(CATALOG_GENERATION_KEY);
  }

  /** The epoch of the generation held in process (no wait), or undefined when none is held. */
  private heldEpoch(): string | undefined {
    const value = this.generations.peek(CATALOG_GENERATION_KEY);
    return value === undefined ? undefined : `${this.link.generation}:${value}`;
  }

  /** The held generation, else Redis's (kept in process if the link is up). */
  private async currentGeneration(): Promise<Generation> {
    const held = this.generations.peek(CATALOG_GENERATION_KEY);
    if (held !== undefined) return { value: held, epoch: `${this.link.generation}:${held}` };
    const value = await this.generations.read(CATALOG_GENERATION_KEY, () => this.readGeneration());
    // Kept only if the copy kept it (link up, no raise reported meanwhile): else nothing is kept.
    return {
      value,
      epoch: this.generations.peek(CATALOG_GENERATION_KEY) === value ? this.heldEpoch() : undefined,
    };
  }

  /**
   * The generation as Redis has it now. Requests that ask before the read is sent share it — it is
   * sent after every one of them arrived, so none can miss a write committed before it came in.
   */
  private readGeneration(): Promise<string> {
    this.pendingGeneration ??= new Promise<string>((resolve, reject) =>
      setImmediate(() => {
        this.pendingGeneration = undefined;
        this.redis.get(CATALOG_GENERATION_KEY).then((value) => resolve(value ?? '0'), reject);
      }),
    );
    return this.pendingGeneration;
  }

  /** Keeps a body in process only under the epoch held now (a read of an older one is served, not kept). */
  private keep(epoch: string | undefined, entry: string, body: CachedBody): CachedBody {
    if (epoch !== undefined && epoch === this.heldEpoch()) this.local.set(epoch, entry, body);
    return body;
  }

  private tagged(body: string): CachedBody {
    return { etag: entityTag(body), body };
  }
}

/**
 * This process's copies of cached bodies for one epoch only (another epoch drops them all), bounded
 * in bytes; least recently used out first (lru-cache does the bounding). The caller stores only
 * under the epoch it holds now, so the epoch never goes back.
 */
export class LocalEntries<Value extends object> {
  private epoch = '';
  private readonly entries: LRUCache<string, Value> | undefined;

  /** `size` is a value's size in bytes (its key's is added). */
  constructor(maxBytes: number, size: (value: Value) => number) {
    // lru-cache refuses a zero budget; zero here means "keep nothing".
    this.entries =
      maxBytes > 0
        ? new LRUCache<string, Value>({
            maxSize: maxBytes,
            // One body may take at most half the budget, so one large page cannot flush the rest.
            maxEntrySize: Math.max(1, Math.floor(maxBytes / 2)),
            sizeCalculation: (value, entry) => size(value) + entry.length,
          })
        : undefined;
  }

  get(epoch: string, entry: string): Value | undefined {
    if (epoch !== this.epoch) return undefined;
    return this.entries?.get(entry);
  }

  set(epoch: string, entry: string, value: Value): void {
    if (!this.entries) return;
    if (epoch !== this.epoch) {
      this.entries.clear();
      this.epoch = epoch;
    }
    this.entries.set(entry, value);
  }
}
