import { InvalidatedCopy, type InvalidatedCopyOptions, type InvalidationLink } from '@app/common';
import type { AppConfig } from '@app/config';
import type Redis from 'ioredis';
import { CatalogCache, LocalEntries } from './catalog.cache';

const body = (text: string) => ({ etag: `"${text.slice(0, 2)}"`, body: text });
const entries = (maxBytes: number) =>
  new LocalEntries<{ etag: string; body: string }>(
    maxBytes,
    (value) => value.body.length + value.etag.length,
  );

describe('LocalEntries', () => {
  it('serves an entry only for the epoch it was stored under', () => {
    const local = entries(10_000);
    local.set('1:5', 'a', body('five'));
    expect(local.get('1:5', 'a')?.body).toBe('five');
    expect(local.get('1:6', 'a')).toBeUndefined();
    expect(local.get('2:5', 'a')).toBeUndefined();
  });

  it('drops every copy when another epoch is stored', () => {
    const local = entries(10_000);
    local.set('1:5', 'a', body('five'));
    local.set('1:6', 'b', body('six'));
    expect(local.get('1:6', 'a')).toBeUndefined();
    expect(local.get('1:5', 'a')).toBeUndefined();
    expect(local.get('1:6', 'b')?.body).toBe('six');
  });

  it('stays within its byte budget, evicting the least recently used', () => {
    const local = entries(100);
    local.set('1', 'a', body('x'.repeat(30)));
    local.set('1', 'b', body('y'.repeat(30)));
    expect(local.get('1', 'a')).toBeDefined(); // a is now the most recent
    local.set('1', 'c', body('z'.repeat(30)));
    expect(local.get('1', 'b')).toBeUndefined();
    expect(local.get('1', 'a')).toBeDefined();
    expect(local.get('1', 'c')).toBeDefined();
  });

  it('keeps nothing when its budget is zero', () => {
    const local = entries(0);
    local.set('1', 'a', body('x'));
    expect(local.get('1', 'a')).toBeUndefined();
  });
});

describe('CatalogCache process copies', () => {
  const GENERATION = 'catalog:gen';
  let values: Map<string, string>;
  let redis: { get: jest.Mock; set: jest.Mock; incr: jest.Mock };
  let link: { up: boolean; generation: number };
  let copy: InvalidatedCopy<string>;
  let cache: CatalogCache;

  beforeEach(() => {
    values = new Map([[GENERATION, '7']]);
    redis = {
      get: jest.fn((key: string) => Promise.resolve(values.get(key) ?? null)),
      set: jest.fn((key: string, value: string) => Promise.resolve(values.set(key, value) && 'OK')),
      incr: jest.fn((key: string) => {
        values.set(key, String(Number(values.get(key) ?? '0') + 1));
        return Promise.resolve(Number(values.get(key)));
      }),
    };
    link = { up: true, generation: 1 };
    const source = {
      get up() {
        return link.up;
      },
      get generation() {
        return link.generation;
      },
      copy: (options: InvalidatedCopyOptions) => (copy = new InvalidatedCopy<string>(source, options)),
    };
    const config = { catalog: { cacheEnabled: true, cacheTtlSeconds: 60, localCacheBytes: 1_000_000 } };
    cache = new CatalogCache(
      redis as unknown as Redis,
      config as AppConfig,
      source as unknown as InvalidationLink,
    );
  });

  /** A read through the full path for `url`, as StorefrontService does it. */
  const serve = async (url: string, body: string) => {
    const cached = await cache.read(`entry:${url}`, () => Promise.resolve(body));
    cache.rememberUrl(url, cached);
    return cached;
  };

  it('answers a URL it served from process memory, asking Redis nothing', async () => {
    expect(cache.hitFor('/p')).toBeUndefined();
    await serve('/p', '{"price":1}');
    redis.get.mockClear();
    expect(cache.hitFor('/p')?.body.toString()).toBe('{"price":1}');
    expect(redis.get).not.toHaveBeenCalled();
  });

  it('misses from the moment a raise is reported, and serves what the new generation holds', async () => {
    await serve('/p', '{"price":1}');
    await redis.incr(GENERATION); // another replica's write
    copy.invalidate(GENERATION); // ... as the link reports it
    expect(cache.hitFor('/p')).toBeUndefined();
    expect((await serve('/p', '{"price":2}')).body).toBe('{"price":2}');
    expect(cache.hitFor('/p')?.body.toString()).toBe('{"price":2}');
  });

  it("drops its own copy when it raises the generation (no wait for its link's report)", async () => {
    await serve('/p', '{"price":1}');
    await cache.invalidate();
    expect(cache.hitFor('/p')).toBeUndefined();
  });

  it('keeps nothing while the link is down: each read asks Redis for the generation', async () => {
    await serve('/p', '{"price":1}');
    Object.assign(link, { up: false, generation: 2 });
    copy.clear(); // what the link does when lost
    expect(cache.hitFor('/p')).toBeUndefined();
    redis.get.mockClear();
    await serve('/p', '{"price":1}');
    await serve('/p', '{"price":1}');
    expect(redis.get.mock.calls.filter(([key]) => key === GENERATION)).toHaveLength(2);
    expect(cache.hitFor('/p')).toBeUndefined();
  });

  it('serves, but does not keep, a read whose generation was raised while it was out', async () => {
    await cache.read('warm', () => Promise.resolve('{}')); // the generation is held
    const cached = await cache.read('entry:/p', () => {
      copy.invalidate(GENERATION);
      return Promise.resolve('{"price":1}');
    });
    cache.rememberUrl('/p', cached);
    expect(cached.body).toBe('{"price":1}');
    await cache.read('warm', () => Promise.resolve('{}'));
    expect(cache.hitFor('/p')).toBeUndefined();
  });
});
