import { expectProblem, TestApi, TestEnvironment } from '@app/testing';
import { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { PaymentReconciliation } from '../../src/modules/payments/payment-reconciliation';
import { SANDBOX_CARDS } from '../../src/modules/payments/providers/sandbox.provider';
import { AuthClient, createUser } from '../support/auth-client';
import { waitFor } from '../support/wait-for';
import { ShopAdmin, ShopClient, type Order, type Shopper } from '../support/shop-client';

interface Payment {
  id: string;
  state: string;
  providerReference: string | null;
  amount: number;
  capturedAmount: number;
  refundedAmount: number;
  failureCode: string | null;
  flaggedReason?: string | null;
}

type OrderWithRestock = Order & { lines: Array<Order['lines'][number] & { restockedQuantity: number }> };

/**
 * Where payments meet money going back and stock coming back: refunds under concurrency, restocking
 * returned units, cancelling paid orders, reconciliation, the documented sandbox cards and the
 * payment events — all through the public API, on the real database and queues.
 */
describe('payments: refunds, cancellations, reconciliation, test cards', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let worker: INestApplicationContext;
  let db: DataSource;
  let admin: ShopAdmin;
  let shop: ShopClient;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    worker = await env.startWorker([], {
      payments: {
        sandboxWebhookUrl: `${api.baseUrl}/v1/payments/webhooks/sandbox`,
        sandboxSettleDelayMs: 300,
      },
    });
    db = api.app.get(DataSource);
    const client = new AuthClient(api.baseUrl);
    const owner = await createUser(client, db, { role: 'admin' });
    admin = new ShopAdmin(client, owner.tokens.accessToken);
    await admin.setUp();
    shop = new ShopClient(api.baseUrl);
  }, 60_000);
  afterAll(() => env.cleanup());

  async function placeOrder(
    units: number,
    paymentMethod: 'card' | 'bank_transfer' = 'card',
    base = shop,
  ): Promise<{ order: Order; shopper: Shopper; variantId: string }> {
    const { variantId } = await admin.variantWithStock(10, 2500);
    const started = await base.newCart();
    await base.add(started.cart.id, started.shopper, variantId, units);
    await base.prepare(started.cart.id, started.shopper);
    const placed = await base.checkout(started.cart.id, started.shopper, randomUUID(), { paymentMethod });
    if (placed.status !== 201) throw new Error(placed.text);
    return { order: placed.body, shopper: started.shopper, variantId };
  }

  const pay = (orderId: string, shopper: Shopper, card: string, key = randomUUID(), base = shop) =>
    base.send<Payment>(
      'POST',
      `/v1/orders/${orderId}/payments`,
      shopper,
      { paymentMethod: card },
      { 'idempotency-key': key },
    );

  const refund = (paymentId: string, body: Record<string, unknown>) =>
    admin.send<{ id: string; state: string }>('POST', `/v1/admin/payments/${paymentId}/refunds`, body, {
      'idempotency-key': randomUUID(),
    });

  const orderOf = async (orderId: string) =>
    (await admin.send<OrderWithRestock>('GET', `/v1/admin/orders/${orderId}`)).body;
  const paymentsOf = async (orderId: string) =>
    (await admin.send<Payment[]>('GET', `/v1/admin/orders/${orderId}/payments`)).body;

  const count = async (sql: string, params: unknown[]) =>
    Number((await db.query<Array<{ n: string | null }>>(sql, params))[0].n ?? 0);
  const eventsOf = (name: string, paymentId: string) =>
    count(
      "SELECT COUNT(*) AS n FROM outbox WHERE job_name = ? AND JSON_UNQUOTE(JSON_EXTRACT(payload, '$.paymentId')) = ?",
      [name, paymentId],
    );
  const onHand = (variantId: string) =>
    count('SELECT SUM(on_hand) AS n FROM inventory_levels WHERE variant_id = ?', [variantId]);

  it('each documented sandbox test card produces its documented outcome through the public API', async () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    for (const card of Object.values(SANDBOX_CARDS)) expect(readme).toContain(card);

    const outcomes: Array<{
      card: string;
      state: string;
      failureCode?: string;
      order: string;
      event: 'payment.succeeded' | 'payment.failed';
    }> = [
      { card: SANDBOX_CARDS.succeeds, state: 'captured', order: 'paid', event: 'payment.succeeded' },
      {
        card: SANDBOX_CARDS.declined,
        state: 'failed',
        failureCode: 'card_declined',
        order: 'pending_payment',
        event: 'payment.failed',
      },
      {
        card: SANDBOX_CARDS.insufficientFunds,
        state: 'failed',
        failureCode: 'insufficient_funds',
        order: 'pending_payment',
        event: 'payment.failed',
      },
      { card: SANDBOX_CARDS.succeedsLater, state: 'pending', order: 'paid', event: 'payment.succeeded' },
    ];
    for (const outcome of outcomes) {
      const { order, shopper } = await placeOrder(1);
      const answer = await pay(order.id, shopper, outcome.card);
      expect({ card: outcome.card, status: answer.status, state: answer.body.state }).toEqual({
        card: outcome.card,
        status: 201,
        state: outcome.state,
      });
      if (outcome.failureCode) expect(answer.body.failureCode).toBe(outcome.failureCode);
      await waitFor(async () => (await orderOf(order.id)).status === outcome.order);
      await waitFor(async () => (await eventsOf(outcome.event, answer.body.id)) === 1);
    }
    // The card whose answer is lost: 503, then the same request again is answered with the charge.
    const { order, shopper } = await placeOrder(1);
    const key = randomUUID();
    expectProblem(await pay(order.id, shopper, SANDBOX_CARDS.answerLost, key), 503);
    const retried = await pay(order.id, shopper, SANDBOX_CARDS.answerLost, key);
    expect(retried.body.state).toBe('captured');
    expect((await orderOf(order.id)).status).toBe('paid');
    expect(await eventsOf('payment.succeeded', retried.body.id)).toBe(1);
  });

  it('concurrent partial refunds totalling more than was captured: the excess is 409, never more refunded', async () => {
    const { order, shopper } = await placeOrder(2);
    const paid = (await pay(order.id, shopper, SANDBOX_CARDS.succeeds)).body;
    const part = Math.floor(paid.capturedAmount / 4);
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => refund(paid.id, { amount: part, reason: 'goodwill' })),
    );
    const accepted = answers.filter((answer) => answer.status === 202);
    expect(accepted).toHaveLength(4);
    for (const answer of answers.filter((candidate) => candidate.status !== 202))
      expectProblem(answer, 409, '/problems/refund-not-possible');
    await waitFor(async () => (await paymentsOf(order.id))[0].refundedAmount === 4 * part);
    const [payment] = await paymentsOf(order.id);
    expect(payment.refundedAmount).toBeLessThanOrEqual(payment.capturedAmount);
    expect(payment.state).toBe(4 * part === payment.capturedAmount ? 'refunded' : 'partially_refunded');
    expect(
      await count('SELECT SUM(amount) AS n FROM sandbox_refunds WHERE charge_id = ?', [
        payment.providerReference,
      ]),
    ).toBe(4 * part);
    await waitFor(async () => (await eventsOf('payment.refunded', payment.id)) === 4);
  });

  it('a refund puts returned units back into stock when asked, never more than were shipped', async () => {
    const { order, shopper, variantId } = await placeOrder(3);
    const paid = (await pay(order.id, shopper, SANDBOX_CARDS.succeeds)).body;
    const line = order.lines[0];
    const shipped = await admin.send('POST', `/v1/admin/orders/${order.id}/fulfilments`, {
      lines: [{ orderLineId: line.id, quantity: 2 }],
      carrier: 'DHL',
      trackingNumber: 'T-1',
    });
    expect(shipped.status).toBe(201);
    const stockAfterShipping = await onHand(variantId);
    expect(stockAfterShipping).toBe(10 - 2);

    // More than shipped, and a line of another order: refused whole — no refund, no stock moved.
    const tooMany = await refund(paid.id, { amount: 1000, restock: [{ orderLineId: line.id, quantity: 3 }] });
    expectProblem(tooMany, 422, '/problems/restock-not-possible');
    const other = await placeOrder(1);
    const foreign = await refund(paid.id, {
      amount: 1000,
      restock: [{ orderLineId: other.order.lines[0].id, quantity: 1 }],
    });
    expectProblem(foreign, 422, '/problems/restock-not-possible');
    expectProblem(
      await refund(paid.id, {
        amount: 1000,
        restock: [
          { orderLineId: line.id, quantity: 1 },
          { orderLineId: line.id, quantity: 1 },
        ],
      }),
      400,
    );
    expect(await count('SELECT COUNT(*) AS n FROM payment_refunds WHERE payment_id = ?', [paid.id])).toBe(0);
    expect(await onHand(variantId)).toBe(stockAfterShipping);

    const accepted = await refund(paid.id, {
      amount: 2 * 2500,
      restock: [{ orderLineId: line.id, quantity: 2 }],
    });
    expect(accepted.status).toBe(202);
    expect(await onHand(variantId)).toBe(stockAfterShipping + 2);
    expect(
      await count(
        "SELECT SUM(quantity_delta) AS n FROM (SELECT on_hand_delta AS quantity_delta FROM inventory_movements WHERE variant_id = ? AND reason = 'returned' AND reference = ?) AS returned",
        [variantId, `order:${order.id}`],
      ),
    ).toBe(2);
    expect((await orderOf(order.id)).lines[0].restockedQuantity).toBe(2);
    // Both shipped units are back already: a third one is refused.
    expectProblem(
      await refund(paid.id, { amount: 100, restock: [{ orderLineId: line.id, quantity: 1 }] }),
      422,
      '/problems/restock-not-possible',
    );
    await waitFor(async () => (await paymentsOf(order.id))[0].refundedAmount === 2 * 2500);
  });

  it('a paid order cancelled by its customer gets its money back by itself, once', async () => {
    const { order, shopper } = await placeOrder(1);
    const paid = (await pay(order.id, shopper, SANDBOX_CARDS.succeeds)).body;
    const cancelled = await shop.send<Order>('POST', `/v1/orders/${order.id}/cancel`, shopper, {});
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    await waitFor(async () => (await paymentsOf(order.id))[0].state === 'refunded');
    const [payment] = await paymentsOf(order.id);
    expect(payment.refundedAmount).toBe(paid.capturedAmount);
    expect(
      await count('SELECT COUNT(*) AS n FROM sandbox_refunds WHERE charge_id = ?', [paid.providerReference]),
    ).toBe(1);
    expect((await orderOf(order.id)).status).toBe('cancelled');
    await waitFor(async () => (await eventsOf('payment.refunded', paid.id)) === 1);
  });

  it('cancelling an order whose card was only authorized voids the authorization', async () => {
    const authorizing = await env.startApi([], {
      rateLimit: { max: 1_000_000 },
      payments: { captureMethod: 'manual' },
    });
    try {
      const base = new ShopClient(authorizing.baseUrl);
      const { order, shopper } = await placeOrder(1, 'card', base);
      const authorized = (await pay(order.id, shopper, SANDBOX_CARDS.succeeds, randomUUID(), base)).body;
      expect(authorized.state).toBe('authorized');
      const cancelled = await admin.send('POST', `/v1/admin/orders/${order.id}/transitions`, {
        to: 'cancelled',
        reason: 'out of stock after all',
      });
      expect(cancelled.status).toBe(200);
      await waitFor(async () => (await paymentsOf(order.id))[0].state === 'voided');
      expect(
        await count("SELECT COUNT(*) AS n FROM sandbox_charges WHERE id = ? AND state = 'voided'", [
          authorized.providerReference,
        ]),
      ).toBe(1);
    } finally {
      await authorizing.close();
    }
  });

  it('a cancelled order that was paid by hand is flagged for staff to give the money back', async () => {
    const { order } = await placeOrder(1, 'bank_transfer');
    const recorded = await admin.send<Payment>(
      'POST',
      `/v1/admin/orders/${order.id}/payments`,
      { reference: 'TRANSFER-9' },
      { 'idempotency-key': randomUUID() },
    );
    expect(recorded.status).toBe(201);
    expect(
      (await admin.send('POST', `/v1/admin/orders/${order.id}/transitions`, { to: 'cancelled' })).status,
    ).toBe(200);
    const [payment] = await paymentsOf(order.id);
    expect(payment.state).toBe('captured');
    expect(payment.flaggedReason).toMatch(/back by hand/);
    expect(await count('SELECT COUNT(*) AS n FROM payment_refunds WHERE payment_id = ?', [payment.id])).toBe(
      0,
    );
  });

  it('reconciliation settles a payment whose answer was lost from the provider’s books, and fails one the provider never saw', async () => {
    const lost = await placeOrder(1);
    expectProblem(await pay(lost.order.id, lost.shopper, SANDBOX_CARDS.answerLost), 503);
    const [stuck] = await paymentsOf(lost.order.id);
    expect(stuck).toEqual(expect.objectContaining({ state: 'pending', providerReference: null }));

    // A payment the provider never received (the process died before the call).
    const unseen = await placeOrder(1);
    const ghostId = randomUUID();
    await db.query(
      `INSERT INTO payments (id, order_id, provider, amount, currency, state, captured_amount, refunded_amount, version)
       SELECT ?, id, 'sandbox', total, currency, 'pending', 0, 0, 1 FROM orders WHERE id = ?`,
      [ghostId, unseen.order.id],
    );

    const reconciliation = worker.get(PaymentReconciliation);
    // Not stuck long enough yet: nothing is asked about them.
    await reconciliation.run(new Date());
    expect((await paymentsOf(lost.order.id))[0].state).toBe('pending');

    const later = new Date(Date.now() + 3_600_000);
    const result = await reconciliation.run(later);
    expect(result.asked).toBeGreaterThanOrEqual(2);
    const [settled] = await paymentsOf(lost.order.id);
    expect(settled).toEqual(
      expect.objectContaining({ state: 'captured', capturedAmount: lost.order.totals.total }),
    );
    expect(settled.providerReference).toMatch(/^sbx_/);
    expect((await orderOf(lost.order.id)).status).toBe('paid');
    const [ghost] = await paymentsOf(unseen.order.id);
    expect(ghost).toEqual(
      expect.objectContaining({ id: ghostId, state: 'failed', failureCode: 'not_at_provider' }),
    );
    // The order is free to be paid another way now.
    expect((await pay(unseen.order.id, unseen.shopper, SANDBOX_CARDS.succeeds)).body.state).toBe('captured');
    // Asked once: the next run leaves them alone.
    const again = await reconciliation.run(later);
    expect(again.changed).toBe(0);
  });
});
