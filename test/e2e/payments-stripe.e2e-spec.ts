import { INestApplicationContext } from '@nestjs/common';
import { expectProblem, FAKE_STRIPE_PAYMENT_METHODS as PM, FakeStripe } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PaymentReconciliationService } from '../../src/modules/payments/settlement/payment-reconciliation.service';
import { AuthClient, createUser } from '../support/auth-client';
import { ShopAdmin, ShopClient, type Order, type Shopper } from '../support/shop-client';
import { waitFor } from '../support/wait-for';

interface Payment {
  id: string;
  state: string;
  providerReference: string | null;
  capturedAmount: number;
  refundedAmount: number;
  failureCode: string | null;
  flaggedReason?: string | null;
}

/** Payments with the Stripe adapter against a local Stripe-compatible server (FakeStripe). */
describe('payments (stripe adapter, FakeStripe)', () => {
  let fake: FakeStripe;
  let env: TestEnvironment;
  let api: TestApi;
  let db: DataSource;
  let worker: INestApplicationContext;
  let admin: ShopAdmin;
  let shop: ShopClient;

  beforeAll(async () => {
    fake = await FakeStripe.start();
    const payments = {
      provider: 'stripe' as const,
      stripeSecretKey: fake.apiKey,
      stripeWebhookSecret: fake.webhookSecret,
      stripeApiBaseUrl: fake.url,
    };
    env = await TestEnvironment.create({ payments });
    api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    worker = await env.startWorker();
    fake.webhookUrl = `${api.baseUrl}/v1/payments/webhooks/stripe`;
    db = api.app.get(DataSource);
    const client = new AuthClient(api.baseUrl);
    const owner = await createUser(client, db, { role: 'admin' });
    admin = new ShopAdmin(client, owner.tokens.accessToken);
    await admin.setUp();
    shop = new ShopClient(api.baseUrl);
  }, 60_000);
  afterAll(async () => {
    await env.cleanup();
    await fake.close();
  });

  async function cardOrder(): Promise<{ order: Order; shopper: Shopper }> {
    const { variantId } = await admin.variantWithStock(10, 1800);
    const started = await shop.newCart();
    await shop.add(started.cart.id, started.shopper, variantId, 2);
    await shop.prepare(started.cart.id, started.shopper);
    const placed = await shop.checkout(started.cart.id, started.shopper, randomUUID(), {
      paymentMethod: 'card',
    });
    if (placed.status !== 201) throw new Error(placed.text);
    return { order: placed.body, shopper: started.shopper };
  }

  const pay = (orderId: string, shopper: Shopper, paymentMethod: string, key = randomUUID()) =>
    shop.send<Payment>(
      'POST',
      `/v1/orders/${orderId}/payments`,
      shopper,
      { paymentMethod },
      { 'idempotency-key': key },
    );
  const orderStatus = async (orderId: string) =>
    (await admin.send<Order>('GET', `/v1/admin/orders/${orderId}`)).body.status;
  const paymentsOf = async (orderId: string) =>
    (await admin.send<Payment[]>('GET', `/v1/admin/orders/${orderId}/payments`)).body;

  it('a PaymentIntent pays the order; Stripe’s signed webhook is taken once and changes nothing more', async () => {
    const { order, shopper } = await cardOrder();
    const paid = await pay(order.id, shopper, PM.succeeds);
    expect(paid.status).toBe(201);
    expect(paid.body).toEqual(
      expect.objectContaining({ state: 'captured', providerReference: expect.stringMatching(/^pi_/) }),
    );
    expect(await orderStatus(order.id)).toBe('paid');
    await fake.flush();
    const events = async () =>
      Number(
        (
          await db.query<Array<{ n: string }>>(
            "SELECT COUNT(*) AS n FROM payment_events WHERE provider = 'stripe' AND processed_at IS NOT NULL",
          )
        )[0].n,
      );
    await waitFor(async () => (await events()) >= 1);
    const history = (await admin.send<Order>('GET', `/v1/admin/orders/${order.id}`)).body.history;
    expect(history.filter((entry) => entry.to === 'paid')).toHaveLength(1);
  });

  it('Stripe charged but the answer was lost: 503, and the retry charges nothing more', async () => {
    const { order, shopper } = await cardOrder();
    const before = fake.effectCount('payment_intents.create');
    fake.failNext(1, 500, { afterEffect: true });
    const key = randomUUID();
    expectProblem(
      await pay(order.id, shopper, PM.succeeds, key),
      503,
      '/problems/payment-provider-unavailable',
    );
    const retried = await pay(order.id, shopper, PM.succeeds, key);
    expect(retried.status).toBe(201);
    expect(retried.body.state).toBe('captured');
    expect(fake.effectCount('payment_intents.create') - before).toBe(1);
    expect(await paymentsOf(order.id)).toHaveLength(1);
  });

  it('an answer lost and never retried: reconciliation finds the PaymentIntent by our payment id and settles it', async () => {
    const { order, shopper } = await cardOrder();
    fake.failNext(1, 500, { afterEffect: true });
    fake.hold(); // and its webhook is lost too
    expectProblem(await pay(order.id, shopper, PM.succeeds), 503);
    const [stuck] = await paymentsOf(order.id);
    expect(stuck).toEqual(expect.objectContaining({ state: 'pending', providerReference: null }));
    fake.dropHeld();
    const result = await worker.get(PaymentReconciliationService).run(new Date(Date.now() + 3_600_000));
    expect(result.unreachable).toBe(0);
    const [settled] = await paymentsOf(order.id);
    expect(settled).toEqual(
      expect.objectContaining({
        state: 'captured',
        capturedAmount: order.totals.total,
        providerReference: expect.stringMatching(/^pi_/),
      }),
    );
    expect(fake.requests.some((request) => request.path === '/v1/payment_intents/search')).toBe(true);
    expect(await orderStatus(order.id)).toBe('paid');
  });

  it('an answer lost: Stripe’s webhook finds the payment by the paymentId in its metadata', async () => {
    const { order, shopper } = await cardOrder();
    fake.failNext(1, 500, { afterEffect: true });
    expectProblem(await pay(order.id, shopper, PM.succeeds), 503);
    await fake.flush();
    await waitFor(async () => (await orderStatus(order.id)) === 'paid', 15_000, 'the order paid');
    expect((await paymentsOf(order.id))[0]).toEqual(
      expect.objectContaining({ state: 'captured', providerReference: expect.stringMatching(/^pi_/) }),
    );
  });

  it('a refund Stripe accepted and failed later is taken back off the payment and flagged for staff', async () => {
    const { order, shopper } = await cardOrder();
    const paid = await pay(order.id, shopper, PM.succeeds);
    const refund = await admin.send(
      'POST',
      `/v1/admin/payments/${paid.body.id}/refunds`,
      { amount: 1000, reason: 'goodwill' },
      { 'idempotency-key': randomUUID() },
    );
    expect(refund.status).toBe(202);
    await waitFor(async () => (await paymentsOf(order.id))[0].refundedAmount === 1000);
    const [{ reference }] = await db.query<Array<{ reference: string }>>(
      'SELECT provider_reference AS reference FROM payment_refunds WHERE payment_id = ?',
      [paid.body.id],
    );
    await fake.failRefund(reference);
    await waitFor(async () => (await paymentsOf(order.id))[0].refundedAmount === 0, 15_000, 'the failure');
    expect((await paymentsOf(order.id))[0]).toEqual(
      expect.objectContaining({
        state: 'captured',
        flaggedReason: expect.stringMatching(/failed .*not returned/),
      }),
    );
    const [{ state }] = await db.query<Array<{ state: string }>>(
      'SELECT state FROM payment_refunds WHERE payment_id = ?',
      [paid.body.id],
    );
    expect(state).toBe('failed');
  });

  it('a declined card fails the payment and leaves the order awaiting payment', async () => {
    const { order, shopper } = await cardOrder();
    const declined = await pay(order.id, shopper, PM.declined);
    expect(declined.body.state).toBe('failed');
    expect(declined.body.failureCode).toEqual(expect.any(String));
    expect(await orderStatus(order.id)).toBe('pending_payment');
  });

  it('a refund is made once at Stripe by its job, and the order follows', async () => {
    const { order, shopper } = await cardOrder();
    const paid = await pay(order.id, shopper, PM.succeeds);
    const before = fake.effectCount('refunds.create');
    const refund = await admin.send(
      'POST',
      `/v1/admin/payments/${paid.body.id}/refunds`,
      { amount: order.totals.total, reason: 'returned' },
      { 'idempotency-key': randomUUID() },
    );
    expect(refund.status).toBe(202);
    await waitFor(async () => (await orderStatus(order.id)) === 'refunded');
    expect(fake.effectCount('refunds.create') - before).toBe(1);
    expect((await paymentsOf(order.id))[0]).toEqual(
      expect.objectContaining({ state: 'refunded', refundedAmount: order.totals.total }),
    );
  });

  it('a delayed payment is settled by webhooks alone, delivered in reverse order and twice', async () => {
    const { order, shopper } = await cardOrder();
    fake.hold();
    const started = await pay(order.id, shopper, PM.delayed);
    expect(started.body.state).toBe('pending');
    await fake.settle(started.body.providerReference!);
    const delivered = await fake.release('reverse');
    expect(delivered.length).toBeGreaterThanOrEqual(1);
    await waitFor(async () => (await orderStatus(order.id)) === 'paid');
    const succeeded = fake.events.filter(
      (event) =>
        event.type === 'payment_intent.succeeded' &&
        JSON.stringify(event).includes(started.body.providerReference!),
    );
    expect(succeeded).toHaveLength(1);
    const again = await fake.redeliver(succeeded[0].id);
    expect(again.status).toBe(200);
    await fake.flush();
    const [payment] = await paymentsOf(order.id);
    expect(payment.state).toBe('captured');
    const history = (await admin.send<Order>('GET', `/v1/admin/orders/${order.id}`)).body.history;
    expect(history.filter((entry) => entry.to === 'paid')).toHaveLength(1);
  });
});
