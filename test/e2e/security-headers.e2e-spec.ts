import { AppConfig } from '@app/config';
import { checkedFetch } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { createHttpApp } from '../../src/bootstrap/http-app';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDashboard } from '../../scripts/dashboard/build-dashboard';
import { AuthClient, createUser } from '../support/auth-client';

const HSTS = 'max-age=31536000; includeSubDomains';
const API_CSP = "default-src 'none';frame-ancestors 'none'";

/** The CSP of a response as directive → sources. */
function csp(response: Response): Map<string, string> {
  const header = response.headers.get('content-security-policy') ?? '';
  return new Map(
    header
      .split(';')
      .map((directive) => directive.trim())
      .filter(Boolean)
      .map((directive) => {
        const [name, ...sources] = directive.split(/\s+/);
        return [name, sources.join(' ')] as const;
      }),
  );
}

/**
 * HSTS, `upgrade-insecure-requests`, COOP and Origin-Agent-Cluster only on requests that came over
 * https (TLS here, or X-Forwarded-Proto from a trusted proxy), whatever NODE_ENV says: over plain
 * http the browser would send every asset of Swagger UI and the queue board to https, where nothing
 * answers.
 */
describe('Security headers over plain http and behind a TLS proxy', () => {
  let env: TestEnvironment;
  let development: TestApi;
  let production: { app: NestFastifyApplication; baseUrl: string };
  let boardKey: string;

  let dashboardDir: string;
  let dashboardScript: string;

  beforeAll(async () => {
    // The dashboard page as `npm run build` makes it (tests run from the sources).
    const dashboard = await buildDashboard(
      join(tmpdir(), `storekeep-dashboard-${process.pid}-${Date.now()}`),
    );
    dashboardDir = dashboard.outDir;
    dashboardScript = `/admin/dashboard/assets/${dashboard.script}`;
    env = await TestEnvironment.create({ http: { dashboardDir } });
    development = await env.startApi();
    // NODE_ENV=production behind a proxy it trusts (docker-compose's nginx; a TLS terminator).
    const app = await createHttpApp(
      new AppConfig({ ...env.config, env: 'production', http: { ...env.config.http, trustProxy: true } }),
    );
    await app.listen(0, '127.0.0.1');
    production = {
      app,
      baseUrl: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`,
    };
    const client = new AuthClient(development.baseUrl);
    const admin = await createUser(client, development.app.get(DataSource), { role: 'admin' });
    boardKey = (
      await client.post<{ key: string }>(
        '/v1/admin/api-keys',
        { name: 'board', scopes: ['queues:manage'] },
        admin.tokens.accessToken,
      )
    ).body.key;
  });
  afterAll(async () => {
    await production?.app.close();
    await env.cleanup();
    rmSync(dashboardDir, { recursive: true, force: true });
  });

  const get = (baseUrl: string, path: string, headers: Record<string, string> = {}) =>
    checkedFetch(`${baseUrl}${path}`, { headers: { 'x-api-key': boardKey, ...headers } });
  const overTls = { 'x-forwarded-proto': 'https' };

  describe('over plain http (development; or production without TLS, e.g. compose on a LAN)', () => {
    it.each([
      ['development', () => development.baseUrl, {}],
      ['production, proxy on http', () => production.baseUrl, { 'x-forwarded-proto': 'http' }],
      ['development, client claims https (proxy not trusted)', () => development.baseUrl, overTls],
    ])('%s: no HSTS, no upgrade-insecure-requests, no COOP or OAC', async (_name, baseUrl, headers) => {
      for (const path of [
        '/health/live',
        '/v1/products',
        '/docs',
        '/docs/swagger-ui.css',
        '/admin/queues',
        '/admin/dashboard',
      ]) {
        const response = await get(baseUrl(), path, headers);
        expect({ path, status: response.status }).toEqual({ path, status: 200 });
        expect({ path, hsts: response.headers.get('strict-transport-security') }).toEqual({
          path,
          hsts: null,
        });
        expect({ path, upgrade: csp(response).has('upgrade-insecure-requests') }).toEqual({
          path,
          upgrade: false,
        });
        expect(response.headers.get('cross-origin-opener-policy')).toBeNull();
        expect(response.headers.get('origin-agent-cluster')).toBeNull();
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      }
    });

    it('keeps the strict JSON policy on API responses and the page policies on the two consoles', async () => {
      for (const path of ['/health/live', '/v1/products', '/docs-json']) {
        const response = await get(development.baseUrl, path);
        expect(response.headers.get('content-security-policy')).toBe(API_CSP);
        expect(response.headers.get('x-frame-options')).toBe('DENY');
      }
      const docs = csp(await get(development.baseUrl, '/docs'));
      expect(docs.get('default-src')).toBe("'self'");
      expect(docs.get('script-src')).toBe("'self' 'unsafe-inline'");
      expect(docs.get('object-src')).toBe("'none'");
      const board = csp(await get(development.baseUrl, '/admin/queues'));
      expect(board.get('default-src')).toBe("'self'");
      expect(board.get('script-src')).toBe("'self'");
      expect(board.get('style-src')).toBe("'self' 'unsafe-inline' https://fonts.googleapis.com");
      expect(board.get('font-src')).toBe("'self' https://fonts.gstatic.com");
    });

    it('gives the dashboard page and its assets a strict page policy: nothing inline, nothing from elsewhere', async () => {
      for (const path of ['/admin/dashboard', '/admin/dashboard/', dashboardScript]) {
        const response = await get(development.baseUrl, path);
        expect({ path, status: response.status }).toEqual({ path, status: 200 });
        expect(Object.fromEntries(csp(response))).toEqual({
          'default-src': "'self'",
          'script-src': "'self'",
          'script-src-attr': "'none'",
          'style-src': "'self'",
          'img-src': "'self' data:",
          'connect-src': "'self'",
          'font-src': "'self'",
          'object-src': "'none'",
          'base-uri': "'none'",
          'form-action': "'self'",
          'frame-ancestors': "'none'",
        });
        expect(response.headers.get('x-frame-options')).toBe('DENY');
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      }
      // A longer name under /admin is not the dashboard: the JSON API's policy.
      const other = await get(development.baseUrl, '/admin/dashboards');
      expect(other.headers.get('content-security-policy')).toBe(API_CSP);
    });
  });

  describe('behind a trusted TLS proxy (X-Forwarded-Proto: https), production', () => {
    it('sends HSTS on every response and the strict JSON CSP on the API', async () => {
      for (const path of ['/health/live', '/v1/products', '/docs-json']) {
        const response = await get(production.baseUrl, path, overTls);
        expect(response.status).toBe(200);
        expect(response.headers.get('strict-transport-security')).toBe(HSTS);
        expect(response.headers.get('content-security-policy')).toBe(API_CSP);
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      }
    });

    it('makes Swagger UI, the queue board and the dashboard upgrade every subresource to https', async () => {
      for (const path of ['/docs', '/docs/swagger-ui-init.js', '/admin/queues']) {
        const response = await get(production.baseUrl, path, overTls);
        expect({ path, status: response.status }).toEqual({ path, status: 200 });
        expect(response.headers.get('strict-transport-security')).toBe(HSTS);
        const policy = csp(response);
        expect({ path, upgrade: policy.get('upgrade-insecure-requests') }).toEqual({ path, upgrade: '' });
        expect(policy.get('default-src')).toBe("'self'");
        expect(policy.get('frame-ancestors')).toBe("'self'");
        expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
        expect(response.headers.get('origin-agent-cluster')).toBe('?1');
      }
      for (const path of ['/admin/dashboard', dashboardScript]) {
        const response = await get(production.baseUrl, path, overTls);
        expect({ path, status: response.status }).toEqual({ path, status: 200 });
        expect(response.headers.get('strict-transport-security')).toBe(HSTS);
        const policy = csp(response);
        expect({ path, upgrade: policy.get('upgrade-insecure-requests') }).toEqual({ path, upgrade: '' });
        expect(policy.get('script-src')).toBe("'self'");
        expect(policy.get('frame-ancestors')).toBe("'none'");
        expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      }
    });
  });
});
