import { checkedFetch } from '@app/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { generate } from 'otplib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { SANDBOX_CARDS } from '../../src/modules/payments/providers/sandbox.provider';
import { buildDashboard, type DashboardBuild } from '../../scripts/dashboard/build-dashboard';
import { AuthClient, createUser, STRONG_PASSWORD } from '../support/auth-client';
import { browserOrigin, describeInChromium, launchChromium, watch, type Watched } from '../support/browser';
import { payWithCard } from '../support/payments-shop';
import { ShopAdmin, ShopClient, type Order } from '../support/shop-client';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { waitFor } from '../support/wait-for';

/** Where CI keeps the screenshot (.ci/run keeps reports/ after the run). */
const SCREENSHOT = resolve(__dirname, '../../reports/artifacts/dashboard.png');
const ORDER_PRICE = 2500;
/** Reports the page shows when the API has them (they land apart), and where it says they are not. */
const OPTIONAL_REPORTS = new Map([
  ['/v1/admin/reports/top-products', 'top-status'],
  ['/v1/admin/reports/stock', 'stock-status'],
]);

interface SalesRow {
  period: string;
  currency: string;
  ordersPlaced: number;
  net: number;
}
interface SalesReport {
  timeZone: string;
  data: SalesRow[];
  totals: Array<Omit<SalesRow, 'period'>>;
}
/** What Chart.js holds for the sales chart, read in the page. */
interface ChartData {
  labels: string[];
  datasets: Array<{ label: string; data: number[] }>;
}

const readChart = (page: Page): Promise<ChartData | null> =>
  page.evaluate<ChartData | null>(`(() => {
    const chart = window.Chart && window.Chart.getChart(document.getElementById('sales-chart'));
    return chart ? JSON.parse(JSON.stringify({ labels: chart.data.labels, datasets: chart.data.datasets.map((d) => ({ label: d.label, data: d.data })) })) : null;
  })()`);

jest.setTimeout(90_000);

describeInChromium(__filename, 'staff dashboard at /admin/dashboard in Chromium', () => {
  let built: DashboardBuild;
  let env: TestEnvironment;
  let api: TestApi;
  let worker: INestApplicationContext;
  let browser: Browser;
  let origin: string;
  let client: AuthClient;
  let admin: ShopAdmin;
  let shop: ShopClient;
  let variantId: string;
  /** A variant with nothing in stock: a stock alert. */
  let soldOutSku: string;
  let staff: { email: string; totpSecret: string; accessToken: string };
  const contexts: BrowserContext[] = [];
  const placed: Order[] = [];

  /** A guest order of `units` × 25.00, paid with a sandbox card (paid orders count as net sales). */
  async function placeOrder(units: number, pay: boolean): Promise<Order> {
    const started = await shop.newCart();
    await shop.add(started.cart.id, started.shopper, variantId, units);
    await shop.prepare(started.cart.id, started.shopper);
    const checkout = await shop.checkout(started.cart.id, started.shopper, randomUUID(), {
      paymentMethod: 'card',
    });
    if (checkout.status !== 201) throw new Error(checkout.text);
    const order = checkout.body;
    if (pay) {
      const payment = await payWithCard(shop, order.id, started.shopper, SANDBOX_CARDS.succeeds);
      if (payment.status >= 300) throw new Error(payment.text);
    }
    return order;
  }

  const sales = (from: string, to: string, token: string) =>
    client.get<SalesReport>(`/v1/admin/reports/sales?from=${from}&to=${to}&interval=day`, token);

  beforeAll(async () => {
    // The same build as `npm run build`, into a directory of this run (tests run from the sources).
    built = await buildDashboard(join(tmpdir(), `storekeep-dashboard-${process.pid}-${Date.now()}`));
    env = await TestEnvironment.create({
      http: { dashboardDir: built.outDir },
      rateLimit: { max: 1_000_000 },
    });
    api = await env.startApi();
    worker = await env.startWorker([], {
      payments: {
        sandboxWebhookUrl: `${api.baseUrl}/v1/payments/webhooks/sandbox`,
        sandboxSettleDelayMs: 100,
      },
    });
    origin = browserOrigin(api.baseUrl);
    const db = api.app.get(DataSource);
    client = new AuthClient(api.baseUrl);
    const owner = await createUser(client, db, { role: 'admin' });
    admin = new ShopAdmin(client, owner.tokens.accessToken);
    await admin.setUp();
    ({ variantId } = await admin.variantWithStock(1000, ORDER_PRICE));
    ({ sku: soldOutSku } = await admin.variantWithStock(0, ORDER_PRICE));
    shop = new ShopClient(api.baseUrl);

    // A staff member with MFA enrolled, as through /v1/me/mfa.
    const member = await createUser(client, db, { role: 'staff' });
    const enrol = await client.post<{ secret: string }>(
      '/v1/me/mfa',
      { password: STRONG_PASSWORD },
      member.tokens.accessToken,
    );
    const confirmed = await client.post<{ accessToken: string }>(
      '/v1/me/mfa/confirm',
      { code: await generate({ secret: enrol.body.secret }) },
      member.tokens.accessToken,
    );
    if (confirmed.status !== 200) throw new Error(`MFA enrolment failed: ${confirmed.text}`);
    staff = { email: member.email, totpSecret: enrol.body.secret, accessToken: confirmed.body.accessToken };

    // Sales for the chart: three paid orders (1, 2 and 3 units) and one left unpaid.
    for (const units of [1, 2, 3]) placed.push(await placeOrder(units, true));
    placed.push(await placeOrder(1, false));
    // The worker rolls the orders' events up; the report shows them once it has.
    const today = new Date().toISOString().slice(0, 10);
    await waitFor(
      async () => {
        const report = await sales(today, today, staff.accessToken);
        const eur = report.body?.totals?.find((total) => total.currency === 'EUR');
        return eur?.ordersPlaced === 4 && eur.net === paidTotal();
      },
      30_000,
      'the sales report to count the four orders and the three payments',
    );

    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await env?.cleanup();
    if (built) rmSync(built.outDir, { recursive: true, force: true });
    void worker;
  });

  /** Net sales: what the three paid orders' totals (lines, shipping, tax) add up to. */
  const paidTotal = () => placed.slice(0, 3).reduce((sum, order) => sum + order.totals.total, 0);

  /** The page in a fresh browser context; with `fakeClock`, the page's clock moves only when told. */
  async function open(fakeClock = false): Promise<{ page: Page; watched: Watched }> {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    const page = await context.newPage();
    if (fakeClock) await page.clock.install();
    // The event stream is cut when the page closes; nothing else may fail.
    const watched = await watch(page, (url) => url.includes('/v1/events?'));
    const response = await page.goto(`${origin}/admin/dashboard`);
    expect(response?.status()).toBe(200);
    return { page, watched };
  }

  async function signIn(page: Page, email: string, code?: () => Promise<string>): Promise<void> {
    await page.locator('#email').fill(email);
    await page.locator('#password').fill(STRONG_PASSWORD);
    await page.locator('#login-form button[type=submit]').click();
    if (!code) return;
    await page.locator('#mfa-code').waitFor();
    await page.locator('#mfa-code').fill(await code());
    await page.locator('#mfa-form button[type=submit]').click();
  }

  it('signs staff in with password and TOTP, charts the sales report, and shows a new order live within 2 s', async () => {
    const { page, watched } = await open();
    // MFA honoured: the password alone leads to the code field, not to the dashboard.
    await signIn(page, staff.email, () =>
      // The enrolment used the current step; the next one is within the drift window.
      generate({ secret: staff.totpSecret, epoch: Math.floor(Date.now() / 1000) + 30 }),
    );
    await page.locator('#dashboard').waitFor();

    // The chart's own data (Chart.js), against the API's numbers for the same range.
    await waitFor(
      async () => ((await readChart(page))?.datasets[0]?.data.length ?? 0) > 0,
      10_000,
      'the chart',
    );
    const chart = (await readChart(page))!;
    // The page asked for the chosen range and the one before it: the chart shows the later one.
    const [asked, before] = watched.requests
      .filter((url) => url.includes('/v1/admin/reports/sales?'))
      .map((url) => new URL(url).searchParams)
      .sort((a, b) => b.get('to')!.localeCompare(a.get('to')!));
    // The KPIs' comparison: the 30 days before the chosen 30, ending the day before they begin.
    const day = (date: string, days = 0) =>
      new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
    expect([asked.get('from'), asked.get('to')]).toEqual([day(asked.get('to')!, -29), asked.get('to')]);
    expect([before.get('from'), before.get('to')]).toEqual([
      day(asked.get('from')!, -30),
      day(asked.get('from')!, -1),
    ]);
    const report = await sales(asked.get('from')!, asked.get('to')!, staff.accessToken);
    expect(report.status).toBe(200);
    const eur = report.body.data.filter((row) => row.currency === 'EUR');
    expect(chart.labels).toEqual(eur.map((row) => row.period));
    expect(chart.datasets[0].data).toEqual(eur.map((row) => row.net));
    expect(chart.datasets[0].data.reduce((sum, net) => sum + net, 0)).toBe(paidTotal());
    expect(chart.datasets[0].data.some((net) => net > 0)).toBe(true);
    await expect(page.locator('[data-kpi="ordersPlaced"] .value').textContent()).resolves.toBe('4');

    // The tables, where the API has their reports (top products and stock land apart from sales).
    const served = (path: string) =>
      watched.requests.some((url) => url.includes(`${path}?`) || url.endsWith(path)) &&
      !watched.notFound.some((url) => new URL(url).pathname === path);
    const topUrl = watched.requests.filter((url) => url.includes('/v1/admin/reports/top-products?')).at(-1);
    if (topUrl && served('/v1/admin/reports/top-products')) {
      const { pathname, search } = new URL(topUrl);
      const top = await client.get<{ data: Array<{ rank: number; productName: string; units: number }> }>(
        `${pathname}${search}`,
        staff.accessToken,
      );
      expect(top.body.data.map((row) => row.units)).toEqual([6]);
      await page.locator('#top-products tbody tr').first().waitFor();
      const rows: string[][] = [];
      for (const row of await page.locator('#top-products tbody tr').all())
        rows.push((await row.locator('td').allTextContents()).slice(0, 3));
      expect(rows).toEqual(
        top.body.data.map((row) => [String(row.rank), row.productName, String(row.units)]),
      );
    }
    if (served('/v1/admin/reports/stock')) {
      const alert = page.locator('#stock-alerts tbody tr', { hasText: soldOutSku });
      await alert.waitFor();
      await expect(alert.locator('.badge').textContent()).resolves.toBe('sold-out');
    }

    // The live feed is open (its `ready` event came): a new order shows up without a reload.
    await page.locator('#live-status', { hasText: 'live' }).waitFor();
    const started = Date.now();
    const order = await placeOrder(1, false);
    const placedIn = Date.now() - started;
    await page.locator(`#live-orders [data-order-id="${order.id}"]`).waitFor({ timeout: 10_000 });
    const latency = Date.now() - started;
    process.stdout.write(
      `dashboard: order ${order.number} on the page ${latency} ms after its checkout began (checkout took ${placedIn} ms)\n`,
    );
    expect(latency).toBeLessThan(2_000);
    await expect(page.locator(`[data-order-id="${order.id}"] strong`).textContent()).resolves.toBe(
      order.number,
    );

    mkdirSync(resolve(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    process.stdout.write(`dashboard: screenshot saved to ${SCREENSHOT}\n`);

    // Everything came from the API's own origin (no CDN), and nothing failed or broke the CSP.
    expect(
      watched.requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:')),
    ).toEqual([]);
    // A report this server does not have yet is "not available" on the page, and nothing else is missing.
    const missing = watched.notFound.map((url) => new URL(url).pathname);
    expect(missing.filter((path) => !OPTIONAL_REPORTS.has(path))).toEqual([]);
    for (const path of new Set(missing))
      await expect(page.locator(`#${OPTIONAL_REPORTS.get(path)}`).textContent()).resolves.toMatch(
        /not available/,
      );
    const notFoundLogged = (problem: string) => problem.includes('status of 404');
    expect(watched.problems.filter(notFoundLogged)).toHaveLength(missing.length);
    expect(watched.problems.filter((problem) => !notFoundLogged(problem))).toEqual([]);
  });

  it('tells a customer account that it lacks the reports:read permission', async () => {
    const customer = await createUser(client, api.app.get(DataSource));
    const { page, watched } = await open();
    await signIn(page, customer.email);
    await page.locator('#denied').waitFor();
    await expect(page.locator('#denied-message').textContent()).resolves.toContain('reports:read');
    expect(await page.locator('#dashboard').isVisible()).toBe(false);
    expect(watched.problems).toEqual([]);
  });

  it('refreshes an expired access token by itself and keeps the tokens out of storage', async () => {
    const member = await createUser(client, api.app.get(DataSource), { role: 'staff' });
    const { page, watched } = await open(true);
    await signIn(page, member.email);
    await page.locator('#dashboard').waitFor();
    await waitFor(
      async () => ((await readChart(page))?.datasets[0]?.data.length ?? 0) > 0,
      10_000,
      'the chart',
    );
    const stored = await page.evaluate<string>(
      `JSON.stringify([Object.keys(localStorage), Object.keys(sessionStorage), document.cookie])`,
    );
    expect(stored).toBe('[[],[],""]');

    // Past the access token's life (900 s): the next request first exchanges the refresh token.
    await page.clock.fastForward('16:00');
    const refreshed = page.waitForResponse((response) => response.url().endsWith('/v1/auth/refresh'));
    const reloaded = page.waitForResponse(
      (response) => response.url().includes('/v1/admin/reports/sales?') && response.status() === 200,
    );
    await page.locator('#refresh').click();
    expect((await refreshed).status()).toBe(200);
    await reloaded;
    expect(await page.locator('#dashboard').isVisible()).toBe(true);
    expect(watched.requests.filter((url) => url.endsWith('/v1/auth/refresh'))).toHaveLength(1);
    expect(watched.problems.filter((problem) => !problem.includes('status of 404'))).toEqual([]);
  });

  it('serves the page and its hashed assets cacheably, and 404s an unknown asset', async () => {
    const page = await checkedFetch(`${api.baseUrl}/admin/dashboard`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    const script = `/admin/dashboard/assets/${built.script}`;
    expect(html).toContain(`src="${script}"`);
    const asset = await checkedFetch(`${api.baseUrl}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const etag = asset.headers.get('etag')!;
    await asset.arrayBuffer();
    const again = await checkedFetch(`${api.baseUrl}${script}`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const missing = await checkedFetch(`${api.baseUrl}/admin/dashboard/assets/nope.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
  });
});
