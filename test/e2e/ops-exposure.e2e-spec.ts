import { loadConfig } from '@app/config';
import { expectProblem, request } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';

/** What production answers on the ops routes: settings derived by loadConfig as a production start would. */
function productionHttp(extra: Record<string, string> = {}) {
  const { http } = loadConfig({
    NODE_ENV: 'production',
    DB_HOST: 'db',
    DB_NAME: 'shop',
    REDIS_HOST: 'cache',
    SMTP_HOST: 'mail',
    AUTH_JWT_SECRET: 'a-production-secret-of-at-least-32-characters',
    ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
    ...extra,
  });
  return { docsEnabled: http.docsEnabled, metrics: http.metrics };
}

describe('ops exposure: /metrics needs its token, /docs is off in production', () => {
  const token = 'prometheus-scrape-token-0123456789abcdef';
  let env: TestEnvironment;
  let withToken: TestApi;
  let production: TestApi;
  let productionWithDocs: TestApi;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    withToken = await env.startApi([], { http: productionHttp({ METRICS_TOKEN: token }) });
    production = await env.startApi([], { http: productionHttp() });
    productionWithDocs = await env.startApi([], { http: productionHttp({ DOCS_ENABLED: 'true' }) });
  });
  afterAll(() => env.cleanup());

  const scrape = (api: TestApi, authorization?: string) =>
    request(`${api.baseUrl}/metrics`, { headers: authorization ? { authorization } : {} });

  it('answers /metrics without the token 401 problem+json, and with a wrong one', async () => {
    const missing = await scrape(withToken);
    expectProblem(missing, 401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(missing.text).not.toContain('process_resident_memory_bytes');
    expectProblem(await scrape(withToken, `Bearer ${token.slice(0, -1)}x`), 401);
    expectProblem(await scrape(withToken, `Bearer ${token}-and-more`), 401);
    expectProblem(await scrape(withToken, `Basic ${token}`), 401);
  });

  it('serves /metrics with the token', async () => {
    const response = await scrape(withToken, `Bearer ${token}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(response.text).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it('does not serve /metrics in production without METRICS_TOKEN', async () => {
    expectProblem(await scrape(production), 404);
    expectProblem(await scrape(production, `Bearer ${token}`), 404);
  });

  it('serves no /docs or /docs-json in production by default', async () => {
    for (const path of ['/docs', '/docs-json'])
      expect((await request(`${production.baseUrl}${path}`)).status).toBe(404);
  });

  it('serves /docs and /docs-json in production with DOCS_ENABLED=true', async () => {
    expect((await request(`${productionWithDocs.baseUrl}/docs-json`)).status).toBe(200);
    expect((await request(`${productionWithDocs.baseUrl}/docs`)).status).toBe(200);
  });
});
