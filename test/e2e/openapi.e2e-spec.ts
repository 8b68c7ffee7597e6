import SwaggerParser from '@apidevtools/swagger-parser';
import { request, TestApi, TestEnvironment } from '@app/testing';

type Operation = { summary?: string; tags?: string[]; responses?: Record<string, unknown> };
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components?: { securitySchemes?: Record<string, { type: string; scheme?: string }> };
};
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

  it('serves Swagger UI at /docs', async () => {
    const response = await fetch(`${api.baseUrl}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toContain('swagger-ui');
    // The page needs inline script and style; API responses keep the strict policy.
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self' 'unsafe-inline'/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const json = await fetch(`${api.baseUrl}/docs-json`);
    expect(json.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
  });
});
