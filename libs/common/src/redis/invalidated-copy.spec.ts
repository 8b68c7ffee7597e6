import { InvalidatedCopy, type InvalidationSource } from './invalidated-copy';

describe('InvalidatedCopy', () => {
  const link: { up: boolean; generation: number } = { up: true, generation: 1 };
  const copyOf = () =>
    new InvalidatedCopy<string>(link satisfies InvalidationSource, {
      keyPrefix: 'k:',
      maxEntries: 2,
      ttlMs: 60_000,
    });
  beforeEach(() => Object.assign(link, { up: true, generation: 1 }));

  it('does not keep a read that began before the link went down and came back', async () => {
    const copy = copyOf();
    await copy.read('k:1', () => {
      Object.assign(link, { generation: 3 }); // lost and back while the read was out
      return Promise.resolve('old');
    });
    expect(copy.size).toBe(0);
  });

  it('keeps nothing while the link is down', async () => {
    link.up = false;
    const copy = copyOf();
    await copy.read('k:1', () => Promise.resolve('v'));
    expect(copy.size).toBe(0);
  });

  it('is bounded: the least recently used entry makes room', async () => {
    const copy = copyOf();
    const fetch = jest.fn((value: string) => Promise.resolve(value));
    await copy.read('k:1', () => fetch('1'));
    await copy.read('k:2', () => fetch('2'));
    await copy.read('k:1', () => fetch('1'));
    await copy.read('k:3', () => fetch('3'));
    await copy.read('k:1', () => fetch('1'));
    await copy.read('k:2', () => fetch('2'));
    expect(fetch.mock.calls.map(([value]) => value)).toEqual(['1', '2', '3', '2']);
  });

  it('forgets a failed read', async () => {
    const copy = copyOf();
    await expect(copy.read('k:1', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await copy.read('k:1', () => Promise.resolve('v'))).toBe('v');
    expect(copy.size).toBe(1);
  });

  it('peeks at what it holds, without a read', async () => {
    const copy = copyOf();
    expect(copy.peek('k:1')).toBeUndefined();
    await copy.read('k:1', () => Promise.resolve('v'));
    expect(copy.peek('k:1')).toBe('v');
    copy.invalidate('k:1');
    expect(copy.peek('k:1')).toBeUndefined();
  });
});
