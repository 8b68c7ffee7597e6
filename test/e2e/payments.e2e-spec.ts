import { checkedFetch, expectProblem } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { OrderExpiryService } from '../../src/modules/orders/lifecycle/order-expiry.service';
import { SANDBOX_CARDS } from '../../src/modules/payments/providers/sandbox.provider';
import { signPayload } from '../../src/modules/payments/providers/webhook-signature';
import { AuthClient, createUser } from '../support/auth-client';
import {
  orderAwaitingPayment,
  payWithCard,
  startPaymentsShop,
  type PaymentView,
} from '../support/payments-shop';
import { waitFor } from '../support/wait-for';
import { ShopAdmin, ShopClient, type Order, type Shopper } from '../support/shop-client';

type Payment = PaymentView;

const SECRET = 'whsec_sandbox_development_only_secret';

/** Payments with the built-in sandbox provider, end to end through its signed webhooks. */
describe('payments (sandbox provider)', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let worker: INestApplicationContext;
  let db: DataSource;
  let admin: ShopAdmin;
  let shop: ShopClient;
  let client: AuthClient;

  beforeAll(async () => {
    ({ env, api, worker, db, client, admin, shop } = await startPaymentsShop());
  }, 60_000);
  afterAll(() => env.cleanup());

  const cardOrder = (units = 1, shopper?: Shopper) => orderAwaitingPayment(admin, shop, { units, shopper });
  const pay = (orderId: string, shopper: Shopper, card: string, key?: string) =>
    payWithCard(shop, orderId, shopper, card, key);

  const orderStatus = async (orderId: string) =>
    (await admin.send<Order>('GET', `/v1/admin/orders/${orderId}`)).body.status;

  const paymentsOf = async (orderId: string) =>
    (await admin.send<Payment[]>('GET', `/v1/admin/orders/${orderId}/payments`)).body;

  const processedEvents = async (paymentId: string) =>
    Number(
      (
        await db.query<Array<{ n: string }>>(
          "SELECT COUNT(*) AS n FROM payment_events WHERE processed_at IS NOT NULL AND JSON_UNQUOTE(JSON_EXTRACT(event, '$.paymentReference')) = (SELECT provider_reference FROM payments WHERE id = ?)",
          [paymentId],
        )
      )[0].n,
    );

  const deliver = (event: Record<string, unknown>, options: { secret?: string; timestamp?: number } = {}) => {
    const body = JSON.stringify(event);
    return checkedFetch(`${api.baseUrl}/v1/payments/webhooks/sandbox`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signPayload(body, options.secret ?? SECRET, options.timestamp),
      },
      body,
    });
  };

  const sandboxEvent = (type: string, charge: string, amount: number, createdOffset = 0) => ({
    id: `evt_test_${randomUUID()}`,
    type,
    created: Math.floor(Date.now() / 1000) + createdOffset,
    data: { charge, refund: null, amount, currency: 'EUR', paymentId: null },
  });

  it('a good card pays the order at once; its webhook arrives later and changes nothing more', async () => {
    const { order, shopper } = await cardOrder(2);
    const paid = await pay(order.id, shopper, SANDBOX_CARDS.succeeds);
    expect(paid.status).toBe(201);
    expect(paid.body).toEqual(expect.objectContaining({ state: 'captured', amount: order.totals.total }));
    expect(await orderStatus(order.id)).toBe('paid');
    await waitFor(async () => (await processedEvents(paid.body.id)) === 1);
    const detail = (await admin.send<Order>('GET', `/v1/admin/orders/${order.id}`)).body;
    expect(detail.history.filter((entry) => entry.to === 'paid')).toHaveLength(1);
    expect(detail.expiresAt).toBeNull();
  });

  it('payment times keep milliseconds: a payment captured in the second it was created reads updatedAt >= createdAt', async () => {
    // Creation and capture happen in one request, within the same second: an UPDATE that wrote
    // whole seconds (TypeORM's own `updated_at = CURRENT_TIMESTAMP`) read earlier than the creation.
    const times: Array<{ createdAt: string; updatedAt: string }> = [];
    for (let i = 0; i < 3; i++) {
      const { order, shopper } = await cardOrder();
      const paid = await pay(order.id, shopper, SANDBOX_CARDS.succeeds);
      expect(paid.body.state).toBe('captured');
      const [payment] = await paymentsOf(order.id);
      const view = payment as Payment & { createdAt: string; updatedAt: string };
      times.push({ createdAt: view.createdAt, updatedAt: view.updatedAt });
      const [row] = await db.query<Array<{ created: string; updated: string }>>(
        "SELECT DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%s.%f') AS created, DATE_FORMAT(updated_at, '%Y-%m-%dT%H:%i:%s.%f') AS updated FROM payments WHERE id = ?",
        [payment.id],
      );
      expect(`${row.updated.slice(0, 23)}Z`).toBe(view.updatedAt);
      expect(`${row.created.slice(0, 23)}Z`).toBe(view.createdAt);
    }
    for (const { createdAt, updatedAt } of times) {
      expect(Date.parse(updatedAt)).toBeGreaterThanOrEqual(Date.parse(createdAt));
    }
    // Milliseconds are kept (three payments all on a whole second would be a 1-in-a-billion draw).
    expect(times.some(({ updatedAt }) => !updatedAt.endsWith('.000Z'))).toBe(true);
  });

  it('a declined card leaves the order awaiting payment; another card then pays it', async () => {
    const { order, shopper } = await cardOrder();
    const declined = await pay(order.id, shopper, SANDBOX_CARDS.declined);
    expect(declined.body).toEqual(expect.objectContaining({ state: 'failed', failureCode: 'card_declined' }));
    const poor = await pay(order.id, shopper, SANDBOX_CARDS.insufficientFunds);
    expect(poor.body).toEqual(
      expect.objectContaining({ state: 'failed', failureCode: 'insufficient_funds' }),
    );
    expect(await orderStatus(order.id)).toBe('pending_payment');
    expect((await pay(order.id, shopper, SANDBOX_CARDS.succeeds)).body.state).toBe('captured');
    expectProblem(await pay(order.id, shopper, SANDBOX_CARDS.succeeds), 409, '/problems/order-not-payable');
  });

  const chargesOf = async (orderId: string) =>
    Number(
      (
        await db.query<Array<{ charges: string }>>(
          'SELECT COUNT(*) AS charges FROM sandbox_charges c JOIN payments p ON p.id = c.payment_id WHERE p.order_id = ?',
          [orderId],
        )
      )[0].charges,
    );

  it('50 parallel requests with one Idempotency-Key charge once; every answer is the same payment or 409', async () => {
    const { order, shopper } = await cardOrder();
    const key = randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => pay(order.id, shopper, SANDBOX_CARDS.succeeds, key)),
    );
    const created = responses.filter((response) => response.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const response of created) expect(response.body).toEqual(created[0].body);
    for (const response of responses.filter((candidate) => candidate.status !== 201))
      expectProblem(response, 409, '/problems/idempotency-key-in-flight');
    expect(await chargesOf(order.id)).toBe(1);
    expect(await paymentsOf(order.id)).toHaveLength(1);
  });

  it('50 parallel requests with different keys for one order: one pays it, the rest are 409', async () => {
    const { order, shopper } = await cardOrder();
    // The delayed card keeps the first payment under way while the others arrive.
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => pay(order.id, shopper, SANDBOX_CARDS.succeedsLater)),
    );
    const created = responses.filter((response) => response.status === 201);
    expect(created).toHaveLength(1);
    for (const response of responses.filter((candidate) => candidate.status !== 201)) {
      expectProblem(response, 409);
      expect(['/problems/payment-in-progress', '/problems/order-not-payable']).toContain(
        (response.body as unknown as { type: string }).type,
      );
    }
    expect(await chargesOf(order.id)).toBe(1);
    expect(await paymentsOf(order.id)).toHaveLength(1);
    await waitFor(async () => (await orderStatus(order.id)) === 'paid');
  });

  it('a second request with a new key while a payment is under way is refused, not re-driven', async () => {
    const { order, shopper } = await cardOrder();
    const lost = await pay(order.id, shopper, SANDBOX_CARDS.answerLost);
    expect(lost.status).toBe(503);
    const other = await pay(order.id, shopper, SANDBOX_CARDS.succeeds);
    expectProblem(other, 409, '/problems/payment-in-progress');
    expect(await chargesOf(order.id)).toBe(1);
    expect(await paymentsOf(order.id)).toHaveLength(1);
  });

  it('a charge whose answer was lost: 503, and the retry with the same key charges nothing more', async () => {
    const { order, shopper } = await cardOrder();
    const key = randomUUID();
    const lost = await pay(order.id, shopper, SANDBOX_CARDS.answerLost, key);
    expectProblem(lost, 503, '/problems/payment-provider-unavailable');
    expect(lost.headers.get('retry-after')).toBe('2');
    const retried = await pay(order.id, shopper, SANDBOX_CARDS.answerLost, key);
    expect(retried.status).toBe(201);
    expect(retried.body.state).toBe('captured');
    const [{ charges }] = await db.query<Array<{ charges: string }>>(
      'SELECT COUNT(*) AS charges FROM sandbox_charges c JOIN payments p ON p.id = c.payment_id WHERE p.order_id = ?',
      [order.id],
    );
    expect(Number(charges)).toBe(1);
    expect(await paymentsOf(order.id)).toHaveLength(1);
    expect(await orderStatus(order.id)).toBe('paid');
  });

  it('the card that succeeds after a delay pays the order through the webhook alone', async () => {
    const { order, shopper } = await cardOrder();
    const started = await pay(order.id, shopper, SANDBOX_CARDS.succeedsLater);
    expect(started.body.state).toBe('pending');
    expect(await orderStatus(order.id)).toBe('pending_payment');
    await waitFor(async () => (await orderStatus(order.id)) === 'paid');
    expect((await paymentsOf(order.id))[0].state).toBe('captured');
  });

  it('refuses a bad, stale or tampered signature before anything else, and takes an event once', async () => {
    const { order, shopper } = await cardOrder();
    const started = await pay(order.id, shopper, SANDBOX_CARDS.succeedsLater);
    // The sandbox would settle it by itself in 300 ms: hold it, so only the events below can.
    await db.query("UPDATE sandbox_charges SET state = 'held' WHERE id = ?", [
      started.body.providerReference,
    ]);
    const event = sandboxEvent('payment.captured', started.body.providerReference!, order.totals.total);
    const count = async () =>
      Number(
        (
          await db.query<Array<{ n: string }>>(
            'SELECT COUNT(*) AS n FROM payment_events WHERE event_id = ?',
            [event.id],
          )
        )[0].n,
      );
    const body = JSON.stringify(event);
    const post = (headers: Record<string, string>, payload = body) =>
      checkedFetch(`${api.baseUrl}/v1/payments/webhooks/sandbox`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: payload,
      });
    const now = Math.floor(Date.now() / 1000);
    // Change one byte of the body: the amount's last digit.
    const amount = `"amount":${order.totals.total}`;
    const oneByte = body.replace(
      amount,
      `"amount":${order.totals.total + (order.totals.total % 10 === 9 ? -1 : 1)}`,
    );
    expect(oneByte).not.toBe(body);
    expect(oneByte.length).toBe(body.length);
    const matrix: Array<[string, Promise<Response>]> = [
      ['missing header', post({})],
      ['malformed header', post({ 'stripe-signature': 'not-a-signature' })],
      ['header without v1', post({ 'stripe-signature': `t=${now}` })],
      ['body changed by one byte', post({ 'stripe-signature': signPayload(body, SECRET) }, oneByte)],
      ['wrong secret', deliver(event, { secret: 'whsec_not_the_secret_at_all' })],
      ['301 s old', deliver(event, { timestamp: now - 301 })],
      // A minute past the tolerance: `now` is read once before the matrix, and on a loaded machine a request can
      // reach the server seconds later, which brings a timestamp only 1 s past the limit back inside it.
      ['360 s in the future', deliver(event, { timestamp: now + 360 })],
    ];
    for (const [name, pending] of matrix) {
      const response = await pending;
      expect({ name, status: response.status }).toEqual({ name, status: 400 });
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await response.json()) as { type: string }).type).toBe('/problems/webhook-signature-invalid');
    }
    // No database change: no event recorded, the payment and the order as they were.
    expect(await count()).toBe(0);
    expect((await paymentsOf(order.id))[0].state).toBe('pending');
    expect(await orderStatus(order.id)).toBe('pending_payment');
    // The same valid event three times: one record, one effect.
    const deliveries = [await deliver(event), await deliver(event), await deliver(event)];
    expect(deliveries.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(await Promise.all(deliveries.map((response) => response.json()))).toEqual([
      { received: true, duplicate: false },
      { received: true, duplicate: true },
      { received: true, duplicate: true },
    ]);
    expect(await count()).toBe(1);
    await waitFor(async () => (await orderStatus(order.id)) === 'paid');
    await waitFor(async () => (await processedEvents(started.body.id)) >= 1);
    const detail = (await admin.send<Order>('GET', `/v1/admin/orders/${order.id}`)).body;
    expect(detail.history.filter((entry) => entry.to === 'paid')).toHaveLength(1);
  });

  it('events out of order end where in-order delivery would: captured stays captured', async () => {
    const { order, shopper } = await cardOrder();
    const started = await pay(order.id, shopper, SANDBOX_CARDS.succeedsLater);
    const reference = started.body.providerReference!;
    expect((await deliver(sandboxEvent('payment.captured', reference, order.totals.total, 2))).status).toBe(
      200,
    );
    expect((await deliver(sandboxEvent('payment.authorized', reference, order.totals.total, 1))).status).toBe(
      200,
    );
    // The two delivered by hand, then the sandbox's own settle event (a third payment.captured).
    await waitFor(
      async () => (await processedEvents(started.body.id)) >= 3,
      15_000,
      "the sandbox's settle event to be processed",
    );
    expect((await paymentsOf(order.id))[0].state).toBe('captured');
    expect(await orderStatus(order.id)).toBe('paid');
  });

  it('events in every order, with a redelivery among them, end in the in-order state', async () => {
    const permutations = (items: number[]): number[][] =>
      items.length <= 1
        ? [items]
        : items.flatMap((item, index) =>
            permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [
              item,
              ...rest,
            ]),
          );
    for (const order of await Promise.all(
      permutations([0, 1, 2]).map(async (permutation) => {
        const { order, shopper } = await cardOrder();
        const started = await pay(order.id, shopper, SANDBOX_CARDS.succeedsLater);
        await db.query("UPDATE sandbox_charges SET state = 'held' WHERE id = ?", [
          started.body.providerReference,
        ]);
        return { order, reference: started.body.providerReference!, paymentId: started.body.id, permutation };
      }),
    )) {
      const authorized = sandboxEvent('payment.authorized', order.reference, order.order.totals.total, 1);
      const captured = sandboxEvent('payment.captured', order.reference, order.order.totals.total, 2);
      const events = [authorized, captured, captured]; // the third is a redelivery of the second
      for (const index of order.permutation) expect((await deliver(events[index])).status).toBe(200);
      await waitFor(async () => (await processedEvents(order.paymentId)) === 2);
      const [payment] = await paymentsOf(order.order.id);
      expect({
        permutation: order.permutation,
        state: payment.state,
        captured: payment.capturedAmount,
      }).toEqual({
        permutation: order.permutation,
        state: 'captured',
        captured: order.order.totals.total,
      });
      const detail = (await admin.send<Order>('GET', `/v1/admin/orders/${order.order.id}`)).body;
      expect(detail.status).toBe('paid');
      expect(detail.history.filter((entry) => entry.to === 'paid')).toHaveLength(1);
    }
  });

  it('an event whose amount does not match never marks the order paid; it is flagged', async () => {
    const { order, shopper } = await cardOrder();
    // Settled later by the sandbox; here a forged (but correctly signed) event with the wrong amount.
    await db.query(
      "UPDATE sandbox_charges SET state = 'held' WHERE payment_id IN (SELECT id FROM payments WHERE order_id = ?)",
      [order.id],
    );
    const started = await pay(order.id, shopper, SANDBOX_CARDS.succeedsLater);
    await db.query("UPDATE sandbox_charges SET state = 'held' WHERE id = ?", [
      started.body.providerReference,
    ]);
    expect((await deliver(sandboxEvent('payment.captured', started.body.providerReference!, 1))).status).toBe(
      200,
    );
    await waitFor(async () => (await processedEvents(started.body.id)) >= 1);
    const [payment] = await paymentsOf(order.id);
    expect(payment.state).toBe('pending');
    expect(payment.flaggedReason).toMatch(/provider says 1 EUR/);
    expect(await orderStatus(order.id)).toBe('pending_payment');
  });

  it('money that arrives after the order expired is refunded automatically, and the customer told', async () => {
    const { order, shopper, variantId } = await cardOrder(3);
    const started = await pay(order.id, shopper, SANDBOX_CARDS.succeedsLater);
    // The deadline passes before the sandbox settles: the order is cancelled and its stock released.
    expect(await worker.get(OrderExpiryService).expire(order.id, new Date(Date.now() + 3_600_000))).toBe(
      true,
    );
    await waitFor(async () => (await paymentsOf(order.id))[0].state === 'refunded');
    const [payment] = await paymentsOf(order.id);
    expect(payment).toEqual(
      expect.objectContaining({ capturedAmount: order.totals.total, refundedAmount: order.totals.total }),
    );
    expect(payment.flaggedReason).toMatch(/refunded automatically/);
    expect(await orderStatus(order.id)).toBe('cancelled');
    const [told] = await db.query<Array<{ n: string }>>(
      "SELECT COUNT(*) AS n FROM outbox WHERE job_name = 'payment.late-refund' AND JSON_EXTRACT(payload, '$.orderId') = ?",
      [order.id],
    );
    expect(Number(told.n)).toBe(1);
    const [{ reserved }] = await db.query<Array<{ reserved: string }>>(
      'SELECT SUM(reserved) AS reserved FROM inventory_levels WHERE variant_id = ?',
      [variantId],
    );
    expect(Number(reserved)).toBe(0);
    void started;
  });

  it('staff record a manual payment and refund it in parts, never more than was taken', async () => {
    const { variantId } = await admin.variantWithStock(5, 4000);
    const started = await shop.newCart();
    await shop.add(started.cart.id, started.shopper, variantId, 1);
    await shop.prepare(started.cart.id, started.shopper);
    const order = (await shop.checkout(started.cart.id, started.shopper)).body;
    const key = randomUUID();
    const recorded = await admin.send<Payment>(
      'POST',
      `/v1/admin/orders/${order.id}/payments`,
      { reference: 'TRANSFER-1' },
      { 'idempotency-key': key },
    );
    expect(recorded.status).toBe(201);
    expect(recorded.body.state).toBe('captured');
    expect(await orderStatus(order.id)).toBe('paid');
    expectProblem(
      await admin.send(
        'POST',
        `/v1/admin/orders/${order.id}/payments`,
        {},
        { 'idempotency-key': randomUUID() },
      ),
      409,
      '/problems/order-not-payable',
    );
    const refund = (amount: number) =>
      admin.send(
        'POST',
        `/v1/admin/payments/${recorded.body.id}/refunds`,
        { amount, reason: 'damaged' },
        { 'idempotency-key': randomUUID() },
      );
    expect((await refund(1000)).status).toBe(202);
    expectProblem(await refund(order.totals.total), 409, '/problems/refund-not-possible');
    await waitFor(async () => (await paymentsOf(order.id))[0].refundedAmount === 1000);
    expect((await paymentsOf(order.id))[0].state).toBe('partially_refunded');
    await waitFor(async () => (await orderStatus(order.id)) === 'partially_refunded');
    expect((await refund(order.totals.total - 1000)).status).toBe(202);
    await waitFor(async () => (await orderStatus(order.id)) === 'refunded');
  });

  it('another customer cannot pay, or see, an order that is not theirs', async () => {
    const alice = await createUser(client, db);
    const bob = await createUser(client, db);
    const { order } = await cardOrder(1, { token: alice.tokens.accessToken });
    expectProblem(await pay(order.id, { token: bob.tokens.accessToken }, SANDBOX_CARDS.succeeds), 404);
    expectProblem(await pay(order.id, {}, SANDBOX_CARDS.succeeds), 404);
    expect(await paymentsOf(order.id)).toHaveLength(0);
  });

  it('with manual capture a card is authorized (the order is paid) and staff capture part of it by a job', async () => {
    const authorizing = await env.startApi([], {
      rateLimit: { max: 1_000_000 },
      payments: { captureMethod: 'manual' },
    });
    try {
      const { order, shopper } = await cardOrder(2);
      const authorized = await new ShopClient(authorizing.baseUrl).send<Payment>(
        'POST',
        `/v1/orders/${order.id}/payments`,
        shopper,
        { paymentMethod: SANDBOX_CARDS.succeeds },
        { 'idempotency-key': randomUUID() },
      );
      expect(authorized.body.state).toBe('authorized');
      expect(await orderStatus(order.id)).toBe('paid');
      const refundTooEarly = await admin.send(
        'POST',
        `/v1/admin/payments/${authorized.body.id}/refunds`,
        { amount: 100 },
        { 'idempotency-key': randomUUID() },
      );
      expectProblem(refundTooEarly, 409, '/problems/refund-not-possible');
      const part = order.totals.total - 500;
      const capture = (amount: number) =>
        admin.send<Payment>(
          'POST',
          `/v1/admin/payments/${authorized.body.id}/capture`,
          { amount },
          { 'idempotency-key': randomUUID() },
        );
      expectProblem(await capture(order.totals.total + 1), 409, '/problems/capture-not-possible');
      expect((await capture(part)).status).toBe(202);
      await waitFor(async () => (await paymentsOf(order.id))[0].state === 'captured');
      expect((await paymentsOf(order.id))[0].capturedAmount).toBe(part);
      const refundAll = await admin.send(
        'POST',
        `/v1/admin/payments/${authorized.body.id}/refunds`,
        { amount: part + 1 },
        { 'idempotency-key': randomUUID() },
      );
      expectProblem(refundAll, 409, '/problems/refund-not-possible');
    } finally {
      await authorizing.close();
    }
  });
});
