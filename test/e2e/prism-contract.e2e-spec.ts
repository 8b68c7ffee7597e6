import { extractLink, SmtpReceiver } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { generate } from 'otplib';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { servedOpenApiDocument } from '../../src/bootstrap/swagger';
import { SANDBOX_CARDS } from '../../src/modules/payments/providers/sandbox.provider';

/**
 * Stoplight Prism (a judge nobody here wrote) as a validating proxy with `--errors` in front of the
 * app: every request and every response of the journeys below is checked against the document the
 * API serves, and a violation makes Prism answer with its own problem (type
 * `https://stoplight.io/prism/errors#…`, header `sl-violations`) instead of the API's answer.
 *
 * What Prism answers itself by design, so that no API answer can be asserted through it: a request
 * that breaks the document (a missing credential → Prism's 401, a body the schema refuses → Prism's
 * 422, an undocumented content type → Prism's 415). Prism's proxy forwarder (prism-http
 * forwarder/index.js) turns every failed request validation into its own answer before forwarding,
 * whatever the document's responses say. Those cases are asserted to be Prism's own; the API's 400,
 * 401 and 415 are driven with requests the document accepts (a present but unknown token, a
 * schema-valid body the API refuses).
 */
describe('Prism proxy --errors in front of the API (issue 15)', () => {
  const password = 'Storekeep Prism passphrase 42';
  const suffix = randomBytes(4).toString('hex');
  let env: TestEnvironment;
  let receiver: SmtpReceiver;
  let api: TestApi;
  let prism: ChildProcess;
  let prismOutput = '';
  let prismUrl: string;
  let folder: string;
  let staffToken: string;
  const seen: Array<{ call: string; status: number }> = [];

  interface Through {
    status: number;
    headers: Headers;
    body: Record<string, unknown>;
    text: string;
  }

  /** One call through Prism; the body is sent as JSON unless a raw body and content type are given. */
  const through = async (
    method: string,
    path: string,
    options: {
      token?: string;
      headers?: Record<string, string>;
      body?: unknown;
      raw?: { body: string; contentType: string };
    } = {},
  ): Promise<Through> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.raw) {
      headers['content-type'] = options.raw.contentType;
      body = options.raw.body;
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const response = await fetch(`${prismUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = {}; // not JSON (a 413 from the body parser is still problem+json; nothing else here)
    }
    seen.push({ call: `${method} ${path}`, status: response.status });
    return { status: response.status, headers: response.headers, body: parsed, text };
  };

  /** The API's own answer, unchanged by Prism: the expected status, no violation reported. */
  const expectApi = (response: Through, status: number): Record<string, unknown> => {
    const reported = {
      status: response.status,
      violations: response.headers.get('sl-violations'),
      type: response.body.type,
      body: response.text.slice(0, 2_000),
    };
    expect(reported).toEqual(
      expect.objectContaining({ status, violations: null, type: expect.not.stringMatching(/stoplight/) }),
    );
    return response.body;
  };

  /** An answer Prism made itself, for a request the document refuses. */
  const expectPrism = (response: Through, status: number, error: string): void => {
    expect({ status: response.status, type: response.body.type }).toEqual({
      status,
      type: `https://stoplight.io/prism/errors#${error}`,
    });
  };

  const freePort = async (): Promise<number> => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    server.close();
    await once(server, 'close');
    return port;
  };

  beforeAll(async () => {
    env = await TestEnvironment.create();
    receiver = await SmtpReceiver.start();
    api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    await env.startWorker([], { mail: { host: '127.0.0.1', port: receiver.port, secure: false } });

    folder = mkdtempSync(join(tmpdir(), 'storekeep-prism-'));
    const documentPath = join(folder, 'openapi.json');
    writeFileSync(documentPath, JSON.stringify(servedOpenApiDocument(api.app)));
    const port = await freePort();
    prismUrl = `http://127.0.0.1:${port}`;
    // Prism's bin is a node script; run it with this test's node (Prism 5.16 needs node >= 24.18).
    prism = spawn(
      process.execPath,
      [
        resolve(__dirname, '../../node_modules/.bin/prism'),
        'proxy',
        documentPath,
        api.baseUrl,
        '--errors',
        '--port',
        String(port),
        '--host',
        '127.0.0.1',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } },
    );
    prism.stdout?.on('data', (chunk: Buffer) => (prismOutput += chunk.toString()));
    prism.stderr?.on('data', (chunk: Buffer) => (prismOutput += chunk.toString()));
    const deadline = Date.now() + 30_000;
    while (!/Prism is listening/.test(prismOutput)) {
      if (prism.exitCode !== null || Date.now() > deadline)
        throw new Error(`Prism did not start (exit ${prism.exitCode}):\n${prismOutput}`);
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    }

    // Staff exist only by promotion (the first admin of a shop is made in the database).
    const email = `prism-admin-${suffix}@example.test`;
    expectApi(await through('POST', '/v1/auth/register', { body: { email, password, name: 'Admin' } }), 202);
    await api.app
      .get(DataSource)
      .query('UPDATE users SET role = ?, version = version + 1 WHERE email = ?', ['admin', email]);
    const login = expectApi(await through('POST', '/v1/auth/login', { body: { email, password } }), 200);
    staffToken = String(login.accessToken);
  }, 90_000);

  afterAll(async () => {
    if (prism && prism.exitCode === null) {
      prism.kill('SIGTERM');
      await once(prism, 'exit');
    }
    if (folder) rmSync(folder, { recursive: true, force: true });
    await env?.cleanup();
    await receiver?.close();
  });

  let variantId: string;
  let productId: string;

  it('staff: a location, shipping, tax, a product, a second variant, a price change and stock', async () => {
    const staff = { token: staffToken };
    const location = expectApi(
      await through('POST', '/v1/admin/locations', {
        ...staff,
        body: { code: `prism-${suffix}`, name: 'Prism warehouse' },
      }),
      201,
    );
    const zone = expectApi(
      await through('POST', '/v1/admin/shipping-zones', {
        ...staff,
        body: { name: `Prism zone ${suffix}`, countries: ['DE'], active: true },
      }),
      201,
    );
    expectApi(
      await through('POST', `/v1/admin/shipping-zones/${String(zone.id)}/methods`, {
        ...staff,
        body: { name: 'Standard', rate: 490, active: true, position: 0 },
      }),
      201,
    );
    expectApi(
      await through('POST', '/v1/admin/tax-rates', {
        ...staff,
        body: { country: 'DE', name: 'MwSt', rateBp: 1900 },
      }),
      201,
    );
    const product = expectApi(
      await through('POST', '/v1/admin/products', {
        ...staff,
        body: {
          title: `Prism Mug ${suffix}`,
          slug: `prism-mug-${suffix}`,
          status: 'active',
          options: [{ name: 'colour', values: ['white', 'black'] }],
          variants: [{ sku: `PRISM-${suffix}-W`, optionValues: { colour: 'white' }, price: 1500 }],
        },
      }),
      201,
    );
    productId = String(product.id);
    const withVariant = expectApi(
      await through('POST', `/v1/admin/products/${productId}/variants`, {
        ...staff,
        body: { sku: `PRISM-${suffix}-B`, optionValues: { colour: 'black' }, price: 1700, weightGrams: 350 },
      }),
      201,
    );
    const variants = withVariant.variants as Array<{ id: string; sku: string; version: number }>;
    const black = variants.find((variant) => variant.sku === `PRISM-${suffix}-B`);
    if (!black) throw new Error(`the new variant is missing: ${JSON.stringify(variants)}`);
    variantId = black.id;

    const renamed = expectApi(
      await through('PATCH', `/v1/admin/products/${productId}`, {
        ...staff,
        body: { version: withVariant.version, title: `Prism Mug ${suffix} (stoneware)` },
      }),
      200,
    );
    expect(renamed.title).toBe(`Prism Mug ${suffix} (stoneware)`);
    expectApi(
      await through('PATCH', `/v1/admin/products/${productId}/variants/${variantId}`, {
        ...staff,
        body: { version: black.version, price: 1800, compareAtPrice: 2200 },
      }),
      200,
    );
    const adjusted = expectApi(
      await through('POST', '/v1/admin/inventory/adjustments', {
        ...staff,
        body: { variantId, locationId: location.id, delta: 20, reason: 'received' },
      }),
      201,
    );
    expect(adjusted.levels).toEqual([expect.objectContaining({ variantId, onHand: 20, available: 20 })]);
    expectApi(await through('GET', `/v1/admin/inventory?variantId=${variantId}`, staff), 200);
  });

  /** A guest's cart, ready for checkout; returns its id and token. */
  const readyCart = async (quantity: number): Promise<{ id: string; token: string }> => {
    expectApi(await through('GET', `/v1/products?inStock=true&limit=20`), 200);
    const listed = expectApi(
      await through('GET', `/v1/products?q=${encodeURIComponent(`Prism Mug ${suffix}`)}`),
      200,
    );
    expect(listed.data).toEqual([expect.objectContaining({ slug: `prism-mug-${suffix}` })]);
    expectApi(await through('GET', `/v1/products/prism-mug-${suffix}`), 200);
    const created = expectApi(await through('POST', '/v1/carts'), 201);
    const cart = { id: String(created.id), token: String(created.token) };
    const guest = { headers: { 'x-cart-token': cart.token } };
    expectApi(
      await through('POST', `/v1/carts/${cart.id}/items`, { ...guest, body: { variantId, quantity } }),
      200,
    );
    const addressed = expectApi(
      await through('PUT', `/v1/carts/${cart.id}/addresses`, {
        ...guest,
        body: {
          email: `prism-guest-${suffix}@example.test`,
          shippingAddress: {
            firstName: 'Ada',
            lastName: 'Lovelace',
            line1: 'Hauptstraße 1',
            city: 'Berlin',
            postalCode: '10115',
            country: 'DE',
          },
        },
      }),
      200,
    );
    const [method] = addressed.shippingMethods as Array<{ id: string }>;
    const ready = expectApi(
      await through('PUT', `/v1/carts/${cart.id}/shipping-method`, {
        ...guest,
        body: { shippingMethodId: method.id },
      }),
      200,
    );
    expect(ready.checkoutReady).toBe(true);
    expectApi(await through('GET', `/v1/carts/${cart.id}`, guest), 200);
    return cart;
  };

  it('guest: products → cart → item → addresses → shipping → checkout (bank transfer) → order', async () => {
    const cart = await readyCart(2);
    const order = expectApi(
      await through('POST', `/v1/carts/${cart.id}/checkout`, {
        headers: { 'x-cart-token': cart.token, 'idempotency-key': randomUUID() },
        body: { paymentMethod: 'bank_transfer' },
      }),
      201,
    );
    expect(order.status).toBe('pending_payment');
    const read = expectApi(
      await through('GET', `/v1/orders/${String(order.id)}`, { headers: { 'x-order-token': cart.token } }),
      200,
    );
    expect(read.number).toBe(order.number);
  });

  it('guest: checkout by card, paid with the sandbox card 4242 4242 4242 4242', async () => {
    const cart = await readyCart(1);
    const order = expectApi(
      await through('POST', `/v1/carts/${cart.id}/checkout`, {
        headers: { 'x-cart-token': cart.token, 'idempotency-key': randomUUID() },
        body: { paymentMethod: 'card' },
      }),
      201,
    );
    const guest = { headers: { 'x-order-token': cart.token } };
    const payment = expectApi(
      await through('POST', `/v1/orders/${String(order.id)}/payments`, {
        headers: { ...guest.headers, 'idempotency-key': randomUUID() },
        body: { paymentMethod: SANDBOX_CARDS.succeeds },
      }),
      201,
    );
    expect(payment).toEqual(
      expect.objectContaining({ state: 'captured', amount: order.totals && expect.any(Number) }),
    );
    const paid = expectApi(await through('GET', `/v1/orders/${String(order.id)}`, guest), 200);
    expect(paid.status).toBe('paid');
    expectApi(await through('GET', `/v1/admin/orders/${String(order.id)}`, { token: staffToken }), 200);
    expectApi(
      await through('GET', `/v1/admin/orders/${String(order.id)}/payments`, { token: staffToken }),
      200,
    );
  });

  it('customer: register, verify by mail, log in without MFA, enrol TOTP, log in → MFA challenge → verify', async () => {
    const email = `prism-customer-${suffix}@example.test`;
    expectApi(await through('POST', '/v1/auth/register', { body: { email, password, name: 'Grace' } }), 202);
    const mail = await receiver.waitForMessage((message) => message.recipients.includes(email));
    const link = extractLink(mail.parsed.text ?? '', '/verify-email');
    const token = link ? new URL(link).searchParams.get('token') : null;
    if (!token) throw new Error(`no verification link in: ${mail.parsed.text ?? ''}`);
    expectApi(await through('POST', '/v1/auth/email/verify', { body: { token } }), 204);

    const first = expectApi(await through('POST', '/v1/auth/login', { body: { email, password } }), 200);
    expect(first.mfaRequired).toBe(false);
    const customer = { token: String(first.accessToken) };
    expectApi(await through('GET', '/v1/me', customer), 200);
    const refreshed = expectApi(
      await through('POST', '/v1/auth/refresh', { body: { refreshToken: first.refreshToken } }),
      200,
    );
    expect(refreshed.mfaRequired).toBe(false);
    const enrolment = expectApi(
      await through('POST', '/v1/me/mfa', { ...customer, body: { password } }),
      200,
    );
    const secret = String(enrolment.secret);
    expectApi(
      await through('POST', '/v1/me/mfa/confirm', {
        ...customer,
        body: { code: await generate({ secret }) },
      }),
      200,
    );

    const challenge = expectApi(await through('POST', '/v1/auth/login', { body: { email, password } }), 200);
    expect(challenge).toEqual({ mfaRequired: true, mfaToken: expect.any(String) });
    // The next time step's code: the confirmation used this one, and a code works once.
    const code = await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    const tokens = expectApi(
      await through('POST', '/v1/auth/mfa/verify', { body: { mfaToken: challenge.mfaToken, code } }),
      200,
    );
    expect(tokens.mfaRequired).toBe(false);
    const me = expectApi(await through('GET', '/v1/me', { token: String(tokens.accessToken) }), 200);
    expect(me).toEqual(expect.objectContaining({ email, mfaEnabled: true }));
  });

  it('staff: the sales report as JSON, as sales.csv and with Accept: text/csv (after the orders above)', async () => {
    const staff = { token: staffToken };
    const today = new Date().toISOString().slice(0, 10);
    const range = `from=${today.slice(0, 8)}01&to=${today}`;
    const json = expectApi(
      await through('GET', `/v1/admin/reports/sales?${range}&interval=week`, staff),
      200,
    );
    expect(json.data).toEqual(expect.any(Array));
    for (const [path, headers] of [
      [`/v1/admin/reports/sales.csv?${range}`, {}],
      [`/v1/admin/reports/sales?${range}`, { accept: 'text/csv' }],
    ] as const) {
      const csv = await through('GET', path, { ...staff, headers });
      expectApi(csv, 200);
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(csv.text).toMatch(/^period,currency,orders_placed,/);
    }
    // A range the document accepts (two dates) and the API refuses (backwards): the API's own 400.
    expectApi(await through('GET', '/v1/admin/reports/sales?from=2026-10-02&to=2026-10-01', staff), 400);
  });

  it('staff: top products, stock and funnel as JSON, as .csv and with Accept: text/csv (after the orders above)', async () => {
    const staff = { token: staffToken };
    const today = new Date().toISOString().slice(0, 10);
    const range = `from=${today.slice(0, 8)}01&to=${today}`;
    const reports = [
      ['top-products', `?${range}&by=net&level=variant&limit=5`, /^rank,product_id,product_name,/],
      ['stock', '?lowStockThreshold=1000', /^variant_id,sku,product_id,/],
      ['funnel', `?${range}`, /^from,to,time_zone,carts_created,/],
    ] as const;
    for (const [name, query, header] of reports) {
      const json = expectApi(await through('GET', `/v1/admin/reports/${name}${query}`, staff), 200);
      expect(json).toEqual(
        expect.objectContaining(
          name === 'funnel' ? { cartsCreated: expect.any(Number) } : { data: expect.any(Array) },
        ),
      );
      for (const [path, headers] of [
        [`/v1/admin/reports/${name}.csv${query}`, {}],
        [`/v1/admin/reports/${name}${query}`, { accept: 'text/csv' }],
      ] as const) {
        const csv = await through('GET', path, { ...staff, headers });
        expectApi(csv, 200);
        expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
        expect(csv.text).toMatch(header);
      }
    }
    // Input the document accepts (a range, an integer) and the API refuses: the API's own 400.
    expectApi(
      await through('GET', '/v1/admin/reports/top-products?from=2026-10-02&to=2026-10-01', staff),
      400,
    );
    expectApi(await through('GET', '/v1/admin/reports/funnel?from=2025-01-01&to=2026-10-01', staff), 400);
  });

  describe('documented error cases', () => {
    const staff = () => ({ token: staffToken });

    it('401: a bearer token the API does not know (a missing one is refused by Prism itself)', async () => {
      expectApi(await through('GET', '/v1/me', { token: 'not-a-real-token' }), 401);
      expectApi(await through('GET', '/v1/admin/products', { token: 'not-a-real-token' }), 401);
      expectPrism(await through('GET', '/v1/me'), 401, 'UNAUTHORIZED');
    });

    it('401: wrong password', async () => {
      expectApi(
        await through('POST', '/v1/auth/login', {
          body: { email: `prism-admin-${suffix}@example.test`, password: 'not the password at all' },
        }),
        401,
      );
    });

    it('403: a customer on a staff route', async () => {
      const email = `prism-shopper-${suffix}@example.test`;
      expectApi(
        await through('POST', '/v1/auth/register', { body: { email, password, name: 'Shopper' } }),
        202,
      );
      const login = expectApi(await through('POST', '/v1/auth/login', { body: { email, password } }), 200);
      expectApi(await through('GET', '/v1/admin/products', { token: String(login.accessToken) }), 403);
    });

    it('412: an If-Match the product no longer has', async () => {
      const current = expectApi(await through('GET', `/v1/admin/products/${productId}`, staff()), 200);
      expectApi(
        await through('PATCH', `/v1/admin/products/${productId}`, {
          ...staff(),
          headers: { 'if-match': 'W/"1"' },
          body: { version: current.version, title: 'Stale' },
        }),
        412,
      );
    });

    it('429: too many failed logins for one account from one client', async () => {
      const email = `prism-guessed-${suffix}@example.test`;
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 12 && !statuses.includes(429); attempt++) {
        const response = await through('POST', '/v1/auth/login', {
          body: { email, password: 'a wrong guess' },
        });
        expectApi(response, response.status === 429 ? 429 : 401);
        statuses.push(response.status);
      }
      expect(statuses).toContain(429);
    });

    it('404: unknown ids', async () => {
      expectApi(await through('GET', `/v1/admin/products/${randomUUID()}`, staff()), 404);
      expectApi(await through('GET', `/v1/products/no-such-product-${suffix}`), 404);
      expectApi(
        await through('GET', `/v1/orders/${randomUUID()}`, { headers: { 'x-order-token': 'x'.repeat(43) } }),
        404,
      );
    });

    it('409: a stale version, a taken slug', async () => {
      expectApi(
        await through('PATCH', `/v1/admin/products/${productId}`, {
          ...staff(),
          body: { version: 1, title: 'Stale' },
        }),
        409,
      );
      expectApi(
        await through('POST', '/v1/admin/products', {
          ...staff(),
          body: {
            title: 'Taken',
            slug: `prism-mug-${suffix}`,
            status: 'active',
            options: [{ name: 'colour', values: ['white'] }],
            variants: [{ sku: `PRISM-${suffix}-T`, optionValues: { colour: 'white' }, price: 100 }],
          },
        }),
        409,
      );
    });

    it('422: a checkout of a cart that is not ready (no address, no email)', async () => {
      const created = expectApi(await through('POST', '/v1/carts'), 201);
      const guest = { 'x-cart-token': String(created.token) };
      expectApi(
        await through('POST', `/v1/carts/${String(created.id)}/items`, {
          headers: guest,
          body: { variantId, quantity: 1 },
        }),
        200,
      );
      expectApi(
        await through('POST', `/v1/carts/${String(created.id)}/checkout`, {
          headers: { ...guest, 'idempotency-key': randomUUID() },
          body: { paymentMethod: 'bank_transfer' },
        }),
        422,
      );
    });

    it('400: a body the document accepts and the API refuses; a body the schema refuses is Prism’s 422', async () => {
      expectApi(
        await through('POST', '/v1/auth/register', { body: { email: 'not-an-email', password, name: 'X' } }),
        400,
      );
      expectPrism(
        await through('POST', '/v1/auth/login', { body: { email: 42, password } }),
        422,
        'UNPROCESSABLE_ENTITY',
      );
    });

    it('415: a content type the document does not list is refused by Prism itself (422)', async () => {
      const response = await through('POST', '/v1/auth/login', {
        raw: { contentType: 'application/xml', body: '<login/>' },
      });
      expectPrism(response, 422, 'UNPROCESSABLE_ENTITY');
    });

    it('413: a body over the limit that the schema accepts', async () => {
      expectApi(
        await through('POST', '/v1/auth/login', {
          body: { email: `prism-admin-${suffix}@example.test`, password, padding: 'x'.repeat(2_000_000) },
        }),
        413,
      );
    });
  });
});
