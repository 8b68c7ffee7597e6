import { VerifiedTokenCache } from './verified-token-cache';

const claims = (exp: number, nbf?: number) => ({
  typ: 'access' as const,
  sub: 'u',
  sid: 's',
  ep: 0,
  exp,
  nbf,
});

describe('VerifiedTokenCache', () => {
  it('returns a cached token until it expires, then forgets it', () => {
    const cache = new VerifiedTokenCache();
    cache.set('t', claims(1000));
    expect(cache.get('t', 999)).toEqual(expect.objectContaining({ sub: 'u' }));
    expect(cache.get('t', 1000)).toBeUndefined();
    expect(cache.get('t', 999)).toBeUndefined();
  });

  it('rechecks not-before on every hit', () => {
    const cache = new VerifiedTokenCache();
    cache.set('t', claims(2000, 1500));
    expect(cache.get('t', 1400)).toBeUndefined();
  });

  it('never caches a token without exp, and stays within its bound', () => {
    const cache = new VerifiedTokenCache(2);
    cache.set('no-exp', { typ: 'access', sub: 'u', sid: 's', ep: 0 });
    expect(cache.get('no-exp', 0)).toBeUndefined();
    cache.set('a', claims(10));
    cache.set('b', claims(10));
    cache.set('c', claims(10));
    expect(cache.get('a', 0)).toBeUndefined();
    expect(cache.get('c', 0)).toBeDefined();
  });
});
