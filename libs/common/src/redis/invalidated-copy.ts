import { LRUCache } from 'lru-cache';

/** What a copy needs from its invalidation link (see InvalidationLink). */
export interface InvalidationSource {
  /** Whether Redis is reporting changes right now; while not, nothing may be kept. */
  readonly up: boolean;
  /** Changes whenever the link goes down or comes back: a read begun before must not be kept. */
  readonly generation: number;
}

export interface InvalidatedCopyOptions {
  /** The Redis keys this copy holds all start with it (without the client's keyPrefix). */
  keyPrefix: string;
  maxEntries: number;
  /** An entry is read from Redis again at the latest after this long, invalidated or not. */
  ttlMs: number;
}

/**
 * This process's copy of some Redis keys' values, kept only while Redis tells the process about
 * every change to them (created by `InvalidationLink.copy()`). A key is dropped when Redis reports
 * it changed, everything is dropped when the link is lost, and nothing is kept until it is back. A
 * value read from Redis while a change to its key was reported is served once but not kept (it may
 * predate the change). Bounded in entries and age (lru-cache).
 */
export class InvalidatedCopy<V> {
  private readonly entries: LRUCache<string, { value: V }>;
  /** Reads under way, by key: a change reported meanwhile removes the key, and the read is not kept. */
  private readonly reads = new Map<string, object>();

  constructor(
    private readonly link: InvalidationSource,
    readonly options: InvalidatedCopyOptions,
  ) {
    this.entries = new LRUCache({ max: options.maxEntries, ttl: options.ttlMs });
  }

  /** The value held for `key`, else `fetch()` (which must read `key` from Redis), kept if it may be. */
  async read(key: string, fetch: () => Promise<V>): Promise<V> {
    const held = this.entries.get(key);
    if (held) return held.value;
    if (!this.link.up) return fetch();
    const read = {};
    const generation = this.link.generation;
    this.reads.set(key, read);
    try {
      const value = await fetch();
      if (this.reads.get(key) === read && this.link.up && this.link.generation === generation) {
        this.entries.set(key, { value });
      }
      return value;
    } finally {
      if (this.reads.get(key) === read) this.reads.delete(key);
    }
  }

  /**
   * The value held for `key` now, without waiting (undefined: none held, `read` it): for a hot path
   * that must not pay a promise per call.
   */
  peek(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  /** Whether `key` belongs to this copy (so a change to it concerns it). */
  covers(key: string): boolean {
    return key.startsWith(this.options.keyPrefix);
  }

  /** Redis reported a change to `key`. */
  invalidate(key: string): void {
    this.entries.delete(key);
    this.reads.delete(key);
  }

  /** The link was lost (or Redis reported a flush): nothing held may be trusted. */
  clear(): void {
    this.entries.clear();
    this.reads.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
