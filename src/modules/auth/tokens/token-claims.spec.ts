import { hasAccessTokenLifetime } from './token-claims';

describe('hasAccessTokenLifetime', () => {
  const now = 1_000_000;
  const ttl = 900;

  it('accepts a token issued now (or up to 30 s ahead) for at most the TTL plus 30 s', () => {
    expect(hasAccessTokenLifetime({ iat: now, exp: now + ttl }, ttl, now)).toBe(true);
    expect(hasAccessTokenLifetime({ iat: now + 30, exp: now + 30 + ttl + 30 }, ttl, now)).toBe(true);
  });

  it.each([
    ['no exp', { iat: now }],
    ['no iat', { exp: now + 60 }],
    ['iat in the future', { iat: now + 31, exp: now + 600 }],
    ['a lifetime over the TTL', { iat: now, exp: now + ttl + 31 }],
    ['exp before iat', { iat: now, exp: now - 1 }],
    ['non-integer times', { iat: String(now), exp: now + 60 }],
    ['no claims at all', null],
  ])('refuses %s', (_name, payload) => {
    expect(hasAccessTokenLifetime(payload, ttl, now)).toBe(false);
  });
});
