import type { Principal } from '../access/principal';
import { IdempotencyKeyInvalidError } from './idempotency.errors';
import {
  canonicalJson,
  hashIdempotencyKey,
  idempotencyScope,
  parseIdempotencyKey,
  requestFingerprint,
} from './idempotency-request';

describe('canonicalJson', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives the same text for bodies that differ only in key order', () => {
    expect(canonicalJson({ x: 1, y: [1, 2], z: { q: 'a', p: 'b' } })).toBe(
      canonicalJson({ z: { p: 'b', q: 'a' }, y: [1, 2], x: 1 }),
    );
  });

  it('tells apart bodies that differ in a value, in array order or in type', () => {
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: 1, b: null }));
  });

  it('drops undefined members like JSON does, and an absent body is the empty string', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson([undefined])).toBe('[null]');
    expect(canonicalJson(undefined)).toBe('');
  });

  it('keeps a "__proto__" key from parsed JSON as an ordinary member', () => {
    const body = JSON.parse('{"__proto__":{"admin":true},"a":1}') as unknown;
    expect(canonicalJson(body)).toBe('{"__proto__":{"admin":true},"a":1}');
    expect(canonicalJson(body)).not.toBe(canonicalJson({ a: 1 }));
  });

  it('escapes keys and strings as JSON', () => {
    expect(canonicalJson({ 'a"b': 'c\nd' })).toBe('{"a\\"b":"c\\nd"}');
  });
});

describe('requestFingerprint', () => {
  const body = { lines: [{ sku: 'A', quantity: 2 }], note: 'x' };

  it('is a sha256 hex, equal for the same method, path and (reordered) body', () => {
    const first = requestFingerprint('POST', '/v1/carts/1/checkout', body);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(
      requestFingerprint('post', '/v1/carts/1/checkout', { note: 'x', lines: [{ quantity: 2, sku: 'A' }] }),
    ).toBe(first);
  });

  it('differs by method, path, query or body', () => {
    const base = requestFingerprint('POST', '/v1/carts/1/checkout', body);
    expect(requestFingerprint('PUT', '/v1/carts/1/checkout', body)).not.toBe(base);
    expect(requestFingerprint('POST', '/v1/carts/2/checkout', body)).not.toBe(base);
    expect(requestFingerprint('POST', '/v1/carts/1/checkout?x=1', body)).not.toBe(base);
    expect(requestFingerprint('POST', '/v1/carts/1/checkout', { ...body, note: 'y' })).not.toBe(base);
    expect(requestFingerprint('POST', '/v1/carts/1/checkout', undefined)).not.toBe(base);
  });
});

describe('parseIdempotencyKey', () => {
  it('accepts 1 to 255 printable ASCII characters', () => {
    expect(parseIdempotencyKey('a')).toBe('a');
    expect(parseIdempotencyKey('6f1c2a9e-8c43-4a51-9a1e-7d2b3c4d5e6f')).toBe(
      '6f1c2a9e-8c43-4a51-9a1e-7d2b3c4d5e6f',
    );
    expect(parseIdempotencyKey('~'.repeat(255))).toHaveLength(255);
    expect(parseIdempotencyKey('order 42: retry #1')).toBe('order 42: retry #1');
  });

  it('returns undefined when the header is absent', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['a control character', 'abc\tdef'],
    ['non-ASCII', 'clé'],
  ])('refuses a key that is %s', (_label, key) => {
    expect(() => parseIdempotencyKey(key)).toThrow(IdempotencyKeyInvalidError);
  });

  it('refuses a repeated header', () => {
    expect(() => parseIdempotencyKey(['a', 'b'])).toThrow(IdempotencyKeyInvalidError);
  });
});

describe('hashIdempotencyKey', () => {
  it('is a 64-character hex that tells keys apart', () => {
    expect(hashIdempotencyKey('a')).toMatch(/^[0-9a-f]{64}$/);
    expect(hashIdempotencyKey('a')).not.toBe(hashIdempotencyKey('A'));
  });
});

describe('idempotencyScope', () => {
  const user: Principal = {
    kind: 'user',
    userId: 'u1',
    sessionId: 's1',
    role: 'customer',
    permissions: new Set(),
  };
  const apiKey: Principal = { kind: 'api-key', apiKeyId: 'k1', permissions: new Set() };

  it('names a signed-in caller, even when a cart token is sent too', () => {
    expect(idempotencyScope(user, 'token')).toBe('user:u1');
    expect(idempotencyScope(apiKey, undefined)).toBe('api-key:k1');
  });

  it('names a guest by a hash of the cart token, never the token itself', () => {
    const scope = idempotencyScope(undefined, 'secret-cart-token');
    expect(scope).toMatch(/^guest:[0-9a-f]{64}$/);
    expect(scope).not.toContain('secret-cart-token');
    expect(idempotencyScope(undefined, 'other-token')).not.toBe(scope);
  });

  it('falls back to anonymous without a principal or a usable cart token', () => {
    expect(idempotencyScope(undefined, undefined)).toBe('anonymous');
    expect(idempotencyScope(undefined, '')).toBe('anonymous');
    expect(idempotencyScope(undefined, ['a', 'b'])).toBe('anonymous');
  });
});
