import { buildDataSourceOptions } from '@app/database';
import { checkedFetch, expectProblem } from '@app/testing';
import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuthClient, createUser, STRONG_PASSWORD, uniqueEmail } from '../support/auth-client';
import type { AdminProduct } from '../support/catalog-client';
import { Cluster } from '../support/cluster';
import { ShopAdmin, ShopClient } from '../support/shop-client';
import { SseClient } from '../support/sse-client';
import { TestEnvironment } from '../support/test-environment';
import { waitFor } from '../support/wait-for';

interface Summary {
  id: string;
  slug: string;
  variants: Array<{ id: string; price: number }>;
}

const CREDENTIAL_ROUTE_LIMIT = 30;
const LOGIN_MAX_FAILURES = 10;

/**
 * The production topology on one machine: 2 API processes and 2 workers (the compiled app) behind
 * nginx configured from deploy/nginx.conf. Whatever one replica learns (a price, a counter, an
 * idempotency key, an event) the other knows at once, because it lives in MySQL or Redis, never in a
 * process; and a rolling restart under load loses no request.
 */
describe('topology: 2 API processes and 2 workers behind nginx', () => {
  let env: TestEnvironment;
  let cluster: Cluster;
  let db: DataSource;
  let admin: ShopAdmin;
  let adminToken: string;
  let variantId: string;
  /** Replica A and replica B, addressed directly (nginx would pick one at random). */
  let a: AuthClient;
  let b: AuthClient;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    cluster = await Cluster.start(env, {
      env: {
        // The load below comes from one address (nginx's 127.0.0.1): only the limits under test bite.
        RATE_LIMIT_MAX: '1000000',
        AUTH_ROUTE_RATE_LIMIT_PER_MINUTE: String(CREDENTIAL_ROUTE_LIMIT),
        AUTH_LOGIN_MAX_FAILURES: String(LOGIN_MAX_FAILURES),
        REALTIME_HEARTBEAT_SECONDS: '1',
        // As deployed (docker-compose, deploy/kubernetes): above nginx's upstream keepalive_timeout (4 s).
        HTTP_DRAIN_DELAY_MS: '5000',
      },
    });
    db = await new DataSource(buildDataSourceOptions(env.config.database)).initialize();
    a = new AuthClient(cluster.apis[0].baseUrl);
    b = new AuthClient(cluster.apis[1].baseUrl);
    const owner = await createUser(a, db, { role: 'admin' });
    adminToken = owner.tokens.accessToken;
    admin = new ShopAdmin(a, adminToken);
    await admin.setUp();
    ({ variantId } = await admin.variantWithStock(1000, 2500));
  }, 240_000);

  afterAll(async () => {
    await db?.destroy();
    await cluster?.stop();
    await env?.cleanup();
  }, 60_000);

  it('a price changed through replica A is what replica B serves next, every time', async () => {
    const product = await admin.createProduct();
    const variant = product.variants[0];
    let version = variant.version;
    for (let price = 3000; price < 3010; price++) {
      // B has served (and so may remember) the old price before each write.
      expect((await b.get<Summary>(`/v1/products/${product.slug}`)).status).toBe(200);
      const updated = await admin.send<AdminProduct>(
        'PATCH',
        `/v1/admin/products/${product.id}/variants/${variant.id}`,
        { price, version },
      );
      expect(updated.status).toBe(200);
      version = updated.body.variants[0].version;
      const detail = await b.get<Summary>(`/v1/products/${product.slug}`);
      expect(detail.body.variants.find((v) => v.id === variant.id)?.price).toBe(price);
    }
  });

  it('the per-IP limit of the credential routes counts requests on both replicas together', async () => {
    const from = { 'x-forwarded-for': '203.0.113.40' };
    const statuses: number[] = [];
    for (let i = 0; i < CREDENTIAL_ROUTE_LIMIT; i++) {
      const replica = i % 2 === 0 ? a : b;
      statuses.push((await replica.login(uniqueEmail('nobody'), 'wrong password', from)).status);
    }
    expect(statuses).toEqual(Array(CREDENTIAL_ROUTE_LIMIT).fill(401));
    // Each replica has seen 15: a per-process count would let this one through.
    const over = await b.login(uniqueEmail('nobody'), 'wrong password', from);
    expectProblem(over, 429, '/problems/rate-limited');
    // Another address is not affected.
    const other = await a.login(uniqueEmail('nobody'), 'wrong password', {
      'x-forwarded-for': '203.0.113.41',
    });
    expect(other.status).toBe(401);
  });

  it('failed logins for one account are counted across replicas: the 11th attempt is refused, even with the right password', async () => {
    const victim = await createUser(a, db);
    const from = { 'x-forwarded-for': '198.51.100.40' };
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_MAX_FAILURES; i++) {
      const replica = i % 2 === 0 ? a : b;
      statuses.push((await replica.login(victim.email, `wrong guess ${i}`, from)).status);
    }
    expect(statuses).toEqual(Array(LOGIN_MAX_FAILURES).fill(401));
    const held = await a.login(victim.email, STRONG_PASSWORD, from);
    expectProblem(held, 429, '/problems/rate-limited');
    // The owner, from elsewhere, still gets in.
    expect(
      (await b.login(victim.email, STRONG_PASSWORD, { 'x-forwarded-for': '198.51.100.41' })).status,
    ).toBe(200);
  });

  it('one Idempotency-Key sent to both replicas at once places one order', async () => {
    const shopA = new ShopClient(cluster.apis[0].baseUrl);
    const shopB = new ShopClient(cluster.apis[1].baseUrl);
    for (let round = 0; round < 5; round++) {
      const { cart, shopper } = await shopA.newCart();
      await shopA.add(cart.id, shopper, variantId, 1);
      await shopA.prepare(cart.id, shopper);
      const key = randomUUID();
      const answers = await Promise.all([
        shopA.checkout(cart.id, shopper, key),
        shopB.checkout(cart.id, shopper, key),
      ]);
      const placed = answers.filter((answer) => answer.status === 201);
      expect(placed.length).toBeGreaterThanOrEqual(1);
      for (const answer of answers)
        if (answer.status !== 201) expectProblem(answer, 409, '/problems/idempotency-key-in-flight');
      expect(new Set(placed.map((answer) => answer.body.id)).size).toBe(1);
      const orderId = placed[0].body.id;
      const [{ n }] = await db.query<Array<{ n: string }>>(
        'SELECT COUNT(*) AS n FROM orders WHERE cart_id = ?',
        [cart.id],
      );
      expect(Number(n)).toBe(1);
      // Afterwards either replica replays the same order.
      for (const shop of [shopA, shopB]) {
        const again = await shop.checkout(cart.id, shopper, key);
        expect(again.status).toBe(201);
        expect(again.body.id).toBe(orderId);
        expect(again.headers.get('idempotent-replayed')).toBe('true');
      }
    }
  });

  it('an order placed through replica A reaches an event stream held on replica B, and one held through nginx', async () => {
    const customer = await createUser(a, db);
    const bearer = { authorization: `Bearer ${customer.tokens.accessToken}` };
    const onB = await SseClient.open(`${cluster.apis[1].baseUrl}/v1/events`, bearer);
    const viaNginx = await SseClient.open(`${cluster.url}/v1/events`, bearer);
    try {
      expect(onB.status).toBe(200);
      expect(viaNginx.status).toBe(200);
      const ready = (sse: SseClient) => sse.events.some((event) => event.event === 'ready');
      await Promise.all([onB.waitUntil(ready, 10_000, 'ready'), viaNginx.waitUntil(ready, 10_000, 'ready')]);

      const shop = new ShopClient(cluster.apis[0].baseUrl);
      const shopper = { token: customer.tokens.accessToken };
      const { cart } = await shop.newCart(shopper);
      await shop.add(cart.id, shopper, variantId, 1);
      await shop.prepare(cart.id, shopper);
      const placed = await shop.checkout(cart.id, shopper);
      expect(placed.status).toBe(201);
      const hasOrder = (sse: SseClient) =>
        sse.named('order.placed').some((event) => sse.dataOf(event).data.orderId === placed.body.id);
      await Promise.all([
        onB.waitUntil(hasOrder, 5_000, 'order.placed on replica B'),
        viaNginx.waitUntil(hasOrder, 5_000, 'order.placed through nginx'),
      ]);
    } finally {
      onB.close();
      viaNginx.close();
    }
  });

  it('a replica told to stop refuses new connections, still answers the request it is reading, and exits 0', async () => {
    const replica = cluster.apis[1];
    const encoder = new TextEncoder();
    let pulls = 0;
    let firstChunkSent!: () => void;
    const sent = new Promise<void>((resolve) => (firstChunkSent = resolve));
    let sendRest!: () => void;
    const rest = new Promise<void>((resolve) => (sendRest = resolve));
    // A login whose body arrives in two parts: in flight (headers read, body awaited) until sendRest().
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        pulls += 1;
        if (pulls === 1) return controller.enqueue(encoder.encode(`{"email":"${uniqueEmail('drain')}",`));
        firstChunkSent();
        await rest;
        controller.enqueue(encoder.encode('"password":"not the password"}'));
        controller.close();
      },
    });
    let answered = false;
    const inFlight = checkedFetch(`${replica.baseUrl}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.200' },
      body,
      duplex: 'half',
    }).finally(() => (answered = true));
    await sent;
    // A later connection answered means the server has accepted the earlier one (accepts are in order).
    expect((await checkedFetch(`${replica.baseUrl}/health/live`)).status).toBe(200);

    const restarted = cluster.restartApi(1); // SIGTERM now; resolves once a new process is ready
    const probes: Array<{ status: number; connection: string | null }> = [];
    await waitFor(
      () =>
        checkedFetch(`${replica.baseUrl}/health/ready`, {
          uncheckedBecause: 'while draining and closing, readiness answers 503',
        }).then(
          (probe) => {
            probes.push({ status: probe.status, connection: probe.headers.get('connection') });
            return false;
          },
          () => true, // refused: the listening socket is closed
        ),
      15_000,
      'the stopping replica to refuse new connections',
    );
    // It drained first (HTTP_DRAIN_DELAY_MS): out of rotation, closing each connection it answered on.
    expect(probes).toContainEqual({ status: 503, connection: 'close' });
    expect(answered).toBe(false);
    sendRest();
    const response = await inFlight;
    expect(response.status).toBe(401);
    expect((await restarted).exitCode).toBe(0);
    expect((await checkedFetch(`${cluster.apis[1].baseUrl}/health/ready`)).status).toBe(200);
  }, 120_000);

  it('a rolling restart of both API replicas under load loses no request and answers no 5xx', async () => {
    const product = await admin.createProduct();
    const restarts: Array<{ exitCode: number | null; drainMs: number; readyMs: number }> = [];
    let tracker: autocannon.Instance | undefined;
    const requestErrors = new Map<string, number>();
    const load = new Promise<autocannon.Result>((resolve, reject) => {
      tracker = autocannon(
        {
          url: cluster.url,
          connections: 8,
          duration: 200, // stopped below, once both replicas are back
          requests: [
            { method: 'GET', path: '/v1/products?limit=5' },
            { method: 'GET', path: `/v1/products/${product.slug}` },
            { method: 'GET', path: '/health/ready' },
            // A POST nginx may not send again once it reached a replica: it must never meet a
            // kept-alive connection that the stopping replica closes (HttpDrainService).
            {
              method: 'POST',
              path: '/v1/carts',
              headers: { 'content-type': 'application/json' },
              body: '{}',
            },
          ],
        },
        (error: Error | null, result) => (error ? reject(error) : resolve(result)),
      );
      // Each failed request's reason, printed below: a count alone does not tell whose fault it was.
      tracker.on('reqError', (error: Error & { code?: string }) => {
        const reason = `${error.code ?? ''} ${error.message}`.trim();
        requestErrors.set(reason, (requestErrors.get(reason) ?? 0) + 1);
      });
    });
    const began = Date.now();
    try {
      for (const index of [0, 1]) restarts.push(await cluster.restartApi(index, true));
    } finally {
      tracker?.stop();
    }
    const result = await load;
    const seconds = (Date.now() - began) / 1000;
    process.stdout.write(
      `rolling restart under load: ${result.requests.total} requests in ${seconds.toFixed(1)} s ` +
        `(${Math.round(result.requests.total / seconds)} req/s through nginx, 8 connections), ` +
        `${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx, ` +
        `2xx ${result['2xx']}, 5xx ${result['5xx']}; drains ${restarts.map((r) => `${r.drainMs} ms`).join(', ')}, ` +
        `back ready after ${restarts.map((r) => `${r.readyMs} ms`).join(', ')}\n`,
    );
    const logged = await cluster.nginx.accessLog();
    const retried = logged.filter((entry) => entry.upstream.includes(', ')).length;
    process.stdout.write(`nginx sent ${retried} of them to the other replica after a failed attempt\n`);
    if (requestErrors.size > 0)
      process.stdout.write(
        `client errors: ${[...requestErrors].map(([why, n]) => `${n} × ${why}`).join(', ')}\n`,
      );
    const failures = logged.filter((entry) => entry.status >= 500);
    if (failures.length > 0) {
      const kinds = new Map<string, number>();
      for (const entry of failures) {
        const kind = `${entry.status} from ${entry.upstream} (${entry.upstream_status}) ${entry.uri}`;
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }
      process.stdout.write(
        `5xx through nginx:\n${[...kinds].map(([kind, n]) => `  ${n} × ${kind}`).join('\n')}\n` +
          `nginx said:\n${cluster.nginx.errors().slice(-3000)}\n`,
      );
    }
    expect(restarts.map((restart) => restart.exitCode)).toEqual([0, 0]);
    expect(result.requests.total).toBeGreaterThan(100);
    expect({
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      '5xx': result['5xx'],
    }).toEqual({ errors: 0, timeouts: 0, non2xx: 0, '5xx': 0 });
  }, 240_000);
});
