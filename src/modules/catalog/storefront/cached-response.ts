import type { FastifyReply, FastifyRequest } from 'fastify';

/** True when an If-None-Match header lists the entity tag (or is `*`). */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  // What a client sends back is, almost always, exactly the tag it was given.
  if (header === etag) return true;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

/**
 * Sends a storefront body that is already JSON (no second serialisation; text, or the hit path's
 * bytes) with its ETag and Cache-Control, or 304 without a body when the client holds the same
 * version.
 */
export function sendCached<Body extends string | Buffer>(
  request: FastifyRequest,
  reply: FastifyReply,
  cached: { etag: string; body: Body },
  maxAgeSeconds: number,
): Body | '' {
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
