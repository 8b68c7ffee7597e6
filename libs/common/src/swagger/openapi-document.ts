import type { OpenAPIObject } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { PROBLEM_CONTENT_TYPE } from '../http/problem-details';
import { PROBLEM_DESCRIPTIONS } from './api-problem-responses.decorator';

/**
 * The one place where the document @nestjs/swagger generates becomes the published contract
 * (OpenAPI 3.1), so that standard tools (ajv, Prism, openapi-typescript, Redocly) read it as the API
 * behaves — instead of fixing each of ~130 DTOs by hand:
 * - `nullable` (an OpenAPI 3.0 keyword; beside `allOf: [$ref]` validators ignore it and refuse null)
 *   becomes JSON Schema: `type: [T, 'null']`, or `anyOf: [{$ref}, {type: 'null'}]`;
 * - `number` becomes `integer` unless a DTO says `format: 'double'`/`'float'`: money is integer
 *   minor units, and so are quantities, versions, positions and basis points;
 * - path parameters are opaque ids (`pattern`, `maxLength` — no uuid claim);
 * - every problem response is a shared `components.responses` entry (one description per status),
 *   and the statuses any operation can answer are added where they apply: 400/413/415 where a body may
 *   be sent (a JSON body, or any POST/PUT/PATCH/DELETE: Fastify parses a body before the route runs),
 *   400 also with a query or a path id (an undecodable path segment is `malformed-url`),
 *   401/403 with credentials, 404 with a path id, 422 with a cursor, 429 under /v1 (the global rate limit), and
 *   414/431/500/503 everywhere (the HTTP server itself, or a dependency down);
 * - tag names lose their punctuation (`admin: audit` → `Admin audit`: anchors in rendered docs);
 * - an empty response description gets the status text; a `servers` entry is added.
 */
export function finalizeOpenApiDocument(document: OpenAPIObject): OpenAPIObject {
  const doc = document as unknown as Document;
  doc.openapi = OPENAPI_VERSION;
  doc.servers = doc.servers?.length
    ? doc.servers
    : [{ url: '/', description: 'The server this document is served from' }];
  doc.components ??= {};
  doc.components.schemas ??= {};
  for (const schema of Object.values(doc.components.schemas)) toJsonSchema(schema);
  doc.components.responses = { ...doc.components.responses, ...problemResponses() };

  const tags = new Map<string, string | undefined>();
  for (const tag of doc.tags ?? []) tags.set(tagName(tag.name), tag.description);
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      finalizeOperation(path, method, operation as Operation);
      for (const tag of (operation as Operation).tags ?? []) if (!tags.has(tag)) tags.set(tag, undefined);
    }
  }
  doc.tags = [...tags].map(([name, description]) => ({
    name,
    description: description ?? `${name} operations`,
  }));
  return document;
}

export const OPENAPI_VERSION = '3.1.0';

/** Security scheme names (`components.securitySchemes`): a guest's cart and order secrets. */
export const CART_TOKEN_SCHEME = 'cartToken';
export const ORDER_TOKEN_SCHEME = 'orderToken';
/** The Prometheus scraper's `Authorization: Bearer <METRICS_TOKEN>` (/metrics only). */
export const METRICS_TOKEN_SCHEME = 'metricsToken';

/** Shared error responses, by status (`#/components/responses/<name>`). */
export const PROBLEM_RESPONSE_NAMES: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  412: 'PreconditionFailed',
  413: 'ContentTooLarge',
  414: 'UriTooLong',
  415: 'UnsupportedMediaType',
  422: 'UnprocessableContent',
  429: 'TooManyRequests',
  431: 'RequestHeaderFieldsTooLarge',
  500: 'InternalServerError',
  503: 'ServiceUnavailable',
};

/** Path parameters are opaque: letters, digits, `-` and `_` (uuids, slugs, order numbers). */
export const PATH_ID_PATTERN = '^[A-Za-z0-9_-]+$';
export const PATH_ID_MAX_LENGTH = 100;

const PATH_PARAMETER_DESCRIPTIONS: Record<string, string> = {
  idOrSlug: 'The product’s opaque id or its slug',
  provider: 'The payment provider (`sandbox`, `stripe`)',
};

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);
/** Methods whose requests Fastify reads a body for (RFC 9110 gives GET and HEAD bodies no meaning). */
const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete']);
const PROBLEM_SCHEMA_REF = '#/components/schemas/ProblemDetailsDto';

type Schema = Record<string, unknown> & {
  type?: string | string[];
  nullable?: boolean;
  format?: string;
  $ref?: string;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
};
type MediaType = { schema?: Schema };
type Response = { description?: string; content?: Record<string, MediaType>; $ref?: string };
type Parameter = { name: string; in: string; required?: boolean; schema?: Schema; description?: string };
type Operation = {
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, MediaType> };
  responses: Record<string, Response>;
  security?: Record<string, string[]>[];
};
type Document = {
  openapi: string;
  servers?: { url: string; description?: string }[];
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, unknown>>;
  components?: {
    schemas?: Record<string, Schema>;
    responses?: Record<string, unknown>;
    securitySchemes?: Record<string, unknown>;
  };
};

function finalizeOperation(path: string, method: string, operation: Operation): void {
  operation.tags = operation.tags?.map(tagName);
  for (const parameter of operation.parameters ?? []) {
    if (parameter.schema) toJsonSchema(parameter.schema);
    if (parameter.in === 'path') {
      parameter.schema = {
        ...(parameter.schema?.enum ? parameter.schema : {}),
        type: 'string',
        ...(parameter.schema?.enum ? {} : { pattern: PATH_ID_PATTERN }),
        minLength: 1,
        maxLength: PATH_ID_MAX_LENGTH,
      };
      parameter.description ??=
        PATH_PARAMETER_DESCRIPTIONS[parameter.name] ?? 'Opaque id; unknown (or not yours): 404';
    }
  }
  for (const media of Object.values(operation.requestBody?.content ?? {}))
    if (media.schema) toJsonSchema(media.schema);

  // Security: explicit everywhere (`[{}]` = anonymous, from @Public()); duplicates dropped.
  const seen = new Set<string>();
  operation.security = (operation.security ?? [{}]).filter((requirement) => {
    const key = JSON.stringify(requirement);
    return seen.has(key) ? false : (seen.add(key), true);
  });

  const statuses = new Set(Object.keys(operation.responses));
  const add = (status: number): void => void statuses.add(String(status));
  const hasBody = Boolean(operation.requestBody);
  // Fastify parses a body sent with POST, PUT, PATCH or DELETE before the route runs, whether or not
  // the operation reads one: a malformed, oversized or non-JSON body is 400, 413 or 415 on any of them.
  const mayCarryBody = hasBody || BODY_METHODS.has(method);
  const hasQuery = (operation.parameters ?? []).some((parameter) => parameter.in === 'query');
  const hasPathId = (operation.parameters ?? []).some((parameter) => parameter.in === 'path');
  const needsCredentials = operation.security.some((requirement) => Object.keys(requirement).length > 0);
  // 403 (a missing permission, an API key on a route for people) needs a person or a key; the
  // metrics token is all or nothing.
  const checksPermissions = operation.security.some((requirement) =>
    Object.keys(requirement).some((scheme) => scheme !== METRICS_TOKEN_SCHEME),
  );
  // A path id that does not percent-decode (`%ED%A0%80`) is 400 `malformed-url`.
  if (mayCarryBody || hasQuery || hasPathId) add(400);
  if (mayCarryBody) [413, 415].forEach(add);
  // A cursor this API did not issue for the list is 422 (`invalid-cursor`).
  if (
    (operation.parameters ?? []).some((parameter) => parameter.in === 'query' && parameter.name === 'cursor')
  )
    add(422);
  // Credentials sent must be valid (401); an API key on a route for people, or a missing permission, is 403.
  if (needsCredentials) add(401);
  if (checksPermissions) add(403);
  if (hasPathId) add(404);
  if (path.startsWith('/v1/')) add(429);
  [414, 431, 500, 503].forEach(add);

  const responses: Record<string, Response> = {};
  for (const status of [...statuses].sort()) {
    const response = operation.responses[status] ?? {};
    const code = Number(status);
    if (PROBLEM_RESPONSE_NAMES[code] && isProblemOnly(response)) {
      responses[status] = { $ref: `#/components/responses/${PROBLEM_RESPONSE_NAMES[code]}` };
      continue;
    }
    for (const media of Object.values(response.content ?? {})) if (media.schema) toJsonSchema(media.schema);
    response.description = oneDescription(response.description) || STATUS_CODES[code] || status;
    responses[status] = response;
  }
  operation.responses = responses;
}

function isProblemOnly(response: Response): boolean {
  const types = Object.keys(response.content ?? {});
  return (
    types.length === 0 ||
    (types.length === 1 &&
      types[0] === PROBLEM_CONTENT_TYPE &&
      response.content![PROBLEM_CONTENT_TYPE].schema?.$ref === PROBLEM_SCHEMA_REF)
  );
}

/** Nest joins the descriptions of a status declared twice (class and method) with a blank line. */
function oneDescription(description: string | undefined): string | undefined {
  const parts = [...new Set((description ?? '').split('\n\n').map((part) => part.trim()))].filter(Boolean);
  return parts.join('\n\n') || undefined;
}

function problemResponses(): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(PROBLEM_RESPONSE_NAMES).map(([status, name]) => [
      name,
      {
        description: PROBLEM_DESCRIPTIONS[Number(status)] ?? STATUS_CODES[Number(status)],
        ...(status === '429' || status === '503'
          ? {
              headers: {
                'Retry-After': {
                  description: 'Seconds to wait before trying again',
                  schema: { type: 'integer', minimum: 0 },
                },
              },
            }
          : {}),
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: PROBLEM_SCHEMA_REF } } },
      },
    ]),
  );
}

/** `admin: api keys` → `Admin api keys`. */
export function tagName(name: string): string {
  const words = name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Rewrites an OpenAPI 3.0 schema (as @nestjs/swagger emits it) into 3.1 JSON Schema, in place. */
export function toJsonSchema(schema: Schema): void {
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) schema[key]?.forEach(toJsonSchema);
  if (schema.items) toJsonSchema(schema.items);
  for (const property of Object.values(schema.properties ?? {})) toJsonSchema(property);
  if (typeof schema.additionalProperties === 'object') toJsonSchema(schema.additionalProperties);

  if (schema.type === 'number' && schema.format !== 'double' && schema.format !== 'float')
    schema.type = 'integer';

  // A one-value boolean (`mfaRequired` of the login answers) is a JSON Schema `const`: it tells the
  // branches of a oneOf apart for validators and generators alike (an OpenAPI discriminator needs strings).
  if (schema.type === 'boolean' && schema.enum?.length === 1) {
    schema.const = schema.enum[0];
    delete schema.enum;
  }

  if (!schema.nullable) {
    delete schema.nullable;
    return;
  }
  delete schema.nullable;
  const reference =
    schema.$ref ?? (schema.allOf?.length === 1 && schema.allOf[0].$ref ? schema.allOf[0].$ref : undefined);
  if (reference) {
    delete schema.$ref;
    delete schema.allOf;
    delete schema.type;
    schema.anyOf = [{ $ref: reference }, { type: 'null' }];
    return;
  }
  if (typeof schema.type === 'string') schema.type = [schema.type, 'null'];
  if (schema.enum && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
}
