import type { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { LRUCache } from 'lru-cache';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * Grants up to ARGV[3] of the window's remaining requests to one replica, atomically. KEYS[1] counts
 * what was granted in the window (it expires with the window), KEYS[2] marks the client blocked once
 * nothing is left. Returns {granted, granted in the window so far, window ms left, block ms left}.
 */
const LEASE = `
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then
  return {0, tonumber(redis.call('GET', KEYS[1]) or ARGV[2]), redis.call('PTTL', KEYS[1]), blocked}
end
local limit = tonumber(ARGV[2])
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local grant = math.min(tonumber(ARGV[3]), limit - used)
if grant <= 0 then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[4])
  return {0, used, redis.call('PTTL', KEYS[1]), tonumber(ARGV[4])}
end
used = redis.call('INCRBY', KEYS[1], grant)
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {grant, used, ttl, 0}`;

type RedisWithLease = Redis & {
  throttlerLease(
    grantedKey: string,
    blockKey: string,
    windowMs: number,
    limit: number,
    wanted: number,
    blockMs: number,
  ): Promise<[number, number, number, number]>;
};

/** What this replica holds of one client's window on one route. */
interface Lease {
  remaining: number;
  /** Requests Redis had granted in the window when this lease was taken (for the headers). */
  grantedInWindow: number;
  windowEndsAt: number;
  blockedUntil: number;
}

/** The share of a limit one lease takes: 1/LEASE_DIVISOR of it (a limit up to LEASE_DIVISOR is exact). */
export const LEASE_DIVISOR = 20;

export const leaseSize = (limit: number) => Math.ceil(limit / LEASE_DIVISOR);

/**
 * The rate limit enforced approximately across replicas (issue 20's decision, bound in the README):
 * a replica takes a lease of ⌈limit/20⌉ requests of a client's window from Redis in one atomic script
 * and spends it locally, so it asks Redis once per lease instead of once per request. Redis never
 * grants more than the limit in a window, so no more than the limit is ever accepted (no overshoot);
 * the price is refusing early: leases other replicas hold but have not spent — fewer than a lease
 * each — are lost to the client, so with N replicas a client is refused after at least
 * limit − (N−1)·(⌈limit/20⌉−1) requests. Once refused, a client is blocked for `blockDuration`
 * on every replica, as with the exact storage.
 *
 * A limit of at most 20 would take leases of one request, exact and a round trip per request: such
 * limits, and the throttlers named in `exactThrottlers` (the credential routes), go to the exact
 * storage instead.
 */
export class LeasedThrottlerStorage implements ThrottlerStorage {
  private readonly redis: RedisWithLease;
  private readonly leases = new LRUCache<string, Lease>({ max: 50_000 });
  private readonly acquiring = new Map<string, Promise<void>>();

  constructor(
    redis: Redis,
    private readonly exact: ThrottlerStorage,
    private readonly exactThrottlers: ReadonlySet<string>,
  ) {
    if (!('throttlerLease' in redis)) redis.defineCommand('throttlerLease', { numberOfKeys: 2, lua: LEASE });
    this.redis = redis as RedisWithLease;
  }

  async increment(...args: Parameters<ThrottlerStorage['increment']>): Promise<ThrottlerStorageRecord> {
    const [key, ttl, limit, blockDuration, throttlerName] = args;
    const size = leaseSize(limit);
    if (size <= 1 || this.exactThrottlers.has(throttlerName)) return this.exact.increment(...args);
    const id = `{${key}:${throttlerName}}`;
    for (;;) {
      const now = Date.now();
      const lease = this.leases.get(id);
      if (lease && lease.blockedUntil > now) return blocked(lease, limit, now);
      if (lease && lease.remaining > 0 && lease.windowEndsAt > now) {
        lease.remaining--;
        return {
          // Approximate: what Redis had granted, less what this replica has not spent yet.
          totalHits: Math.min(limit, lease.grantedInWindow - lease.remaining),
          timeToExpire: Math.ceil((lease.windowEndsAt - now) / 1000),
          isBlocked: false,
          timeToBlockExpire: 0,
        };
      }
      // One lease request per client at a time; whoever waited looks again once it is in.
      let acquiring = this.acquiring.get(id);
      if (!acquiring) {
        acquiring = this.acquire(id, ttl, limit, size, Math.max(1, blockDuration)).finally(() =>
          this.acquiring.delete(id),
        );
        this.acquiring.set(id, acquiring);
      }
      await acquiring;
    }
  }

  private async acquire(id: string, ttl: number, limit: number, size: number, blockMs: number) {
    const [granted, grantedInWindow, windowMs, blockedMs] = await this.redis.throttlerLease(
      `${id}:granted`,
      `${id}:blocked`,
      ttl,
      limit,
      size,
      blockMs,
    );
    const now = Date.now();
    const windowEndsAt = now + Math.max(windowMs, 0);
    const lease: Lease = {
      remaining: granted,
      grantedInWindow,
      windowEndsAt,
      blockedUntil: granted > 0 ? 0 : now + Math.max(blockedMs, 1),
    };
    this.leases.set(id, lease, { ttl: Math.max(windowMs, blockedMs, 1) });
  }
}

function blocked(lease: Lease, limit: number, now: number): ThrottlerStorageRecord {
  return {
    totalHits: limit + 1,
    timeToExpire: Math.max(0, Math.ceil((lease.windowEndsAt - now) / 1000)),
    isBlocked: true,
    timeToBlockExpire: Math.ceil((lease.blockedUntil - now) / 1000),
  };
}
