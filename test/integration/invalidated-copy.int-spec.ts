import { InvalidationLink } from '@app/common';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';

/** Polls a synchronous or async check every few ms until it holds; fails after `deadlineMs`. */
async function within(deadlineMs: number, check: () => boolean | Promise<boolean>, what: string) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`not within ${deadlineMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('InvalidatedCopy over a real Redis: kept until Redis reports a change, dropped with the link', () => {
  const prefix = `sk_test_ic_${randomBytes(4).toString('hex')}:`;
  const redis = new Redis({ host: '127.0.0.1', port: 6379, keyPrefix: prefix });
  const admin = new Redis({ host: '127.0.0.1', port: 6379 });
  const link = new InvalidationLink({ host: '127.0.0.1', port: 6379 }, prefix);
  const copy = link.copy<string | null>({ keyPrefix: 'copy:', maxEntries: 100, ttlMs: 60_000 });
  const fetches: string[] = [];
  const read = (key: string) =>
    copy.read(key, () => {
      fetches.push(key);
      return redis.get(key);
    });

  beforeAll(async () => {
    link.start();
    await within(5_000, () => link.up, 'the link to come up');
  });
  afterAll(async () => {
    await link.stop();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.unlink(...keys.map((key) => key.slice(prefix.length)));
    redis.disconnect();
    admin.disconnect();
  });

  const linkClientId = async () => {
    const list = await admin.client('LIST');
    const line = String(list)
      .split('\n')
      .find((entry) => entry.includes(` name=${prefix}invalidations:${process.pid} `));
    if (!line) throw new Error('no invalidation connection in CLIENT LIST');
    return /\bid=(\d+)/.exec(line)![1];
  };

  it('serves a read value from memory, and re-reads it once another client writes the key', async () => {
    await redis.set('copy:a', 'one');
    expect(await read('copy:a')).toBe('one');
    expect(await read('copy:a')).toBe('one');
    expect(fetches.filter((key) => key === 'copy:a')).toHaveLength(1);

    const writer = new Redis({ host: '127.0.0.1', port: 6379, keyPrefix: prefix });
    await writer.set('copy:a', 'two');
    writer.disconnect();
    await within(100, async () => (await read('copy:a')) === 'two', 'the copy to show the write');
  });

  it('keeps what Redis does not hold either (a later creation is reported too), and deletions', async () => {
    expect(await read('copy:b')).toBeNull();
    await redis.set('copy:b', 'created');
    await within(100, async () => (await read('copy:b')) === 'created', 'the creation');
    await redis.del('copy:b');
    await within(100, async () => (await read('copy:b')) === null, 'the deletion');
  });

  it('does not keep a value read while a change to its key was reported', async () => {
    await redis.set('copy:c', 'old');
    const invalidate = jest.spyOn(copy, 'invalidate');
    const stale = await copy.read('copy:c', async () => {
      const value = await redis.get('copy:c');
      await redis.set('copy:c', 'new');
      await within(1_000, () => invalidate.mock.calls.some(([key]) => key === 'copy:c'), 'the report');
      return value;
    });
    invalidate.mockRestore();
    expect(stale).toBe('old'); // served once, as read
    expect(await read('copy:c')).toBe('new'); // but not kept
  });

  it('a key outside the copy prefixes is not tracked', async () => {
    const invalidate = jest.spyOn(copy, 'invalidate');
    await redis.set('other:x', '1');
    await redis.set('copy:marker', '1'); // reported after other:x, if other:x were reported at all
    await within(1_000, () => invalidate.mock.calls.some(([key]) => key === 'copy:marker'), 'the marker');
    expect(invalidate.mock.calls.map(([key]) => key)).not.toContain('other:x');
    invalidate.mockRestore();
  });

  it('drops the whole copy when its connection is killed, so a write it was never told of is not hidden', async () => {
    await redis.set('copy:d', 'live');
    expect(await read('copy:d')).toBe('live');
    const generation = link.generation;
    // Killed and written in one pipeline: Redis runs the SET after the kill, so the change is
    // reported to no connection of this link. Only dropping the copy makes the next read right.
    await admin
      .pipeline()
      .client('KILL', 'ID', await linkClientId())
      .set(`${prefix}copy:d`, 'revoked')
      .exec();
    await within(100, async () => (await read('copy:d')) === 'revoked', 'the write after the kill');
    expect(link.generation).not.toBe(generation);
    // And it comes back: the link is up again and keeps values again.
    await within(5_000, () => link.up, 'the link to come back');
    expect(await read('copy:d')).toBe('revoked');
    const before = fetches.length;
    expect(await read('copy:d')).toBe('revoked');
    expect(fetches).toHaveLength(before);
  });

  it('keeps nothing while the link is down', async () => {
    await link.stop();
    expect(link.up).toBe(false);
    await redis.set('copy:e', 'x');
    const before = fetches.length;
    await read('copy:e');
    await read('copy:e');
    expect(fetches.length - before).toBe(2);
    expect(copy.size).toBe(0);
  });
});
