import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export const DOCS_PATH = 'docs';
export const DOCS_JSON_PATH = 'docs-json';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Storekeep API')
    .setDescription(
      'Headless commerce back end. Errors are RFC 9457 `application/problem+json`; lists take `limit` and an ' +
        'opaque `cursor`; money is integer minor units with an ISO 4217 currency. Every response carries ' +
        '`X-Request-Id` (send your own to correlate). People authenticate with `Authorization: Bearer <access ' +
        'token>` from /v1/auth/login; servers with an API key (`Authorization: Bearer sk_…` or `X-Api-Key`).',
    )
    .setVersion('1')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token' },
      'bearer',
    )
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'API key (`sk_…`) for servers' },
      'api-key',
    )
    .addTag('ops', 'Health, readiness and metrics')
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Swagger UI at /docs and the OpenAPI 3 JSON at /docs-json. */
export function setupSwagger(app: INestApplication): OpenAPIObject {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: DOCS_JSON_PATH,
    yamlDocumentUrl: 'docs-yaml',
    customSiteTitle: 'Storekeep API',
    swaggerOptions: { persistAuthorization: true },
  });
  return document;
}
