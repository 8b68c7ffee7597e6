import { expectProblem, SmtpReceiver } from '@app/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EVENTS_QUEUE, WEBHOOKS_QUEUE } from '../../src/modules/notifications';
import { WebhookFanoutService } from '../../src/modules/notifications/webhooks/webhook-fanout.service';
import { AuthClient, createUser } from '../support/auth-client';
import { orderAwaitingPayment } from '../support/payments-shop';
import { ShopAdmin, ShopClient } from '../support/shop-client';
import type { TestApi } from '../support/test-environment';
import { TestEnvironment } from '../support/test-environment';
import { waitFor, waitForQueuesToSettle } from '../support/wait-for';
import { verifyStandardWebhook, WebhookReceiver, type ReceivedWebhook } from '../support/webhook-receiver';

interface Endpoint {
  id: string;
  url: string;
  eventTypes: string[];
  enabled: boolean;
  disabledReason: string | null;
  previousSecretExpiresAt: string | null;
  secret?: string;
}
interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attemptCount: number;
  lastStatusCode: number | null;
}
interface DeliveryDetail extends Delivery {
  body: string;
  attempts: Array<{
    series: number;
    attempt: number;
    attemptedAt: string;
    outcome: string;
    statusCode: number | null;
    durationMs: number;
    responseBody: string | null;
    error: string | null;
  }>;
}
interface Body {
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown> & { orderId?: string; to?: string; order?: { id: string; status: string } };
}

const RETRIES = [30, 30, 30, 30]; // 5 attempts in all, in milliseconds
const STAFF = 'staff-alerts@example.test';

/**
 * Outgoing webhooks end to end: real API and worker, real receivers on 127.0.0.1, every delivery
 * verified with the official `standardwebhooks` package.
 */
describe('webhooks', () => {
  let env: TestEnvironment;
  let api: TestApi;
  /** An API whose SSRF allow-list is empty (what production runs). */
  let strictApi: TestApi;
  let worker: INestApplicationContext;
  let db: DataSource;
  let admin: ShopAdmin;
  let strictAdmin: ShopAdmin;
  let shop: ShopClient;
  let client: AuthClient;
  let smtp: SmtpReceiver;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    smtp = await SmtpReceiver.start();
    env = await TestEnvironment.create({
      webhooks: { allowHttp: true, allowedHosts: ['127.0.0.1', 'localhost'], retryScheduleMs: RETRIES },
      mail: { host: '127.0.0.1', port: smtp.port, secure: false },
      catalog: { staffAlertEmail: STAFF },
    });
    api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    strictApi = await env.startApi([], { rateLimit: { max: 1_000_000 }, webhooks: { allowedHosts: [] } });
    // The worker lets 127.0.0.1 through, but not the name localhost: the delivery-time check is its own.
    worker = await env.startWorker([], { webhooks: { allowedHosts: ['127.0.0.1'] } });
    db = api.app.get(DataSource);
    client = new AuthClient(api.baseUrl);
    const owner = await createUser(client, db, { role: 'admin' });
    admin = new ShopAdmin(client, owner.tokens.accessToken);
    await admin.setUp();
    strictAdmin = new ShopAdmin(new AuthClient(strictApi.baseUrl), owner.tokens.accessToken);
    shop = new ShopClient(api.baseUrl);
  }, 60_000);

  afterAll(async () => {
    for (const receiver of receivers) await receiver.close();
    await env.cleanup();
    await smtp.close();
  });

  const receiver = async () => {
    const started = await WebhookReceiver.start();
    receivers.push(started);
    return started;
  };
  const register = async (url: string, eventTypes: string[] = ['*']) => {
    const created = await admin.send<Endpoint>('POST', '/v1/admin/webhooks', { url, eventTypes });
    if (created.status !== 201) throw new Error(`register: ${created.status} ${created.text}`);
    return created.body as Endpoint & { secret: string };
  };
  const ping = async (endpointId: string) => {
    const sent = await admin.send<Delivery>('POST', `/v1/admin/webhooks/${endpointId}/ping`);
    expect(sent.status).toBe(202);
    return sent.body;
  };
  const delivery = async (endpointId: string, deliveryId: string) =>
    (await admin.send<DeliveryDetail>('GET', `/v1/admin/webhooks/${endpointId}/deliveries/${deliveryId}`))
      .body;
  const settledDelivery = async (endpointId: string, deliveryId: string) => {
    await waitFor(
      async () => (await delivery(endpointId, deliveryId)).status !== 'pending',
      15_000,
      'the delivery',
    );
    return delivery(endpointId, deliveryId);
  };
  const endpoint = async (id: string) => (await admin.send<Endpoint>('GET', `/v1/admin/webhooks/${id}`)).body;
  const disable = (id: string) => admin.send('PATCH', `/v1/admin/webhooks/${id}`, { enabled: false });

  it('registers an endpoint (secret shown once), lists, changes and removes it, each write audited', async () => {
    const hook = await receiver();
    const created = await register(hook.url(), ['order.*']);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const read = await admin.send<Endpoint>('GET', `/v1/admin/webhooks/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(expect.objectContaining({ id: created.id, url: hook.url(), enabled: true }));
    expect(read.text).not.toContain('whsec_');
    const [{ sealed }] = await db.query<Array<{ sealed: string }>>(
      'SELECT secret_sealed AS sealed FROM webhook_endpoints WHERE id = ?',
      [created.id],
    );
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain(created.secret.slice(6, 20));

    const second = await register(hook.url('/other'), ['payment.*', 'inventory.low-stock']);
    const first = await admin.send<{ data: Endpoint[]; nextCursor: string }>(
      'GET',
      '/v1/admin/webhooks?limit=1',
    );
    expect(first.body.data.map((row) => row.id)).toEqual([second.id]);
    const next = await admin.send<{ data: Endpoint[] }>(
      'GET',
      `/v1/admin/webhooks?limit=1&cursor=${first.body.nextCursor}`,
    );
    expect(next.body.data.map((row) => row.id)).toEqual([created.id]);

    const changed = await admin.send<Endpoint>('PATCH', `/v1/admin/webhooks/${created.id}`, {
      eventTypes: ['order.paid', 'payment.*'],
      description: 'ERP',
      enabled: false,
    });
    expect(changed.body).toEqual(
      expect.objectContaining({
        eventTypes: ['order.paid', 'payment.*'],
        enabled: false,
        disabledReason: 'manual',
      }),
    );
    expect((await admin.send('DELETE', `/v1/admin/webhooks/${second.id}`)).status).toBe(204);
    expectProblem(await admin.send('GET', `/v1/admin/webhooks/${second.id}`), 404);
    const audit = await db.query<Array<{ action: string }>>(
      "SELECT action FROM audit_log WHERE target_type = 'webhook' AND target_id IN (?, ?) ORDER BY id",
      [created.id, second.id],
    );
    expect(audit.map((row) => row.action)).toEqual([
      'webhook.created',
      'webhook.created',
      'webhook.updated',
      'webhook.deleted',
    ]);
  });

  it('bad input gets a 4xx problem: bad URL, bad filter, unknown endpoint, staff without webhooks:manage', async () => {
    const hook = await receiver();
    for (const url of ['ftp://example.com/hook', 'not a url', 'https://user:pw@example.com/hook'])
      expectProblem(
        await admin.send('POST', '/v1/admin/webhooks', { url, eventTypes: ['*'] }),
        422,
        '/problems/webhook-url-refused',
      );
    for (const eventTypes of [[], ['order'], ['orders.*'], ['order.unknown'], ['*.paid'], 'order.*'])
      expectProblem(
        await admin.send('POST', '/v1/admin/webhooks', { url: hook.url(), eventTypes }),
        400,
        '/problems/validation-failed',
      );
    expectProblem(
      await admin.send('POST', '/v1/admin/webhooks', { url: hook.url(), eventTypes: ['*'], secret: 'mine' }),
      400,
    );
    const missing = '0190a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b';
    expectProblem(await admin.send('GET', `/v1/admin/webhooks/${missing}`), 404);
    expectProblem(await admin.send('PATCH', `/v1/admin/webhooks/${missing}`, { enabled: true }), 404);
    expectProblem(await admin.send('POST', `/v1/admin/webhooks/${missing}/ping`), 404);
    expectProblem(await admin.send('GET', `/v1/admin/webhooks/${missing}/deliveries`), 404);
    const created = await register(hook.url());
    expectProblem(await admin.send('GET', `/v1/admin/webhooks/${created.id}/deliveries/msg_nothing`), 404);
    expectProblem(
      await admin.send('POST', `/v1/admin/webhooks/${created.id}/replay-failed`, { since: 'yesterday' }),
      400,
    );
    const staff = await createUser(client, db, { role: 'staff' });
    const asStaff = new ShopAdmin(client, staff.tokens.accessToken);
    expectProblem(await asStaff.send('GET', '/v1/admin/webhooks'), 403);
    expectProblem(
      await asStaff.send('POST', '/v1/admin/webhooks', { url: hook.url(), eventTypes: ['*'] }),
      403,
    );
    expectProblem(await asStaff.send('POST', `/v1/admin/webhooks/${created.id}/rotate-secret`), 403);
    await disable(created.id);
  });

  it('SSRF at registration: loopback, private, metadata, IPv6 loopback and a name resolving to loopback are refused', async () => {
    for (const url of [
      'http://127.0.0.1:9/hook',
      'https://10.0.0.1/hook',
      'https://169.254.169.254/latest/meta-data/',
      'https://[::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'http://localhost:9/hook',
    ]) {
      const refused = await strictAdmin.send('POST', '/v1/admin/webhooks', { url, eventTypes: ['*'] });
      expectProblem(refused, 422, '/problems/webhook-url-refused');
    }
    const [{ n }] = await db.query<Array<{ n: string }>>(
      'SELECT COUNT(*) AS n FROM webhook_endpoints WHERE url LIKE ?',
      ['%:9/hook'],
    );
    expect(Number(n)).toBe(0);
  });

  it('an order placed → paid → fulfilled → shipped → refunded arrives as signed events, each once, with the order as the API shows it', async () => {
    const hook = await receiver();
    const created = await register(hook.url(), ['order.*']);
    const { order } = await orderAwaitingPayment(admin, shop, { units: 1, paymentMethod: 'bank_transfer' });
    const eventsOf = () =>
      hook.received
        .map((request) => ({ request, body: JSON.parse(request.body) as Body }))
        .filter(({ body }) => body.data.orderId === order.id);
    const arrived = (type: string) =>
      waitFor(
        () => Promise.resolve(eventsOf().some(({ body }) => body.type === type)),
        15_000,
        `${type} to arrive`,
      );

    await arrived('order.placed');
    await admin.must('POST', `/v1/admin/orders/${order.id}/transitions`, { to: 'paid' });
    await arrived('order.paid');
    await admin.must('POST', `/v1/admin/orders/${order.id}/fulfilments`, {
      lines: order.lines.map((line) => ({ orderLineId: line.id, quantity: line.quantity })),
      carrier: 'DHL',
      trackingNumber: '00340434161234567890',
    });
    await arrived('order.fulfilled');
    await admin.must('POST', `/v1/admin/orders/${order.id}/transitions`, { to: 'shipped' });
    await arrived('order.shipped');
    await admin.must('POST', `/v1/admin/orders/${order.id}/transitions`, { to: 'refunded' });
    await arrived('order.refunded');
    await waitForQueuesToSettle(worker, [EVENTS_QUEUE, WEBHOOKS_QUEUE]);

    const events = eventsOf();
    expect(events.map(({ body }) => body.type)).toEqual([
      'order.placed',
      'order.paid',
      'order.fulfilled',
      'order.shipped',
      'order.refunded',
    ]);
    // Each delivery once: one request per webhook-id, and five different ids.
    const ids = events.map(({ request }) => request.headers['webhook-id']);
    expect(new Set(ids).size).toBe(5);
    for (const { request, body } of events) {
      expect(verifyStandardWebhook(created.secret, request.headers, request.body)).toEqual(body);
      expect(request.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(body.data.order).toEqual(expect.objectContaining({ id: order.id, status: body.data.to }));
    }
    // The order in the body is what GET /v1/admin/orders/{id} returns (the last event's, now).
    const current = await admin.must<Record<string, unknown>>('GET', `/v1/admin/orders/${order.id}`);
    expect(events[4].body.data.order).toEqual(current);
    // A wrong secret does not verify.
    const other = await register(hook.url('/x'), ['inventory.*']);
    expect(() =>
      verifyStandardWebhook(other.secret, events[0].request.headers, events[0].request.body),
    ).toThrow();
    await disable(created.id);
    await disable(other.id);
  });

  it('a redelivered event creates no second delivery and no second request', async () => {
    const hook = await receiver();
    const created = await register(hook.url(), ['inventory.low-stock']);
    const event = {
      id: `redelivered-${Date.now()}`,
      type: 'inventory.low-stock' as const,
      timestamp: new Date().toISOString(),
      payload: { variantId: 'v1', sku: 'SKU-1', available: 1, threshold: 5 },
    };
    const fanout = worker.get(WebhookFanoutService);
    await fanout.handle(event);
    await fanout.handle(event);
    await waitFor(() => Promise.resolve(hook.received.length === 1));
    await fanout.handle(event);
    await waitForQueuesToSettle(worker, [WEBHOOKS_QUEUE]);
    const rows = await db.query<Array<{ id: string }>>(
      'SELECT id FROM webhook_deliveries WHERE event_id = ?',
      [event.id],
    );
    expect(rows).toHaveLength(1);
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0].headers['webhook-id']).toBe(rows[0].id);
    await disable(created.id);
  });

  it('after a secret rotation both signatures verify during the grace period, then only the new one', async () => {
    const hook = await receiver();
    const created = await register(hook.url());
    const rotated = await admin.send<{ secret: string; previousSecretExpiresAt: string }>(
      'POST',
      `/v1/admin/webhooks/${created.id}/rotate-secret`,
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(created.secret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * 3600_000);
    expect((await endpoint(created.id)).previousSecretExpiresAt).toBe(rotated.body.previousSecretExpiresAt);

    const sent = await ping(created.id);
    await waitFor(() => Promise.resolve(hook.received.length === 1));
    const [request] = hook.received;
    expect(String(request.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifyStandardWebhook(created.secret, request.headers, request.body)).toEqual(
      expect.objectContaining({ type: 'webhook.ping', data: { endpointId: created.id } }),
    );
    expect(verifyStandardWebhook(rotated.body.secret, request.headers, request.body)).toBeDefined();
    expect(request.headers['webhook-id']).toBe(sent.id);

    // The grace period ends: only the new secret signs.
    await db.query(
      'UPDATE webhook_endpoints SET previous_secret_expires_at = NOW(3) - INTERVAL 1 SECOND WHERE id = ?',
      [created.id],
    );
    await ping(created.id);
    await waitFor(() => Promise.resolve(hook.received.length === 2));
    const later = hook.received[1];
    expect(String(later.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verifyStandardWebhook(rotated.body.secret, later.headers, later.body)).toBeDefined();
    expect(() => verifyStandardWebhook(created.secret, later.headers, later.body)).toThrow();
    await disable(created.id);
  });

  it('a receiver failing 3 times then answering 200: delivered, 4 attempts logged, the same id and bytes each time', async () => {
    const hook = await receiver();
    hook.answer = (_request, index) =>
      index < 3 ? { status: 500, body: `boom ${index}` } : { status: 200, body: 'ok' };
    const created = await register(hook.url());
    const sent = await ping(created.id);
    const done = await settledDelivery(created.id, sent.id);
    expect(done.status).toBe('delivered');
    expect(done.attemptCount).toBe(4);
    expect(done.attempts.map((attempt) => [attempt.attempt, attempt.outcome, attempt.statusCode])).toEqual([
      [1, 'failed', 500],
      [2, 'failed', 500],
      [3, 'failed', 500],
      [4, 'delivered', 200],
    ]);
    expect(done.attempts[0]).toEqual(
      expect.objectContaining({
        responseBody: 'boom 0',
        error: 'the receiver answered 500',
        durationMs: expect.any(Number),
      }),
    );
    expect(hook.received).toHaveLength(4);
    expect(new Set(hook.received.map((request) => request.headers['webhook-id']))).toEqual(
      new Set([sent.id]),
    );
    expect(new Set(hook.received.map((request) => request.body))).toEqual(new Set([done.body]));
    for (const request of hook.received)
      expect(verifyStandardWebhook(created.secret, request.headers, request.body)).toBeDefined();
    // Retries wait (30 ms ± 10 % here), they do not hammer.
    for (let i = 1; i < hook.received.length; i++)
      expect(hook.received[i].at - hook.received[i - 1].at).toBeGreaterThanOrEqual(25);

    const list = await admin.send<{ data: Delivery[] }>(
      'GET',
      `/v1/admin/webhooks/${created.id}/deliveries?status=delivered`,
    );
    expect(list.body.data.map((row) => row.id)).toEqual([sent.id]);
    await disable(created.id);
  });

  it('410 Gone disables the endpoint at once and mails staff; further pings are refused', async () => {
    const hook = await receiver();
    hook.answer = () => ({ status: 410 });
    const created = await register(hook.url());
    const sent = await ping(created.id);
    const done = await settledDelivery(created.id, sent.id);
    expect(done).toEqual(expect.objectContaining({ status: 'failed', attemptCount: 1, lastStatusCode: 410 }));
    expect(await endpoint(created.id)).toEqual(
      expect.objectContaining({ enabled: false, disabledReason: 'gone' }),
    );
    const mail = await smtp.waitForMessage(
      (message) => message.recipients.includes(STAFF) && (message.parsed.subject ?? '').includes(hook.url()),
    );
    expect(mail.parsed.text).toContain('410 Gone');
    expectProblem(
      await admin.send('POST', `/v1/admin/webhooks/${created.id}/ping`),
      409,
      '/problems/webhook-endpoint-disabled',
    );
    expect(hook.received).toHaveLength(1);
  });

  it('delivery-time SSRF: a name resolving to loopback is refused, a redirect to the metadata address is not followed', async () => {
    const hook = await receiver();
    // Registered through an API that allows the name localhost; the worker does not.
    const byName = await register(hook.url('/hook', 'localhost'));
    const refused = await settledDelivery(byName.id, (await ping(byName.id)).id);
    expect(refused.status).toBe('failed');
    expect(refused.attempts).toEqual([
      expect.objectContaining({
        outcome: 'refused',
        statusCode: null,
        error: expect.stringMatching(/localhost resolves to/),
      }),
    ]);
    expect(hook.received).toHaveLength(0);
    await disable(byName.id);

    const redirecting = await receiver();
    redirecting.answer = () => ({
      status: 302,
      headers: { location: 'http://169.254.169.254/latest/meta-data/' },
    });
    const created = await register(redirecting.url());
    const done = await settledDelivery(created.id, (await ping(created.id)).id);
    expect(done.status).toBe('failed');
    expect(done.attempts).toHaveLength(RETRIES.length + 1);
    for (const attempt of done.attempts)
      expect(attempt).toEqual(
        expect.objectContaining({
          outcome: 'failed',
          statusCode: 302,
          error: 'redirect not followed (Location: http://169.254.169.254/latest/meta-data/)',
        }),
      );
    // Every request went to the receiver itself: the redirect was never followed.
    expect(redirecting.received).toHaveLength(RETRIES.length + 1);
    // Failing for less than WEBHOOKS_DISABLE_AFTER_DAYS leaves the endpoint on.
    expect((await endpoint(created.id)).enabled).toBe(true);
    await disable(created.id);
  });

  it('an endpoint whose deliveries have all failed for days is disabled (staff mailed); replay after re-enabling delivers with the same id', async () => {
    const hook = await receiver();
    let healthy = false;
    hook.answer = () => (healthy ? { status: 204 } : { status: 503, body: 'down' });
    const created = await register(hook.url());
    const first = await settledDelivery(created.id, (await ping(created.id)).id);
    expect(first.status).toBe('failed');
    // It has been failing for six days (more than WEBHOOKS_DISABLE_AFTER_DAYS = 5).
    await db.query('UPDATE webhook_endpoints SET failing_since = NOW(3) - INTERVAL 6 DAY WHERE id = ?', [
      created.id,
    ]);
    const second = await settledDelivery(created.id, (await ping(created.id)).id);
    expect(second.status).toBe('failed');
    expect(await endpoint(created.id)).toEqual(
      expect.objectContaining({ enabled: false, disabledReason: 'failing' }),
    );
    await smtp.waitForMessage(
      (message) => message.recipients.includes(STAFF) && (message.parsed.text ?? '').includes(created.id),
    );

    healthy = true;
    expect((await admin.send('PATCH', `/v1/admin/webhooks/${created.id}`, { enabled: true })).status).toBe(
      200,
    );
    const replayed = await admin.send<Delivery>(
      'POST',
      `/v1/admin/webhooks/${created.id}/deliveries/${first.id}/replay`,
    );
    expect(replayed.status).toBe(202);
    const again = await settledDelivery(created.id, first.id);
    expect(again.status).toBe('delivered');
    expect(again.attempts.filter((attempt) => attempt.series === 1)).toEqual([
      expect.objectContaining({ attempt: 1, outcome: 'delivered', statusCode: 204 }),
    ]);
    const lastRequest: ReceivedWebhook = hook.received[hook.received.length - 1];
    expect(lastRequest.headers['webhook-id']).toBe(first.id);
    expect(lastRequest.body).toBe(first.body);

    // The other failed delivery, by the bulk replay.
    const since = new Date(Date.now() - 3600_000).toISOString();
    const bulk = await admin.send<{ replayed: number }>(
      'POST',
      `/v1/admin/webhooks/${created.id}/replay-failed`,
      {
        since,
      },
    );
    expect(bulk.body).toEqual({ replayed: 1 });
    expect((await settledDelivery(created.id, second.id)).status).toBe('delivered');
    const failed = await admin.send<{ data: Delivery[] }>(
      'GET',
      `/v1/admin/webhooks/${created.id}/deliveries?status=failed`,
    );
    expect(failed.body.data).toEqual([]);
    const page = await admin.send<{ data: Delivery[]; nextCursor: string }>(
      'GET',
      `/v1/admin/webhooks/${created.id}/deliveries?limit=1`,
    );
    expect(page.body.data.map((row) => row.id)).toEqual([second.id]);
    const rest = await admin.send<{ data: Delivery[]; nextCursor: string | null }>(
      'GET',
      `/v1/admin/webhooks/${created.id}/deliveries?limit=1&cursor=${page.body.nextCursor}`,
    );
    expect(rest.body).toEqual({ data: [expect.objectContaining({ id: first.id })], nextCursor: null });
  });
});
