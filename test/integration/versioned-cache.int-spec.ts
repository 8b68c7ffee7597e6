import { VersionedCache } from '@app/common';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';

describe('VersionedCache (real Redis): the newest committed version always wins', () => {
  const redis = new Redis({
    host: '127.0.0.1',
    port: 6379,
    keyPrefix: `sk_test_vc_${randomBytes(4).toString('hex')}:`,
  });
  const cache = new VersionedCache<{ status: string }>(redis, 60);
  afterAll(async () => {
    const keys = await redis.keys(`${redis.options.keyPrefix}*`);
    if (keys.length) await redis.unlink(...keys.map((key) => key.slice(redis.options.keyPrefix!.length)));
    redis.disconnect();
  });

  const read = async (key: string) => VersionedCache.parse<{ status: string }>(await redis.get(key));

  it('a stale read stored after a newer write is ignored (the disable stays)', async () => {
    await cache.store('user:1', 3, { status: 'disabled' }); // the writer publishes what it committed
    await cache.store('user:1', 2, { status: 'active' }); // a reader that loaded before the commit
    expect(await read('user:1')).toEqual({ status: 'disabled' });
  });

  it('a newer version replaces an older one, and an equal one does not', async () => {
    await cache.store('user:2', 1, { status: 'active' });
    await cache.store('user:2', 2, { status: 'disabled' });
    await cache.store('user:2', 2, { status: 'active' });
    expect(await read('user:2')).toEqual({ status: 'disabled' });
  });

  it('under a storm of concurrent stores the highest version is what remains', async () => {
    const versions = Array.from({ length: 200 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
    await Promise.all(versions.map((version) => cache.store('user:3', version, { status: `v${version}` })));
    expect(await read('user:3')).toEqual({ status: 'v200' });
  });

  it('entries expire', async () => {
    await cache.store('user:4', 1, { status: 'active' });
    expect(await redis.ttl('user:4')).toBeGreaterThan(0);
  });
});
