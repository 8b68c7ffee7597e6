import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CachedBody } from '../cache/catalog.cache';

/** True when an If-None-Match header lists the entity tag (or is `*`). */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

/**
 * Sends a storefront body that is already JSON (no second serialisation) with its ETag and
 * Cache-Control, or 304 without a body when the client holds the same version.
 */
export function sendCached(
  request: FastifyRequest,
  reply: FastifyReply,
  cached: CachedBody,
  maxAgeSeconds: number,
): string {
  void reply.header('etag', cached.etag);
  void reply.header(
    'cache-control',
    `public, max-age=${maxAgeSeconds}, stale-while-revalidate=${maxAgeSeconds}`,
  );
  void reply.header('vary', 'Accept-Encoding');
  if (matchesIfNoneMatch(request.headers['if-none-match'], cached.etag)) {
    void reply.status(304);
    return '';
  }
  void reply.header('content-type', 'application/json; charset=utf-8');
  return cached.body;
}
