import { isStorefrontCached } from '@app/common';
import type { FastifyInstance } from 'fastify';
import { PinoLogger } from 'nestjs-pino';

/** Probes and scrapes (route templates) would drown the request log; their outcomes are in /metrics. */
const UNLOGGED_ROUTES = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * Request logging as two Fastify hooks instead of the pino-http Nest middleware: a Nest
 * middleware makes Fastify run middie on every request, which cost ~10% of the liveness route's
 * throughput on its own. Every log written while serving a request (services included) carries
 * the request id, through nestjs-pino's own request context (`runInContext`); one line per
 * completed request is written from `onResponse`. Neither headers nor query strings are logged,
 * so credentials cannot leak through them.
 */
export function installRequestLogging(fastify: FastifyInstance, logger: PinoLogger): void {
  // The access line carries only the fixed, safe fields below, so it skips the redaction paths
  // (their wildcards cost ~10% of a cached storefront read's CPU when checked on every line).
  let root: typeof PinoLogger.root | undefined;
  let accessLog: typeof PinoLogger.root | undefined;
  const access = (): typeof PinoLogger.root => {
    if (root !== PinoLogger.root || !accessLog) {
      root = PinoLogger.root;
      accessLog = root.child({}, { redact: [] });
    }
    return accessLog;
  };
  fastify.addHook('onRequest', (request, _reply, done) => {
    const { url, config } = request.routeOptions;
    // The storefront's public reads (`@StorefrontCached()`) get their access line but no per-request
    // logger context: they log nothing of their own (an unexpected error is logged by the problem
    // filter with its request id), and entering the context (AsyncLocalStorage and a child logger)
    // cost a quarter of a cached read.
    if (UNLOGGED_ROUTES.has(url ?? '') || (request.method === 'GET' && isStorefrontCached(config)))
      return done();
    logger.runInContext(done, { bindings: { reqId: request.id } });
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const level = reply.statusCode >= 500 ? 'error' : 'info';
    const log = access();
    // Below the configured level the line's fields (the client address behind trusted proxies, the
    // path) are not even built.
    if (log.isLevelEnabled(level) && !UNLOGGED_ROUTES.has(request.routeOptions.url ?? '')) {
      log[level](
        {
          // Flat fields: pino-http's serializers own the `req`/`res` keys and expect Node objects.
          reqId: request.id,
          method: request.method,
          // The path only: query strings carry tokens (verification links, signed URLs).
          path: request.url.split('?', 1)[0],
          route: request.routeOptions.url,
          statusCode: reply.statusCode,
          ip: request.ip,
          responseTime: Math.round(reply.elapsedTime * 100) / 100,
        },
        'request completed',
      );
    }
    done();
  });
}
