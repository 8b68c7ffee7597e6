import { requestIdFor } from '@app/common';
import { AppConfig } from '@app/config';
import helmet from '@fastify/helmet';
import { ModuleMetadata, VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { ApiModule } from './api.module';
import { DOCS_PATH, setupSwagger } from './swagger';

// The API serves JSON only: no script, frame or style may ever run from one of its responses.
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
// Swagger UI is an HTML page with inline styles and an inline bootstrap script.
const DOCS_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

export interface HttpAppOptions {
  /** Extra modules (tests add probe controllers this way). */
  imports?: NonNullable<ModuleMetadata['imports']>;
}

/** Builds the HTTP API, ready to listen: every cross-cutting HTTP convention is applied here. */
export async function createHttpApp(
  config: AppConfig,
  options: HttpAppOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    genReqId: requestIdFor,
    // On close: stop accepting, let in-flight requests finish, drop idle keep-alive sockets.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot(config, options.imports),
    adapter,
    {
      bufferLogs: true,
      abortOnError: false,
    },
  );
  app.useLogger(app.get(Logger));
  app.flushLogs();

  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  await app.register(helmet, { contentSecurityPolicy: false, crossOriginEmbedderPolicy: false });
  // Once closing, responses to in-flight requests tell the client to drop the connection: a
  // keep-alive socket that turns idle after close() began would otherwise hold the server open.
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const isDocs = request.url.startsWith(`/${DOCS_PATH}`);
    void reply.header('content-security-policy', isDocs ? DOCS_CSP : API_CSP);
    if (closing) void reply.header('connection', 'close');
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
  await app.init();
  return app;
}
