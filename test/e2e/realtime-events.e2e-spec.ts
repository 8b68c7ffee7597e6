import { expectProblem, request } from '@app/testing';
import { hashToken } from '@app/common';
import { INestApplicationContext } from '@nestjs/common';
import Redis from 'ioredis';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { redirectLogs } from '../../src/logging/logger-options';
import { EventStreamsService } from '../../src/modules/notifications/realtime/event-streams.service';
import { RealtimePublisherService } from '../../src/modules/notifications/realtime/realtime-publisher.service';
import { AuthClient, createUser } from '../support/auth-client';
import { ShopAdmin, ShopClient, type Order, type Shopper } from '../support/shop-client';
import { SseClient } from '../support/sse-client';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { waitFor } from '../support/wait-for';

// The access log is captured: a stream ticket must never reach it.
process.env.LOG_LEVEL = 'info';

/**
 * Real-time events end to end: two API replicas and a worker on one database and Redis. Writes go
 * through one replica, streams are held on the other, so every event crosses the Redis stream.
 */
describe('real-time events (GET /v1/events)', () => {
  let env: TestEnvironment;
  let apiA: TestApi;
  let apiB: TestApi;
  let worker: INestApplicationContext;
  let db: DataSource;
  let admin: ShopAdmin;
  let adminToken: string;
  let shop: ShopClient;
  let client: AuthClient;
  let variantId: string;
  const logs: string[] = [];
  const open: SseClient[] = [];

  beforeAll(async () => {
    const logStream = new PassThrough();
    logStream.on('data', (chunk: Buffer) => logs.push(chunk.toString('utf8')));
    redirectLogs(logStream);
    env = await TestEnvironment.create({
      realtime: { heartbeatSeconds: 1, maxStreamsPerUser: 5 },
      rateLimit: { max: 1_000_000 },
    });
    apiA = await env.startApi();
    apiB = await env.startApi();
    worker = await env.startWorker();
    db = apiA.app.get(DataSource);
    client = new AuthClient(apiA.baseUrl);
    const owner = await createUser(client, db, { role: 'admin' });
    adminToken = owner.tokens.accessToken;
    admin = new ShopAdmin(client, adminToken);
    await admin.setUp();
    ({ variantId } = await admin.variantWithStock(1000, 2500));
    shop = new ShopClient(apiA.baseUrl);
  }, 90_000);

  afterEach(() => {
    for (const stream of open.splice(0)) stream.close();
  });

  afterAll(async () => {
    redirectLogs(undefined);
    await env?.cleanup();
    void worker;
  });

  const stream = async (api: TestApi, query = '', headers: Record<string, string> = {}) => {
    const opened = await SseClient.open(`${api.baseUrl}/v1/events${query}`, headers);
    open.push(opened);
    return opened;
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const ready = (sse: SseClient) =>
    sse.waitUntil((s) => s.events.some((e) => e.event === 'ready'), 10_000, 'ready');

  /** A customer's (or a guest's) order: checked out through replica A. */
  const placeOrder = async (shopper: Shopper = {}): Promise<{ order: Order; shopper: Shopper }> => {
    const started = await shop.newCart(shopper);
    await shop.add(started.cart.id, started.shopper, variantId, 1);
    await shop.prepare(started.cart.id, started.shopper);
    const placed = await shop.checkout(started.cart.id, started.shopper, randomUUID());
    if (placed.status !== 201) throw new Error(placed.text);
    return { order: placed.body, shopper: started.shopper };
  };
  const cancel = async (orderId: string, shopper: Shopper) => {
    const cancelled = await shop.send<Order>('POST', `/v1/orders/${orderId}/cancel`, shopper, {});
    if (cancelled.status !== 200) throw new Error(cancelled.text);
  };
  const orderIdsOf = (sse: SseClient, type = 'order.placed') =>
    sse.named(type).map((event) => sse.dataOf(event).data.orderId as string);
  const hasOrderEvent =
    (orderId: string, type = 'order.placed') =>
    (sse: SseClient) =>
      orderIdsOf(sse, type).includes(orderId);
  const ticketFor = async (
    api: TestApi,
    headers: Record<string, string>,
    body: Record<string, unknown> = {},
  ) =>
    request<{ ticket: string; expiresIn: number }>(`${api.baseUrl}/v1/events/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('an order placed through one replica reaches streams held on the other within a second; nobody else sees it', async () => {
    const alice = await createUser(client, db);
    const bob = await createUser(client, db);
    const aliceStream = await stream(apiB, '', bearer(alice.tokens.accessToken));
    const bobStream = await stream(apiB, '', bearer(bob.tokens.accessToken));
    const staffStream = await stream(apiB, '', bearer(adminToken));
    expect(aliceStream.status).toBe(200);
    expect(aliceStream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(aliceStream.headers.get('x-request-id')).toBeTruthy();
    await Promise.all([ready(aliceStream), ready(bobStream), ready(staffStream)]);

    const { order } = await placeOrder({ token: alice.tokens.accessToken });
    const placedAt = Date.now();
    await aliceStream.waitUntil(hasOrderEvent(order.id), 5_000, "alice's order.placed");
    const latency = Date.now() - placedAt;
    expect(latency).toBeLessThan(1_000);
    await staffStream.waitUntil(hasOrderEvent(order.id), 5_000, 'the staff feed');
    const received = aliceStream.dataOf(aliceStream.named('order.placed')[0]);
    expect(received).toMatchObject({
      type: 'order.placed',
      data: { orderId: order.id, customerId: alice.id },
    });

    // Bob's own order comes after Alice's in the one stream: once he has it, he has been handed
    // (and has filtered) Alice's.
    const bobs = await placeOrder({ token: bob.tokens.accessToken });
    await bobStream.waitUntil(hasOrderEvent(bobs.order.id), 5_000, "bob's order.placed");
    expect(orderIdsOf(bobStream)).toEqual([bobs.order.id]);
    expect(bobStream.named().every((e) => bobStream.dataOf(e).data.customerId === bob.id)).toBe(true);
    expect(aliceStream.named().every((e) => aliceStream.dataOf(e).data.customerId === alice.id)).toBe(true);
    // Staff without payments:manage/inventory:write would not get those; the admin has them all.
    expect(staffStream.named('inventory.low-stock', 'order.placed').length).toBeGreaterThanOrEqual(1);
    process.stdout.write(`order.placed crossed replicas in ${latency} ms\n`);
  });

  it('a guest follows one order with a ticket, and sees only that order', async () => {
    const guest = await placeOrder();
    const other = await placeOrder();
    const token = guest.shopper.cartToken!;
    const refused = await ticketFor(
      apiA,
      { 'x-order-token': other.shopper.cartToken! },
      { orderId: guest.order.id },
    );
    expectProblem(refused, 404);
    const issued = await ticketFor(apiA, { 'x-order-token': token }, { orderId: guest.order.id });
    expect(issued.status).toBe(201);
    expect(issued.body.expiresIn).toBe(60);
    const guestStream = await stream(apiB, `?ticket=${encodeURIComponent(issued.body.ticket)}`);
    expect(guestStream.status).toBe(200);
    await ready(guestStream);

    await cancel(other.order.id, other.shopper);
    await cancel(guest.order.id, guest.shopper);
    await guestStream.waitUntil(
      hasOrderEvent(guest.order.id, 'order.cancelled'),
      5_000,
      'the guest order.cancelled',
    );
    expect(guestStream.named().map((e) => guestStream.dataOf(e).data.orderId)).toEqual([guest.order.id]);
  });

  it('a ticket opens one stream once, expires, and never reaches the access log', async () => {
    const carol = await createUser(client, db);
    const issued = await ticketFor(apiA, bearer(carol.tokens.accessToken));
    expect(issued.status).toBe(201);
    const ticket = issued.body.ticket;
    const first = await stream(apiB, `?ticket=${encodeURIComponent(ticket)}`);
    expect(first.status).toBe(200);
    await ready(first);
    const again = await stream(apiA, `?ticket=${encodeURIComponent(ticket)}`);
    expect(again.status).toBe(401);
    expect(again.problem).toMatchObject({ status: 401 });
    const anonymous = await stream(apiA);
    expect(anonymous.status).toBe(401);

    // Expiry: a ticket of a replica configured for a one-second life is gone from Redis, then refused.
    const shortLived = await env.startApi([], { realtime: { ticketTtlSeconds: 1 } });
    const redis = new Redis({
      host: env.config.redis.host,
      port: env.config.redis.port,
      db: env.config.redis.db,
    });
    try {
      const expiring = (await ticketFor(shortLived, bearer(carol.tokens.accessToken))).body.ticket;
      const key = `${env.config.redis.prefix}:realtime:ticket:${hashToken(expiring)}`;
      expect(await redis.pttl(key)).toBeGreaterThan(0);
      await waitFor(async () => (await redis.exists(key)) === 0, 5_000, 'the ticket to expire');
      const late = await stream(apiA, `?ticket=${encodeURIComponent(expiring)}`);
      expect(late.status).toBe(401);
    } finally {
      redis.disconnect();
      await shortLived.close();
    }

    const accessLines = logs
      .join('')
      .split('\n')
      .filter((line) => line.includes('/v1/events'));
    expect(accessLines.some((line) => line.includes('request completed'))).toBe(true);
    expect(logs.join('')).not.toContain(ticket);
  });

  it('reconnecting with Last-Event-ID gets exactly the events missed, even while events keep coming', async () => {
    const dave = await createUser(client, db);
    const staff = await stream(apiB, '', bearer(adminToken));
    await ready(staff);
    const first = await placeOrder({ token: dave.tokens.accessToken });
    await staff.waitUntil(hasOrderEvent(first.order.id), 5_000, 'the first order');
    const resumeFrom = staff.lastEventId;
    staff.close();
    const seenBefore = new Set(staff.events.map((e) => e.id));

    // Missed while disconnected: three orders; a fourth is placed while the replay runs.
    const missed = [];
    for (let i = 0; i < 3; i += 1) missed.push(await placeOrder({ token: dave.tokens.accessToken }));
    const reference = await stream(apiA, '', bearer(adminToken)); // a witness that stays connected
    await ready(reference);
    const resumed = await stream(apiB, '', { ...bearer(adminToken), 'last-event-id': resumeFrom });
    const during = await placeOrder({ token: dave.tokens.accessToken });
    await resumed.waitUntil(hasOrderEvent(during.order.id), 5_000, 'the order placed during the replay');
    await reference.waitUntil(hasOrderEvent(during.order.id), 5_000, 'the witness');

    const ids = resumed.named().map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length); // no duplicates
    expect(ids.every((id) => !seenBefore.has(id))).toBe(true); // nothing seen before
    expect(orderIdsOf(resumed)).toEqual([...missed.map((m) => m.order.id), during.order.id]);
    // Exactly the stream's events after Last-Event-ID: the witness's tail must be a suffix of them.
    const witnessIds = reference.named().map((e) => e.id);
    expect(ids.slice(ids.length - witnessIds.length)).toEqual(witnessIds);

    // A customer resumes through a ticket with ?lastEventId= and gets only their own missed events.
    const ticket = (await ticketFor(apiA, bearer(dave.tokens.accessToken))).body.ticket;
    const daveStream = await stream(apiB, `?ticket=${ticket}&lastEventId=${resumeFrom}`);
    await ready(daveStream);
    expect(orderIdsOf(daveStream)).toEqual([...missed.map((m) => m.order.id), during.order.id]);
    const malformed = await stream(apiB, '?lastEventId=yesterday', bearer(adminToken));
    expect(malformed.status).toBe(400);
  });

  it('pings every heartbeat; a revoked session loses its stream within seconds', async () => {
    const erin = await createUser(client, db);
    const erinStream = await stream(apiB, '', bearer(erin.tokens.accessToken));
    await ready(erinStream);
    await erinStream.waitUntil((s) => s.comments.includes('ping'), 5_000, 'a ping');
    const loggedOut = await client.send('POST', '/v1/auth/logout', { token: erin.tokens.accessToken });
    expect(loggedOut.status).toBe(204);
    const revokedAt = Date.now();
    await erinStream.waitUntil((s) => s.closedAt !== undefined, 5_000, 'the stream to close');
    const closedAfter = erinStream.closedAt! - revokedAt;
    expect(closedAfter).toBeLessThan(3_000);
    process.stdout.write(`revoked session's stream closed after ${closedAfter} ms (heartbeat 1 s)\n`);
  });

  it('a person holds at most five streams across replicas: the sixth gets 429 until one closes', async () => {
    const frank = await createUser(client, db);
    const streams = [];
    for (let i = 0; i < 5; i += 1)
      streams.push(await stream(i % 2 ? apiA : apiB, '', bearer(frank.tokens.accessToken)));
    expect(streams.map((s) => s.status)).toEqual([200, 200, 200, 200, 200]);
    const sixth = await stream(apiA, '', bearer(frank.tokens.accessToken));
    expect(sixth.status).toBe(429);
    expect(sixth.headers.get('content-type')).toContain('application/problem+json');
    expect(sixth.headers.get('retry-after')).toBeTruthy();
    streams[0].close();
    // Its slot is given back when the server sees the disconnect: a new stream then opens.
    let replacement: SseClient | undefined;
    await waitFor(
      async () => {
        replacement = await stream(apiA, '', bearer(frank.tokens.accessToken));
        return replacement.status === 200;
      },
      5_000,
      'a freed slot',
    );
    expect(replacement?.status).toBe(200);
  });

  it('a client that stops reading is cut once a megabyte waits for it, and its stream slot is freed', async () => {
    const sleeper = await createUser(client, db, { role: 'admin' });
    const streams = apiB.app.get(EventStreamsService);
    const before = streams.openStreams;
    // A raw request whose answer is never read (a sleeping laptop keeps the connection open).
    const held = httpGet(`${apiB.baseUrl}/v1/events`, { headers: bearer(sleeper.tokens.accessToken) });
    const response = await new Promise<IncomingMessage>((resolve, reject) =>
      held.on('response', resolve).on('error', reject),
    );
    expect(response.statusCode).toBe(200);
    response.pause();
    await waitFor(() => Promise.resolve(streams.openStreams === before + 1), 5_000, 'the stream to open');

    // About 20 MB of staff-visible events (more than the kernel buffers of both ends hold), straight
    // into the stream every replica reads.
    const publisher = worker.get(RealtimePublisherService);
    for (let n = 0; n < 2_500; n += 1)
      await publisher.handle({
        id: `big-${randomUUID()}`,
        type: 'order.placed',
        timestamp: new Date().toISOString(),
        payload: { orderId: `big-${n}`, customerId: null, note: 'x'.repeat(8192) },
      } as unknown as Parameters<RealtimePublisherService['handle']>[0]);

    // (A paused client cannot see the connection close; the server's count shows it.)
    await waitFor(
      () => Promise.resolve(streams.openStreams === before),
      10_000,
      'the server to cut the stream',
    );
    const redis = new Redis({
      host: env.config.redis.host,
      port: env.config.redis.port,
      db: env.config.redis.db,
    });
    try {
      const slots = `${env.config.redis.prefix}:realtime:streams:user:${sleeper.id}`;
      await waitFor(async () => (await redis.zcard(slots)) === 0, 5_000, 'the slot to be freed');
    } finally {
      redis.disconnect();
      held.destroy();
    }
  });

  it('a client gone before its stream opened leaves no stream and no slot behind', async () => {
    const hasty = await createUser(client, db);
    const streams = apiB.app.get(EventStreamsService);
    const before = streams.openStreams;
    const url = new URL(`${apiB.baseUrl}/v1/events`);
    // Ten clients that send the request and hang up at once, before the answer can start.
    for (let n = 0; n < 10; n += 1) {
      const socket = connect(Number(url.port), url.hostname);
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.end(
        `GET /v1/events HTTP/1.1\r\nHost: ${url.host}\r\n` +
          `Authorization: Bearer ${hasty.tokens.accessToken}\r\n\r\n`,
      );
      await new Promise((resolve) => socket.once('close', resolve).resume());
    }
    // Every request has been answered or abandoned once the next one from the same person opens.
    const later = await stream(apiB, '', bearer(hasty.tokens.accessToken));
    expect(later.status).toBe(200);
    await ready(later);
    later.close();
    await waitFor(() => Promise.resolve(streams.openStreams === before), 5_000, 'no stream left');
  });

  it('a redelivered domain event is appended once, with the customer of a payment event looked up', async () => {
    const harry = await createUser(client, db);
    const { order } = await placeOrder({ token: harry.tokens.accessToken });
    const staff = await stream(apiB, '', bearer(adminToken));
    await ready(staff);
    const publisher = worker.get(RealtimePublisherService);
    const envelope = {
      id: `redelivered-${randomUUID()}`,
      type: 'payment.failed' as const,
      timestamp: new Date().toISOString(),
      payload: {
        paymentId: randomUUID(),
        orderId: order.id,
        provider: 'sandbox',
        amount: 2500,
        currency: 'EUR',
        failureCode: 'card_declined',
        failureMessage: null,
      },
    };
    await publisher.handle(envelope);
    await publisher.handle(envelope); // Bull delivers at least once
    const { order: marker } = await placeOrder({ token: harry.tokens.accessToken });
    await staff.waitUntil(hasOrderEvent(marker.id), 5_000, 'the marker order after the redelivery');
    const copies = staff.named('payment.failed').filter((e) => staff.dataOf(e).id === envelope.id);
    expect(copies).toHaveLength(1);
    // The payment event names no customer; the stream entry does, so Harry's own stream would get it.
    const ticket = (await ticketFor(apiA, bearer(harry.tokens.accessToken))).body.ticket;
    const justBefore = `${Number(copies[0].id.split('-')[0]) - 1}-0`;
    const harrys = await stream(apiB, `?ticket=${ticket}&lastEventId=${justBefore}`);
    await ready(harrys);
    expect(harrys.named('payment.failed').map((e) => harrys.dataOf(e).id)).toEqual([envelope.id]);
  });

  it('a storefront on an allowed origin may read the stream (CORS and security headers on it)', async () => {
    const cors = await env.startApi([], { http: { corsOrigins: ['https://shop.example'] } });
    try {
      const ivy = await createUser(client, db);
      const ticket = (await ticketFor(cors, bearer(ivy.tokens.accessToken))).body.ticket;
      const held = await stream(cors, `?ticket=${ticket}`, { origin: 'https://shop.example' });
      expect(held.status).toBe(200);
      expect(held.headers.get('access-control-allow-origin')).toBe('https://shop.example');
      expect(held.headers.get('x-content-type-options')).toBe('nosniff');
      expect(held.headers.get('cache-control')).toContain('no-cache');
      await ready(held);
      held.close();
    } finally {
      await cors.close();
    }
  });

  it('shutting a replica down ends its streams, and the replica exits promptly', async () => {
    const extra = await env.startApi();
    const grace = await createUser(client, db);
    const held = await stream(extra, '', bearer(grace.tokens.accessToken));
    await ready(held);
    const started = Date.now();
    await extra.close();
    const tookMs = Date.now() - started;
    await held.waitUntil((s) => s.closedAt !== undefined, 2_000, 'the stream to end');
    expect(tookMs).toBeLessThan(3_000);
  });
});
