import SwaggerParser from '@apidevtools/swagger-parser';
import { checkedFetch, request } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';

type Parameter = {
  name: string;
  in: string;
  example?: unknown;
  examples?: unknown;
  schema?: { example?: unknown; examples?: unknown; items?: { example?: unknown } };
};
type Operation = {
  summary?: string;
  tags?: string[];
  responses?: Record<string, { description?: string; $ref?: string }>;
  parameters?: Parameter[];
  security?: Record<string, string[]>[];
};
type Schema = Record<string, unknown>;
type Document = {
  openapi: string;
  servers?: { url: string }[];
  tags?: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
  components?: {
    securitySchemes?: Record<string, { type: string; scheme?: string; in?: string; name?: string }>;
    schemas?: Record<string, Schema>;
    responses?: Record<string, { description?: string }>;
  };
};

/** Every schema object in the document, with a JSON pointer-ish path. */
function* schemasIn(value: unknown, path = '#'): Generator<[string, Schema]> {
  if (!value || typeof value !== 'object') return;
  if (!Array.isArray(value)) yield [path, value as Schema];
  for (const [key, child] of Object.entries(value)) yield* schemasIn(child, `${path}/${key}`);
}
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

describe('API documentation', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let document: Document;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    api = await env.startApi();
    document = (await request<Document>(`${api.baseUrl}/docs-json`)).body;
  });
  afterAll(() => env.cleanup());

  it('serves a valid OpenAPI 3 document', async () => {
    expect(document.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it('is OpenAPI 3.1 with JSON Schema nullability: no `nullable`, so no allOf + nullable pairs', () => {
    expect(document.openapi).toBe('3.1.0');
    const nullable = [...schemasIn(document)]
      .filter(([, schema]) => 'nullable' in schema)
      .map(([path]) => path);
    expect(nullable).toEqual([]);
    // A nullable reference is anyOf [$ref, null] (validators ignore keywords beside a lone allOf).
    expect(document.components?.schemas?.CartDto).toEqual(
      expect.objectContaining({
        properties: expect.objectContaining({
          shippingAddress: { anyOf: [{ $ref: '#/components/schemas/AddressDto' }, { type: 'null' }] },
        }),
      }),
    );
  });

  it('types money and quantities as integers: no `number` without a fractional format', () => {
    const numbers = [...schemasIn(document)]
      .filter(
        ([, schema]) =>
          schema.type === 'number' || (Array.isArray(schema.type) && schema.type.includes('number')),
      )
      .filter(([, schema]) => schema.format !== 'double' && schema.format !== 'float')
      .map(([path]) => path);
    expect(numbers).toEqual([]);
    const schemas = document.components?.schemas ?? {};
    const property = (name: string, field: string) =>
      (schemas[name]?.properties as Record<string, Schema> | undefined)?.[field];
    // Every money field is integer minor units (or an object whose `amount` is).
    const money =
      /^(amount|price|unitPrice|compareAtPrice|subtotal|discount|shipping|shippingTax|tax|total|rate|freeOver|minSubtotal|expectedTotal|capturedAmount|refundedAmount)$/;
    const isMoney = (schema: Schema): boolean => {
      const types = ([] as unknown[]).concat(schema.type ?? []);
      if (types.includes('integer')) return true;
      const target = typeof schema.$ref === 'string' ? schemas[schema.$ref.split('/').pop()!] : undefined;
      if (target) return isMoney((target.properties as Record<string, Schema>).amount ?? {});
      return ((schema.anyOf ?? schema.oneOf ?? []) as Schema[]).some(
        (option) => option.type !== 'null' && isMoney(option),
      );
    };
    const notMoney = Object.entries(schemas).flatMap(([name, schema]) =>
      Object.entries((schema.properties ?? {}) as Record<string, Schema>)
        .filter(([field, property]) => money.test(field) && !isMoney(property))
        .map(([field]) => `${name}.${field}`),
    );
    expect(notMoney).toEqual([]);
    expect(property('CartLineDto', 'quantity')).toEqual(expect.objectContaining({ type: 'integer' }));
    // Fields that used to be `{type: object}`: a typed client can set them.
    expect(property('CreateVariantDto', 'compareAtPrice')).toEqual(
      expect.objectContaining({ type: ['integer', 'null'] }),
    );
    expect(property('CreateCategoryDto', 'parentId')).toEqual(
      expect.objectContaining({ type: ['string', 'null'] }),
    );
  });

  it('tells the two login answers apart by their required fields', () => {
    const login = document.paths['/v1/auth/login'].post.responses?.['200'] as {
      content: Record<string, { schema: Schema }>;
    };
    expect(login.content['application/json'].schema).toEqual({
      oneOf: [
        { $ref: '#/components/schemas/TokensResponseDto' },
        { $ref: '#/components/schemas/MfaChallengeResponseDto' },
      ],
    });
    expect(document.components?.schemas?.MfaChallengeResponseDto?.required).toEqual([
      'mfaRequired',
      'mfaToken',
    ]);
    expect(document.components?.schemas?.TokensResponseDto?.required).toEqual(
      expect.arrayContaining(['mfaRequired', 'accessToken', 'refreshToken', 'expiresIn']),
    );
    // A JSON Schema discriminating union: `mfaRequired` is `const` in each branch.
    const branch = (name: string) =>
      (document.components?.schemas?.[name] as { properties: Record<string, Schema> }).properties.mfaRequired;
    expect(branch('TokensResponseDto')).toEqual(expect.objectContaining({ type: 'boolean', const: false }));
    expect(branch('MfaChallengeResponseDto')).toEqual(
      expect.objectContaining({ type: 'boolean', const: true }),
    );
  });

  it('declares the guest cart and order tokens as security schemes, alternatives to a bearer token', () => {
    expect(document.components?.securitySchemes).toEqual(
      expect.objectContaining({
        cartToken: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Cart-Token' }),
        orderToken: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Order-Token' }),
      }),
    );
    const security = (method: string, path: string) => document.paths[path][method].security;
    expect(security('get', '/v1/carts/{id}')).toEqual(
      expect.arrayContaining([{ bearer: [] }, { cartToken: [] }]),
    );
    expect(security('post', '/v1/carts')).toEqual(
      expect.arrayContaining([{ bearer: [] }, { cartToken: [] }, {}]),
    );
    for (const [method, path] of [
      ['get', '/v1/orders/{id}'],
      ['post', '/v1/orders/{id}/cancel'],
      ['post', '/v1/orders/{id}/payments'],
    ])
      expect([path, security(method, path)]).toEqual([
        path,
        expect.arrayContaining([{ bearer: [] }, { orderToken: [] }, { cartToken: [] }]),
      ]);
    // The tokens are no longer header parameters beside the schemes.
    const tokenParameters = Object.values(document.paths)
      .flatMap((item) => Object.values(item))
      .flatMap((operation) => operation.parameters ?? [])
      .filter((parameter) => /^x-(cart|order)-token$/i.test(parameter.name));
    expect(tokenParameters).toEqual([]);
  });

  it('documents, on every operation, security, 500, 414/431/503 and (under /v1) 429 as shared problems', () => {
    const gaps: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (!METHODS.includes(method)) continue;
        const route = `${method.toUpperCase()} ${path}`;
        if (!operation.security) gaps.push(`${route}: no security`);
        const expected = ['414', '431', '500', '503', ...(path.startsWith('/v1/') ? ['429'] : [])];
        for (const status of expected)
          if (!operation.responses?.[status]?.$ref) gaps.push(`${route}: ${status} not a shared response`);
        for (const [status, response] of Object.entries(operation.responses ?? {}))
          if (!response.$ref && !response.description?.trim())
            gaps.push(`${route}: ${status} has no description`);
        for (const parameter of operation.parameters ?? [])
          if (parameter.in === 'path' && !(parameter.schema as Schema | undefined)?.pattern)
            gaps.push(`${route}: path parameter ${parameter.name} has no pattern`);
      }
    }
    expect(gaps).toEqual([]);
    expect(document.servers?.length).toBeGreaterThan(0);
    expect(
      (document.tags ?? []).map(({ name }) => name).filter((name) => !/^[A-Za-z0-9 ]+$/.test(name)),
    ).toEqual([]);
  });

  it('declares bearer authentication', () => {
    expect(document.components?.securitySchemes?.bearer).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    );
  });

  it('documents every route with a summary, tags and its error responses', () => {
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, operation })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(3);
    const undocumented = operations
      .filter(({ operation }) => {
        const errors = Object.keys(operation.responses ?? {}).filter((status) => /^[45]\d\d$/.test(status));
        return !operation.summary || !operation.tags?.length || errors.length === 0;
      })
      .map(({ route }) => route);
    expect(undocumented).toEqual([]);
  });

  // Swagger UI fills a parameter's example into "Try it out": a filter example filtered every list
  // tried there (`option=colour:red&option=size:M` found no product), and one fixed Idempotency-Key
  // made the second payment recorded there a 422. The syntax goes in the description instead.
  it('pre-fills no query or header parameter with an example, and documents each header once', () => {
    const prefilled: string[] = [];
    const duplicated: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const headers = new Set<string>();
        for (const parameter of operation.parameters ?? []) {
          if (parameter.in === 'header') {
            if (headers.has(parameter.name.toLowerCase()))
              duplicated.push(`${method} ${path} ${parameter.name}`);
            headers.add(parameter.name.toLowerCase());
          }
          if (parameter.in !== 'query' && parameter.in !== 'header') continue;
          const { example, examples, schema } = parameter;
          if ([example, examples, schema?.example, schema?.examples, schema?.items?.example].some(Boolean))
            prefilled.push(`${method.toUpperCase()} ${path} ${parameter.in} ${parameter.name}`);
        }
      }
    }
    expect(prefilled).toEqual([]);
    expect(duplicated).toEqual([]);
  });

  it('serves Swagger UI at /docs', async () => {
    const response = await checkedFetch(`${api.baseUrl}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toContain('swagger-ui');
    // The page needs inline script and style; API responses keep the strict policy.
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self' 'unsafe-inline'/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const json = await checkedFetch(`${api.baseUrl}/docs-json`);
    expect(json.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
  });
});
