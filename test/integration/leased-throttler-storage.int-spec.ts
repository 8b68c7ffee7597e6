import { LeasedThrottlerStorage, leaseSize, ScriptedThrottlerStorage } from '@app/common';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';

describe('LeasedThrottlerStorage (real Redis): replicas spend leases, never more than the limit', () => {
  const prefix = `sk_test_lts_${randomBytes(4).toString('hex')}:`;
  const clients = Array.from(
    { length: 3 },
    () => new Redis({ host: '127.0.0.1', port: 6379, keyPrefix: prefix }),
  );
  /** Three replicas: each its own storage (its own leases), one Redis. */
  const replicas = clients.map(
    (redis) =>
      new LeasedThrottlerStorage(redis, new ScriptedThrottlerStorage(redis), new Set(['credentials'])),
  );
  afterAll(async () => {
    const keys = await clients[0].keys(`${prefix}*`);
    if (keys.length) await clients[0].unlink(...keys.map((key) => key.slice(prefix.length)));
    for (const redis of clients) redis.disconnect();
  });

  const accepted = async (key: string, limit: number, requests: number, name = 'default') => {
    const results = await Promise.all(
      Array.from({ length: requests }, (_, i) =>
        replicas[i % replicas.length].increment(key, 60_000, limit, 60_000, name),
      ),
    );
    return results.filter((result) => !result.isBlocked).length;
  };

  it('a burst spread over 3 replicas: at most the limit, at least limit − (N−1)·(lease−1)', async () => {
    const limit = 200;
    const lease = leaseSize(limit);
    const count = await accepted('burst', limit, 3 * limit);
    expect(count).toBeLessThanOrEqual(limit);
    expect(count).toBeGreaterThanOrEqual(limit - (replicas.length - 1) * (lease - 1));
  });

  it('once refused, every replica refuses, with the time left', async () => {
    await accepted('blocked', 100, 300);
    for (const replica of replicas) {
      const record = await replica.increment('blocked', 60_000, 100, 60_000, 'default');
      expect(record.isBlocked).toBe(true);
      expect(record.timeToBlockExpire).toBeGreaterThan(0);
    }
  });

  it('a small limit and the credential throttler are exact (the shared storage, one request each)', async () => {
    expect(await accepted('small', 5, 20)).toBe(5);
    expect(await accepted('credentials', 100, 300, 'credentials')).toBe(100);
  });

  it('each client has its own allowance', async () => {
    await accepted('client-1', 100, 300);
    expect(await accepted('client-2', 100, 10)).toBe(10);
  });
});
