import {
  answerClientError,
  answerFrameworkError,
  depthLimitedJsonParser,
  JSON_MEDIA_TYPE,
  requestIdFor,
} from '@app/common';
import { AppConfig } from '@app/config';
import { ModuleMetadata, VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import { installRequestLogging } from '../logging/request-logging';
import { mountDashboard } from '../modules/analytics';
import { StorefrontHitsService } from '../modules/catalog';
import { HttpDrainService } from '../modules/health';
import { ApiModule } from './api.module';
import { mountQueueBoard } from './queue-board';
import { securityHeadersFor } from './security-headers';
import { setupSwagger } from './swagger';

export interface HttpAppOptions {
  /** Extra modules (tests add probe controllers this way). */
  imports?: NonNullable<ModuleMetadata['imports']>;
}

/** The headers every response carries: the security set for its URL and transport, and the request id. */
function perRequestHeaders(request: FastifyRequest): Record<string, string> {
  // `protocol` is https for TLS here or, from a trusted proxy, X-Forwarded-Proto: https.
  return {
    ...securityHeadersFor(request.url, request.protocol === 'https'),
    'x-request-id': String(request.id),
  };
}

/** Builds the HTTP API, ready to listen: every cross-cutting HTTP convention is applied here. */
export async function createHttpApp(
  config: AppConfig,
  options: HttpAppOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    // 414 (a path segment over maxParamLength) and a malformed URL are answered by the router before
    // any hook; 431 (request line and headers over Node's maxHeaderSize), 400 and 408 by Node's parser
    // before Fastify. All become problem+json with a request id and the security headers.
    frameworkErrors: answerFrameworkError(perRequestHeaders),
    clientErrorHandler: answerClientError(securityHeadersFor('/', false)),
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    genReqId: requestIdFor,
    // On close: stop accepting, let in-flight requests finish, drop idle keep-alive sockets.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // No Nest middleware is used (request logging is two Fastify hooks), so no middleware engine
    // (middie) needs to run on every request.
    skipMiddie: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot(config, options.imports),
    adapter,
    {
      bufferLogs: true,
      abortOnError: false,
      // Payment webhooks are verified over the exact bytes received (request.rawBody).
      rawBody: true,
      // The API takes JSON only: no form parser (a `curl -d` body is 415, not a form), and JSON
      // through a parser that refuses deep nesting and lone surrogates before parsing (below).
      bodyParser: false,
    },
  );
  const fastify = app.getHttpAdapter().getInstance();
  // Fastify's built-in text/plain parser would hand a string to every DTO: 415 instead.
  fastify.removeContentTypeParser('text/plain');
  app.useBodyParser(
    JSON_MEDIA_TYPE,
    { bodyLimit: config.http.bodyLimitBytes },
    depthLimitedJsonParser(fastify.getDefaultJsonParser('error', 'error')),
  );
  app.useLogger(app.get(Logger));
  app.flushLogs();
  installRequestLogging(app.getHttpAdapter().getInstance(), await app.resolve(PinoLogger));
  // Storefront reads this process already answered are repeated before Nest's pipeline (a preHandler:
  // the security, request-id, logging and CORS hooks have run).
  app.get(StorefrontHitsService, { strict: false }).install(app.getHttpAdapter().getInstance());

  // Once draining or closing, responses tell the client to drop the connection: a keep-alive socket
  // that turns idle after close() began would otherwise hold the server open (see HttpDrainService).
  const drain = app.get(HttpDrainService);
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  // One hook for every per-request header: each hook costs on the hottest path.
  fastify.addHook('onRequest', (request, reply, done) => {
    // The same headers as `perRequestHeaders`, without building an object per request.
    void reply.headers(securityHeadersFor(request.url, request.protocol === 'https'));
    void reply.header('x-request-id', request.id);
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (closing || drain.active) void reply.header('connection', 'close');
    done(null, payload);
  });
  if (config.http.corsOrigins) {
    app.enableCors({
      origin: config.http.corsOrigins === '*' ? true : config.http.corsOrigins,
      exposedHeaders: ['X-Request-Id', 'Retry-After', 'ETag', 'Location', 'Idempotent-Replayed'],
      maxAge: 600,
    });
  }
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
  if (config.http.docsEnabled) setupSwagger(app);
  await mountQueueBoard(app);
  mountDashboard(fastify, config.http.dashboardDir);
  await app.init();
  return app;
}
