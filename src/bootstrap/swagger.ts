import {
  CART_TOKEN_SCHEME,
  finalizeOpenApiDocument,
  METRICS_TOKEN_SCHEME,
  ORDER_TOKEN_SCHEME,
} from '@app/common';
import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { downloadUrlPlugin, idempotencyKeyPlugin } from './swagger-ui-plugins';

export const DOCS_PATH = 'docs';
export const DOCS_JSON_PATH = 'docs-json';

/** The one money shape of the API (invariant 6), as the document's description states it. */
export const MONEY_DESCRIPTION =
  '**Money.** Every amount is a JSON integer in minor units (cents for EUR, öre for SEK, yen for JPY): ' +
  '`4990` with `"currency": "EUR"` is 49.90 EUR. Each resource that carries money has one `currency` ' +
  'property (ISO 4217) naming the currency of all its amounts: a product (its `priceRange` and its ' +
  'variants’ `price` and `compareAtPrice`), a shipping method (`rate`, `freeOver`), a promotion (`amount`, ' +
  '`minSubtotal`), a cart and an order (line prices and totals), a payment and a refund. No amount is ' +
  'ever an object or a decimal. Amounts you send (variant prices, shipping rates, promotion amounts, ' +
  'refunds) are integers in the same minor units; their currency is the store’s.';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Storekeep API')
    .setDescription(
      'Headless commerce back end. Errors are RFC 9457 `application/problem+json`; lists take `limit` and an ' +
        'opaque `cursor`. Every response carries ' +
        '`X-Request-Id` (send your own to correlate). People authenticate with `Authorization: Bearer <access ' +
        'token>` from /v1/auth/login; servers with an API key (`Authorization: Bearer sk_…` or `X-Api-Key`); ' +
        'guests with the secret of their cart (`X-Cart-Token`, from `POST /v1/carts`) or order (`X-Order-Token`). ' +
        'Every operation may also answer 414, 431, 500 and 503, and every /v1 operation 429 (see `Retry-After`).' +
        '\n\n' +
        MONEY_DESCRIPTION,
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
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-Cart-Token',
        description: 'A guest cart’s secret, returned once by `POST /v1/carts` (carts and their checkout)',
      },
      CART_TOKEN_SCHEME,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-Order-Token',
        description: 'A guest order’s secret: the token of the cart it was placed from',
      },
      ORDER_TOKEN_SCHEME,
    )
    // addSecurity, not addBearerAuth: that one would call the token a JWT.
    .addSecurity(METRICS_TOKEN_SCHEME, {
      type: 'http',
      scheme: 'bearer',
      description: 'The Prometheus scraper’s `METRICS_TOKEN` (only /metrics)',
    })
    .addTag('ops', 'Health, readiness and metrics')
    .build();
  return finalizeOpenApiDocument(mergeHeaderParameters(SwaggerModule.createDocument(app, config)));
}

type Parameter = { name: string; in: string; required?: boolean; description?: string };

/**
 * Header names are case-insensitive, but Nest documents a handler's `@Headers('idempotency-key')`
 * apart from the route's `@ApiHeader({ name: 'Idempotency-Key' })`: Swagger UI then showed two
 * fields for one header. One parameter per header stays: the documented one (with a description).
 */
function mergeHeaderParameters(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item as Record<string, { parameters?: Parameter[] }>)) {
      if (!Array.isArray(operation?.parameters)) continue;
      const headers = new Map<string, Parameter>();
      for (const parameter of operation.parameters) {
        if (parameter.in !== 'header') continue;
        const name = parameter.name.toLowerCase();
        const kept = headers.get(name);
        if (!kept || (!kept.description && parameter.description)) headers.set(name, parameter);
        const required = Boolean(kept?.required) || Boolean(parameter.required);
        headers.get(name)!.required = required;
      }
      operation.parameters = operation.parameters.filter(
        (parameter) => parameter.in !== 'header' || headers.get(parameter.name.toLowerCase()) === parameter,
      );
    }
  }
  return document;
}

const servedDocuments = new WeakMap<INestApplication, OpenAPIObject>();

/** The document `app` serves at /docs-json (undefined with docs off): the e2e contract checks use it. */
export function servedOpenApiDocument(app: INestApplication): OpenAPIObject | undefined {
  return servedDocuments.get(app);
}

/** Swagger UI at /docs and the OpenAPI 3.1 JSON at /docs-json. */
export function setupSwagger(app: INestApplication): OpenAPIObject {
  const document = buildOpenApiDocument(app);
  servedDocuments.set(app, document);
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: DOCS_JSON_PATH,
    yamlDocumentUrl: 'docs-yaml',
    customSiteTitle: 'Storekeep API',
    swaggerOptions: {
      persistAuthorization: true,
      // Functions are serialized into the page's script (see swagger-ui-plugins.ts).
      plugins: [downloadUrlPlugin, idempotencyKeyPlugin],
    },
  });
  return document;
}
