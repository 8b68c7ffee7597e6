import { requestIdFor, securityHeaders } from '@app/common';
import { AppConfig } from '@app/config';
import { ModuleMetadata, VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import { installRequestLogging } from '../logging/request-logging';
import { StorefrontHits } from '../modules/catalog/storefront-hits';
import { ApiModule } from './api.module';
import { mountQueueBoard, QUEUE_BOARD_PATH } from './queue-board';
import { DOCS_PATH, setupSwagger } from './swagger';

// API responses are JSON: they get the OWASP REST set (HSTS, nosniff, no framing, a CSP under which
// nothing can run). The browser-page headers helmet adds for HTML (COOP, CORP, Origin-Agent-Cluster,
// X-DNS-Prefetch-Control, X-Download-Options, …) mean nothing on JSON and were half the bytes of a
// small response: they are kept for the Swagger UI page only.
const API_HEADERS = securityHeaders({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
  xFrameOptions: { action: 'deny' },
  crossOriginEmbedderPolicy: false,
  crossOriginOpenerPolicy: false,
  crossOriginResourcePolicy: false,
  originAgentCluster: false,
  referrerPolicy: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
});
// Swagger UI and Bull Board are HTML pages with inline styles and an inline bootstrap script.
const DOCS_HEADERS = securityHeaders({
  contentSecurityPolicy: {
    useDefaults: true,
    directives: {
      scriptSrc: ["'self'", "'unsafe-inline'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
    },
  },
  crossOriginEmbedderPolicy: false,
});

/** Swagger UI's page and assets (`/docs`, `/docs/…`), not the JSON document at `/docs-json`. */
const isDocsPage = (url: string): boolean =>
  url.startsWith(`/${DOCS_PATH}`) &&
  (url.length === DOCS_PATH.length + 1 || '/?'.includes(url[DOCS_PATH.length + 1]));

/** HTML pages for people (Swagger UI, the queue board) get the browser header set. */
const isBrowserPage = (url: string): boolean => isDocsPage(url) || url.startsWith(QUEUE_BOARD_PATH);

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
    },
  );
  app.useLogger(app.get(Logger));
  app.flushLogs();
  installRequestLogging(app.getHttpAdapter().getInstance(), await app.resolve(PinoLogger));
  // Storefront reads this process already answered are repeated before Nest's pipeline (a preHandler:
  // the security, request-id, logging and CORS hooks have run).
  app.get(StorefrontHits, { strict: false }).install(app.getHttpAdapter().getInstance());

  const fastify = app.getHttpAdapter().getInstance();
  // Once closing, responses to in-flight requests tell the client to drop the connection: a
  // keep-alive socket that turns idle after close() began would otherwise hold the server open.
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  // One hook for every per-request header: each hook costs on the hottest path.
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(isBrowserPage(request.url) ? DOCS_HEADERS : API_HEADERS);
    void reply.header('x-request-id', request.id);
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
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
  await mountQueueBoard(app);
  await app.init();
  return app;
}
