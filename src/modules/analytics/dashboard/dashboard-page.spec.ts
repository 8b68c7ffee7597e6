import Fastify from 'fastify';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountDashboard } from './dashboard-page';

describe('mountDashboard', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dashboard-page-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const serve = async (files: Record<string, string>) => {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const app = Fastify();
    mountDashboard(app, dir);
    await app.ready();
    return app;
  };

  it('serves the page (revalidated) and its hashed assets (a year), with ETags and 304s', async () => {
    const app = await serve({
      'index.html': '<!doctype html>',
      'dashboard-AB12.js': 'x()',
      'notes.txt': 'no',
    });
    const page = await app.inject({ url: '/admin/dashboard' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect((await app.inject({ url: '/admin/dashboard/' })).body).toBe('<!doctype html>');
    const script = await app.inject({ url: '/admin/dashboard/assets/dashboard-AB12.js' });
    expect(script.headers).toMatchObject({
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=31536000, immutable',
    });
    const again = await app.inject({
      url: '/admin/dashboard/assets/dashboard-AB12.js',
      headers: { 'if-none-match': String(script.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    // Only the bundle's own kinds of file, and the page only at its own URL.
    for (const name of ['notes.txt', 'index.html', '..%2Findex.html', 'nope.js'])
      expect((await app.inject({ url: `/admin/dashboard/assets/${name}` })).statusCode).toBe(404);
    await app.close();
  });

  it('answers 503 problem+json saying how to build it when there is no build', async () => {
    const app = await serve({});
    const page = await app.inject({ url: '/admin/dashboard' });
    expect(page.statusCode).toBe(503);
    expect(page.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(page.json()).toMatchObject({ status: 503, detail: expect.stringContaining('npm run build') });
    await app.close();
  });
});
