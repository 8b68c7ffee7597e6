import type { FastifyReply } from 'fastify';

/** Reads an `If-Match` of the form `"<version>"` or `W/"<version>"`; anything else matches nothing. */
export function versionFromIfMatch(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined) return undefined;
  const match = /^(?:W\/)?"(\d{1,10})"$/.exec(ifMatch.trim());
  return match ? Number(match[1]) : -1;
}

/** Sends a versioned resource with its weak ETag (`W/"<version>"`), the value If-Match takes back. */
export function withVersionEtag<T extends { version: number }>(reply: FastifyReply, resource: T): T {
  void reply.header('etag', `W/"${resource.version}"`);
  return resource;
}
