import { checkedFetch, expectProblem, type JsonResponse, request } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { DataSource } from 'typeorm';
import { AuthClient, createUser, STRONG_PASSWORD, uniqueEmail } from '../support/auth-client';
import { ShopAdmin, ShopClient, type Shopper } from '../support/shop-client';

const UUID_V4 = '3b241101-e2bb-4255-8caf-4136c566a962';

/** `[[[…]]]` nested `depth` deep. */
const deepArray = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
/** `{"a":{"a":…}}` nested `depth` deep. */
const deepObject = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** Sends bytes over a raw socket and returns the raw HTTP response (Node's fetch refuses some requests). */
function rawRequest(baseUrl: string, text: string): Promise<string> {
  const { port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.end(text);
  });
}

/** The status, headers (lower-case) and parsed body of a raw HTTP response. */
function parseRaw(raw: string): JsonResponse<Record<string, unknown>> {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers = new Headers();
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const text = rest.join('\r\n\r\n');
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(text), text };
}

/** The edges of the HTTP contract found from outside (issue 15): hostile input, limits, headers. */
describe('HTTP edges', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let db: DataSource;
  let client: AuthClient;
  let shop: ShopClient;
  let admin: ShopAdmin;
  let staffToken: string;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    db = api.app.get(DataSource);
    client = new AuthClient(api.baseUrl);
    shop = new ShopClient(api.baseUrl);
    const owner = await createUser(client, db, { role: 'admin' });
    staffToken = owner.tokens.accessToken;
    admin = new ShopAdmin(client, staffToken);
    await admin.setUp();
  }, 60_000);
  afterAll(() => env.cleanup());

  const post = (path: string, body: string, contentType = 'application/json', headers = {}) =>
    request(`${api.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...headers },
      body,
    });

  /** A guest or customer order, placed by bank transfer. */
  async function placeOrder(shopper: Shopper = {}) {
    const { variantId } = await admin.variantWithStock(5);
    const started = await shop.newCart(shopper);
    await shop.add(started.cart.id, started.shopper, variantId, 1);
    await shop.prepare(started.cart.id, started.shopper);
    const placed = await shop.checkout(started.cart.id, started.shopper);
    if (placed.status !== 201) throw new Error(`checkout failed: ${placed.status} ${placed.text}`);
    return { order: placed.body, shopper: started.shopper };
  }

  describe('JSON nesting depth', () => {
    it.each(['/v1/auth/login', '/v1/auth/register', '/v1/carts'])(
      'answers 5,000-deep JSON on %s with 400 problem+json, before any DTO sees it',
      async (path) => {
        for (const body of [deepArray(5_000), deepObject(5_000), `{"email":${deepArray(5_000)}}`]) {
          const response = await post(path, body);
          expectProblem(response, 400, '/problems/json-too-deep');
        }
      },
    );

    it('answers 800 KB of nesting with 400, and a body within the limit still parses', async () => {
      expectProblem(await post('/v1/auth/login', deepArray(400_000)), 400, '/problems/json-too-deep');
      // Brackets inside strings do not count: the login is parsed, and refused as a login.
      const stringy = JSON.stringify({ email: 'x@example.test', password: `${'['.repeat(100)}\\"{{` });
      expectProblem(await post('/v1/auth/login', stringy), 401);
      // 60 levels is fine: the DTO, not the parser, refuses the unknown field.
      const nested = await post('/v1/auth/login', `{"email":"x@example.test","deep":${deepObject(60)}}`);
      expectProblem(nested, 400, '/problems/validation-failed');
    });
  });

  describe('hostile strings', () => {
    it('answers 70 KB strings and lone surrogates with a 4xx problem, never a 5xx', async () => {
      const long = 'x'.repeat(70_000);
      const bodies = [
        ['/v1/auth/register', `{"email":"a@example.test","password":"${long}","name":"${long}"}`],
        [
          '/v1/auth/register',
          `{"email":"a\\ud800@example.test","password":"\\udfff${STRONG_PASSWORD}","name":"\\ud800"}`,
        ],
        ['/v1/auth/login', `{"email":"${long}@example.test","password":"${long}"}`],
        ['/v1/auth/login', `{"email":"\\ud800@example.test","password":"\\ud800"}`],
        ['/v1/carts', `{"currency":"${long}"}`],
        ['/v1/carts', `{"currency":"\\ud800"}`],
      ];
      for (const [path, body] of bodies) {
        const response = await post(path, body);
        const sent = `${path} ${body.slice(0, 60)}`;
        expect({ sent, clientError: response.status >= 400 && response.status < 500 }).toEqual({
          sent,
          clientError: true,
        });
        expectProblem(response, response.status);
      }
      expectProblem(await post('/v1/auth/register', bodies[1][1]), 400, '/problems/malformed-json');
      const query = await request(`${api.baseUrl}/v1/products?q=${'y'.repeat(10_000)}`);
      expectProblem(query, 400, '/problems/validation-failed');
      // Percent-escapes of a surrogate and other invalid UTF-8 in a query and a path id.
      for (const path of ['/v1/products?q=%ED%A0%80', '/v1/orders/%ED%A0%80', '/v1/products?q=%ff%fe']) {
        const response = await request(`${api.baseUrl}${path}`);
        expect({ path, serverError: response.status >= 500 }).toEqual({ path, serverError: false });
        if (response.status >= 400) expectProblem(response, response.status);
      }
    });
  });

  describe('limits of the request line and headers', () => {
    it('answers a 200-character path id with 414 problem+json and the request id', async () => {
      const response = await request(`${api.baseUrl}/v1/orders/${'a'.repeat(200)}`, {
        headers: { 'x-request-id': 'edge-414' },
      });
      expectProblem(response, 414, '/problems/uri-too-long');
      expect(response.headers.get('x-request-id')).toBe('edge-414');
      expect(response.body.requestId).toBe('edge-414');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    });

    it('answers a 20 KB query string and a 20 KB header with 431 problem+json and a request id', async () => {
      for (const raw of [
        `GET /v1/products?q=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`,
        `GET /v1/products HTTP/1.1\r\nHost: localhost\r\nCookie: ${'y'.repeat(20_000)}\r\n\r\n`,
      ]) {
        const response = parseRaw(await rawRequest(api.baseUrl, raw));
        expectProblem(response, 431, '/problems/request-header-fields-too-large');
        expect(response.headers.get('x-request-id')).toBe(response.body.requestId);
        expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      }
    });
  });

  describe('content types', () => {
    const login = JSON.stringify({ email: 'someone@example.test', password: 'hunter2-secret-value' });

    it.each([
      'application/x-www-form-urlencoded',
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/xml',
      'text/csv',
      'multipart/form-data; boundary=x',
    ])('answers a %s body on a JSON route with 415 naming application/json', async (type) => {
      for (const path of ['/v1/auth/login', '/v1/auth/register', '/v1/carts']) {
        const response = await post(path, login, type);
        expectProblem(response, 415, '/problems/unsupported-media-type');
        expect(response.body.detail).toContain('application/json');
        expect(response.text).not.toContain('hunter2-secret-value');
      }
    });

    it('answers a body without a Content-Type with 415', async () => {
      const raw = await rawRequest(
        api.baseUrl,
        `POST /v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${login.length}\r\nConnection: close\r\n\r\n${login}`,
      );
      expectProblem(parseRaw(raw), 415, '/problems/unsupported-media-type');
    });

    it('still takes JSON with a charset', async () => {
      const response = await post('/v1/auth/login', login, 'application/json; charset=utf-8');
      expectProblem(response, 401);
    });
  });

  describe('validation errors never echo secrets', () => {
    it.each([
      ['/v1/auth/register', { email: 'not-an-email', password: 'sh0rt-S3cret', name: 'X', extra: 1 }],
      ['/v1/auth/login', { email: 'x@example.test', password: { nested: 'sh0rt-S3cret' } }],
      ['/v1/auth/password/reset', { token: 'tok-S3cret-value', newPassword: 'sh0rt-S3cret', more: true }],
      ['/v1/auth/login', { email: 'x@example.test', password: 'sh0rt-S3cret', 'sh0rt-S3cret': 'x' }],
    ])('%s: the 400 holds no secret value', async (path, body) => {
      const response = await post(path, JSON.stringify(body));
      expectProblem(response, 400, '/problems/validation-failed');
      expect(response.text).not.toMatch(/sh0rt-S3cret|tok-S3cret-value/);
    });
  });

  describe('caching and referrer headers', () => {
    it('personal responses are no-store, the catalog keeps its public caching and 304s', async () => {
      const email = uniqueEmail();
      await post('/v1/auth/register', JSON.stringify({ email, password: STRONG_PASSWORD, name: 'C' }));
      const login = await client.login(email);
      expect(login.headers.get('cache-control')).toBe('no-store');
      const token = login.body.accessToken;
      const refreshed = await client.post('/v1/auth/refresh', { refreshToken: login.body.refreshToken });
      expect(refreshed.status).toBe(200);
      expect(refreshed.headers.get('cache-control')).toBe('no-store');
      for (const path of ['/v1/me', '/v1/me/sessions', '/v1/orders'])
        expect((await client.get(path, token)).headers.get('cache-control')).toBe('no-store');
      const cart = await shop.send('POST', '/v1/carts', {}, {});
      expect(cart.headers.get('cache-control')).toBe('no-store');
      const read = await shop.send('GET', `/v1/carts/${cart.body.id}`, { cartToken: cart.body.token });
      expect(read.headers.get('cache-control')).toBe('no-store');
      const staff = await client.get('/v1/admin/orders', staffToken);
      expect(staff.headers.get('cache-control')).toBe('no-store');
      // A problem is personal too.
      expect((await client.get('/v1/me')).headers.get('cache-control')).toBe('no-store');

      const catalog = await request(`${api.baseUrl}/v1/products`);
      expect(catalog.headers.get('cache-control')).toMatch(/^public, max-age=/);
      const etag = catalog.headers.get('etag')!;
      const again = await checkedFetch(`${api.baseUrl}/v1/products`, { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
      expect(again.headers.get('cache-control')).toMatch(/^public, max-age=/);
    });

    it('sends Referrer-Policy: no-referrer on every response, errors and 404s included', async () => {
      const responses = [
        await request(`${api.baseUrl}/health/live`),
        await request(`${api.baseUrl}/v1/products`),
        await request(`${api.baseUrl}/v1/nothing-here`),
        await request(`${api.baseUrl}/v1/me`),
        await post('/v1/auth/login', '{bad'),
        await post('/v1/auth/login', '<x/>', 'application/xml'),
      ];
      for (const response of responses) expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    });
  });

  describe('opaque ids', () => {
    const unknownIds = [
      UUID_V4,
      randomUUID(),
      'not-a-uuid',
      'x'.repeat(90),
      '%F0%9F%98%80',
      "1'%20OR%20'1'='1",
      '%00',
    ];

    it('answers unknown session ids of any shape with 404, never 400', async () => {
      const customer = await createUser(client, db);
      for (const id of unknownIds) {
        const response = await client.send('DELETE', `/v1/me/sessions/${id}`, {
          token: customer.tokens.accessToken,
        });
        expectProblem(response, 404);
      }
    });

    it('answers unknown ids on customer and staff routes with 404', async () => {
      const customer = await createUser(client, db);
      for (const id of unknownIds) {
        for (const path of [`/v1/orders/${id}`, `/v1/carts/${id}`]) {
          expectProblem(await client.get(path, customer.tokens.accessToken), 404);
        }
        for (const path of [
          `/v1/admin/orders/${id}`,
          `/v1/admin/products/${id}`,
          `/v1/admin/categories/${id}`,
          `/v1/admin/users/${id}`,
          `/v1/admin/promotions/${id}`,
          `/v1/admin/jobs/${id}`,
        ]) {
          const response = await client.get(path, staffToken);
          expect({ path, status: response.status }).toEqual({ path, status: 404 });
          expectProblem(response, 404);
        }
      }
    });
  });

  describe('orders by number', () => {
    it('a customer reads their own order by number; another customer gets 404', async () => {
      const alice = await createUser(client, db);
      const bob = await createUser(client, db);
      const { order } = await placeOrder({ token: alice.tokens.accessToken });
      expect(order.number).toMatch(/^SK-\d+$/);
      const mine = await client.get<{ id: string }>(`/v1/orders/${order.number}`, alice.tokens.accessToken);
      expect(mine.status).toBe(200);
      expect(mine.body.id).toBe(order.id);
      expectProblem(await client.get(`/v1/orders/${order.number}`, bob.tokens.accessToken), 404);
      expectProblem(await client.get(`/v1/orders/SK-99999999`, alice.tokens.accessToken), 404);
    });

    it('a guest reads their order by number with the order token; staff by number too', async () => {
      const { order, shopper } = await placeOrder();
      const guest = await shop.send<{ id: string }>('GET', `/v1/orders/${order.number}`, {}, undefined, {
        'x-order-token': shopper.cartToken!,
      });
      expect(guest.status).toBe(200);
      expect(guest.body.id).toBe(order.id);
      expectProblem(await shop.send('GET', `/v1/orders/${order.number}`, {}), 404);
      const staff = await client.get<{ id: string }>(`/v1/admin/orders/${order.number}`, staffToken);
      expect(staff.status).toBe(200);
      expect(staff.body.id).toBe(order.id);
    });
  });

  describe('empty search text', () => {
    it('treats an empty or blank q as no filter', async () => {
      await admin.variantWithStock(1);
      const unfiltered = await request<{ data: unknown[] }>(`${api.baseUrl}/v1/products`);
      expect(unfiltered.body.data.length).toBeGreaterThan(0);
      for (const q of ['', '%20%20']) {
        const response = await request<{ data: unknown[] }>(`${api.baseUrl}/v1/products?q=${q}`);
        expect(response.status).toBe(200);
        expect(response.body.data).toEqual(unfiltered.body.data);
        const staff = await client.get<{ data: unknown[] }>(`/v1/admin/products?q=${q}`, staffToken);
        expect(staff.body.data.length).toBeGreaterThan(0);
        const users = await client.get<{ data: unknown[] }>(`/v1/admin/users?q=${q}`, staffToken);
        expect(users.body.data.length).toBeGreaterThan(0);
        // Other filters: a cleared field is no filter either.
        const category = await request<{ data: unknown[] }>(`${api.baseUrl}/v1/products?category=${q}`);
        expect(category.body.data).toEqual(unfiltered.body.data);
        const orders = await client.get<{ data: unknown[] }>(`/v1/admin/orders?email=${q}`, staffToken);
        expect(orders.status).toBe(200);
        const promotions = await client.get<{ data: unknown[] }>(
          `/v1/admin/promotions?code=${q}`,
          staffToken,
        );
        expect(promotions.status).toBe(200);
      }
    });
  });
});
