import helmet, { HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The headers helmet would set, computed once. Helmet decides which headers and values (it is the
 * maintained source of that knowledge); applying them as one precomputed object instead of running
 * helmet's dozen middlewares per request took /health/live from ~0.4 to ~0.7 of bare Fastify.
 * Only valid for options that do not vary per request (no CSP nonces).
 *
 * Why not @fastify/helmet (issue 16 weighed it): it sets one option set per route from an onRequest
 * hook, while these headers also vary by transport (HSTS, upgrade-insecure-requests, COOP and OAC
 * over https only), which would take `reply.helmet()` per request — helmet's middlewares on every
 * request again; and the responses Fastify and Node answer before any hook (414, malformed URL,
 * 431, 400, 408) need the same headers, so this function would stay beside it anyway.
 */
export function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    failure = error;
  });
  if (failure) throw failure instanceof Error ? failure : new Error('helmet could not compute the headers');
  return headers;
}
