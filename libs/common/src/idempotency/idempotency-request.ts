import { createHash } from 'node:crypto';
import { actorName, type Principal } from '../access/principal';
import { IdempotencyKeyInvalidError } from './idempotency.errors';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';
/** The guest cart's secret: it identifies a guest caller when nobody is signed in. */
export const CART_TOKEN_HEADER = 'X-Cart-Token';

const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The key as sent, or undefined when absent; a repeated or malformed header is refused. */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !KEY_PATTERN.test(header)) throw new IdempotencyKeyInvalidError();
  return header;
}

export const hashIdempotencyKey = (key: string): string => sha256(key);

/**
 * Whose key it is: the same key from two callers are two keys. A signed-in person or an API key is
 * named by `actorName`; a guest by a hash of their cart token (never stored in clear); anyone
 * else shares `anonymous`, so routes that take keys should identify their caller.
 */
export function idempotencyScope(
  principal: Principal | undefined,
  cartToken: string | string[] | undefined,
): string {
  if (principal) return actorName(principal);
  if (typeof cartToken === 'string' && cartToken.length > 0) return `guest:${sha256(cartToken)}`;
  return 'anonymous';
}

/**
 * JSON with every object's keys sorted, recursively: two bodies that differ only in key order
 * are the same request. Values JSON cannot hold are dropped (or become null in arrays) as
 * JSON.stringify does; an absent body is the empty string.
 */
export function canonicalJson(value: unknown): string {
  return canonical(value) ?? '';
}

function canonical(value: unknown): string | undefined {
  if (Array.isArray(value)) return `[${value.map((item) => canonical(item) ?? 'null').join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const toJson = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJson === 'function') return canonical((toJson as () => unknown).call(value));
  // Built as text, not as a new object: a "__proto__" key from JSON.parse stays an ordinary key.
  const members = Object.keys(value)
    .sort()
    .flatMap((key) => {
      const member = canonical((value as Record<string, unknown>)[key]);
      return member === undefined ? [] : [`${JSON.stringify(key)}:${member}`];
    });
  return `{${members.join(',')}}`;
}

/** What makes two requests "the same request": method, path with query, canonical body. */
export function requestFingerprint(method: string, url: string, body: unknown): string {
  return sha256(`${method.toUpperCase()}\n${url}\n${canonicalJson(body)}`);
}
