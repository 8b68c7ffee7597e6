import { TestApi, TestEnvironment } from '../support/test-environment';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { QUEUE_NAMES } from '../../src/bootstrap/queue-names';
import { AuthClient, createUser } from '../support/auth-client';
import { browserOrigin, describeInChromium, launchChromium, watch, type Watched } from '../support/browser';
import { CatalogAdmin } from '../support/catalog-client';
import { IdempotencyProbeModule } from '../support/idempotency-probe.module';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Some font of the system's (Chromium's fontconfig brings one), served as Google's IBM Plex. */
function anInstalledFont(): Buffer {
  const file = readdirSync('/usr/share/fonts', { recursive: true, encoding: 'utf8' }).find((name) =>
    name.endsWith('.ttf'),
  );
  if (!file) throw new Error('no .ttf font under /usr/share/fonts');
  return readFileSync(join('/usr/share/fonts', file));
}

/** Reads until the value is accepted or 5 s have passed; returns the last value read. */
async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Swagger UI renders a large document slowly on two shared cores: each step takes a second or two.
jest.setTimeout(60_000);

/** Whether the element shows up within 15 s (a blank page is then told by the problems it had). */
const visible = (locator: Locator): Promise<boolean> =>
  locator.waitFor({ timeout: 15_000 }).then(
    () => true,
    () => false,
  );

describeInChromium(
  __filename,
  'Swagger UI and Bull Board in Chromium, over plain http on a host that is not localhost',
  () => {
    let env: TestEnvironment;
    let api: TestApi;
    let browser: Browser;
    let origin: string;
    let boardKey: string;
    const contexts: BrowserContext[] = [];

    beforeAll(async () => {
      env = await TestEnvironment.create();
      api = await env.startApi([IdempotencyProbeModule]);
      origin = browserOrigin(api.baseUrl);
      const client = new AuthClient(api.baseUrl);
      const admin = await createUser(client, api.app.get(DataSource), { role: 'admin' });
      const catalog = new CatalogAdmin(client, admin.tokens.accessToken);
      for (const title of ['Leather belt', 'Linen shirt', 'Wool scarf'])
        await catalog.createProduct({ title });
      boardKey = (
        await client.post<{ key: string }>(
          '/v1/admin/api-keys',
          { name: 'board', scopes: ['queues:manage'] },
          admin.tokens.accessToken,
        )
      ).body.key;
      browser = await launchChromium();
    }, 60_000);
    afterAll(async () => {
      for (const context of contexts) await context.close();
      await browser?.close();
      await env?.cleanup();
    });

    async function open(path: string, options: Parameters<Browser['newContext']>[0] = {}) {
      const context = await browser.newContext(options);
      context.setDefaultTimeout(15_000);
      contexts.push(context);
      const page = await context.newPage();
      const watched = await watch(page);
      const response = await page.goto(`${origin}${path}`);
      return { page, watched, response };
    }

    /** The block of one operation, expanded, in "Try it out" mode. */
    async function tryOut(page: Page, method: string, path: string): Promise<Locator> {
      const block = page.locator(`.opblock-${method}`, { has: page.locator(`[data-path="${path}"]`) });
      await block.locator('.opblock-summary').first().click();
      await block.locator('.try-out__btn').click();
      return block;
    }
    const field = (block: Locator, name: string, place: 'query' | 'header') =>
      block.locator(`tr[data-param-name="${name}"][data-param-in="${place}"] input`);

    describe('Swagger UI at /docs', () => {
      let page: Page;
      let watched: Watched;

      let rendered: boolean;

      beforeAll(async () => {
        // A tall window: with more than ~125 operations, Chromium 156 headless on a plain-http page of a
        // host other than localhost (not a secure context) leaves all but the first few operations
        // unrendered in a 1280×720 window, and scrolling does not bring them (seen 2026-12-07; on
        // 127.0.0.1, or in a tall window, all render). Open point in the stop note; the page's CSP,
        // assets and "Try it out" are what this suite checks.
        ({ page, watched } = await open('/docs', { viewport: { width: 1280, height: 60_000 } }));
        rendered = await visible(page.locator('.opblock').first());
      }, 180_000); // a 60,000-pixel page takes Chromium over a minute on a loaded 2-core box

      it('renders every operation with all its assets over http: no failure, no CSP violation', async () => {
        expect(page.url()).toBe(`${origin}/docs`);
        expect(watched.problems).toEqual([]);
        expect(rendered).toBe(true);
        expect(await page.locator('.opblock').count()).toBeGreaterThan(50);
      });

      it('lists all products from "Try it out" on GET /v1/products, and searches only when asked', async () => {
        const block = await tryOut(page, 'get', '/v1/products');
        expect(await field(block, 'q', 'query').inputValue()).toBe('');
        for (const input of await field(block, 'option', 'query').all())
          expect(await input.inputValue()).toBe('');

        const execute = async () => {
          const [response] = await Promise.all([
            page.waitForResponse((candidate) => new URL(candidate.url()).pathname === '/v1/products'),
            block.locator('.execute').click(),
          ]);
          const body = (await response.json()) as { data: Array<{ title: string }> };
          return {
            query: new URL(response.url()).searchParams,
            titles: body.data.map((product) => product.title),
          };
        };
        const all = await execute();
        expect([...all.query.keys()].filter((name) => name !== 'limit')).toEqual([]);
        expect(all.titles.sort()).toEqual(['Leather belt', 'Linen shirt', 'Wool scarf']);

        await field(block, 'q', 'query').fill('leather');
        const found = await execute();
        expect(found.query.get('q')).toBe('leather');
        expect(found.titles).toEqual(['Leather belt']);
        expect(watched.problems).toEqual([]);
      });

      it('leaves Idempotency-Key empty, sends a fresh key per Execute, and keeps a key the user typed', async () => {
        // The real routes show one empty field (the manual payment of the bug report among them).
        for (const route of ['/v1/admin/orders/{id}/payments', '/v1/orders/{id}/payments']) {
          const payment = await tryOut(page, 'post', route);
          await expect(field(payment, 'Idempotency-Key', 'header').inputValue()).resolves.toBe('');
          expect(
            await payment.locator('tr[data-param-in="header"]', { hasText: /idempotency-key/i }).count(),
          ).toBe(1);
        }

        const block = await tryOut(page, 'post', '/v1/idempotency-probe/effects');
        const key = field(block, 'Idempotency-Key', 'header');
        expect(await key.inputValue()).toBe('');
        const execute = async (body: object) => {
          await block.locator('textarea.body-param__text').fill(JSON.stringify(body));
          const [response] = await Promise.all([
            page.waitForResponse((candidate) => candidate.url().endsWith('/v1/idempotency-probe/effects')),
            block.locator('.execute').click(),
          ]);
          const sent = await response.request().headerValue('idempotency-key');
          return {
            status: response.status(),
            sent,
            replayed: await response.headerValue('idempotent-replayed'),
          };
        };

        const first = await execute({ name: 'first', amount: 1 });
        expect(first).toEqual({ status: 201, sent: expect.stringMatching(UUID_V4), replayed: null });
        expect(
          await eventually(
            () => key.inputValue(),
            (value) => value === '',
          ),
        ).toBe('');
        const second = await execute({ name: 'second', amount: 2 });
        expect(second).toEqual({ status: 201, sent: expect.stringMatching(UUID_V4), replayed: null });
        expect(second.sent).not.toBe(first.sent);
        // The curl command shows the key that went out, to retry with.
        expect(await block.locator('.curl-command').textContent()).toContain(second.sent);

        await key.fill(first.sent!);
        const retry = await execute({ name: 'first', amount: 1 });
        expect(retry).toEqual({ status: 201, sent: first.sent, replayed: 'true' });
        expect(await key.inputValue()).toBe(first.sent);
        expect(watched.problems).toEqual([]);
      });
    });

    describe('Bull Board at /admin/queues, for staff', () => {
      it('renders the queues with its scripts, styles and fonts: no failure, no CSP violation', async () => {
        const context = await browser.newContext({
          // The browser's Basic-auth prompt, answered with an API key (see queue-board.ts).
          httpCredentials: { username: 'staff', password: boardKey, origin, send: 'always' },
        });
        context.setDefaultTimeout(15_000);
        contexts.push(context);
        // Google Fonts is not reachable from tests: answer for it, so the fonts really load.
        const fonts: string[] = [];
        await context.route('https://fonts.googleapis.com/**', (route) => {
          fonts.push(route.request().url());
          return route.fulfill({
            contentType: 'text/css',
            body: "@font-face { font-family: 'IBM Plex Sans'; src: url(https://fonts.gstatic.com/s/ibmplexsans/stub.ttf); }",
          });
        });
        await context.route('https://fonts.gstatic.com/**', (route) => {
          fonts.push(route.request().url());
          return route.fulfill({ contentType: 'font/ttf', body: anInstalledFont() });
        });
        const page = await context.newPage();
        const watched = await watch(page);
        const response = await page.goto(`${origin}/admin/queues`);
        expect(response?.status()).toBe(200);
        const queues = await Promise.all(
          QUEUE_NAMES.map((name) => visible(page.getByText(name, { exact: true }).first())),
        );
        expect(watched.problems).toEqual([]);
        expect(queues.every(Boolean)).toBe(true);
        const fontLoaded = () => page.evaluate<boolean>(`document.fonts.check("16px 'IBM Plex Sans'")`);
        expect(await eventually(fontLoaded, Boolean)).toBe(true);
        expect(fonts).toEqual([
          expect.stringMatching(/^https:\/\/fonts\.googleapis\.com\/css2\?family=IBM\+Plex\+Sans/),
          'https://fonts.gstatic.com/s/ibmplexsans/stub.ttf',
        ]);
        expect(watched.problems).toEqual([]);
      });
    });
  },
);
