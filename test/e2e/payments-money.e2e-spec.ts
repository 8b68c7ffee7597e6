import { expectProblem } from '@app/testing';
import { TestEnvironment } from '../support/test-environment';
import { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { PaymentReconciliationService } from '../../src/modules/payments/settlement/payment-reconciliation.service';
import {
  ProviderRejectedError,
  ProviderUnavailableError,
} from '../../src/modules/payments/providers/payment-provider';
import { SANDBOX_CARDS, SandboxProvider } from '../../src/modules/payments/providers/sandbox.provider';
import {
  orderAwaitingPayment,
  payWithCard,
  startPaymentsShop,
  type PaymentView,
} from '../support/payments-shop';
import { waitFor } from '../support/wait-for';
import { ShopAdmin, ShopClient, type Order, type Shopper } from '../support/shop-client';

type Payment = PaymentView;

type OrderWithRestock = Order & { lines: Array<Order['lines'][number] & { restockedQuantity: number }> };

/**
 * Where payments meet money going back and stock coming back: refunds under concurrency, restocking
 * returned units, cancelling paid orders, reconciliation, the documented sandbox cards and the
 * payment events — all through the public API, on the real database and queues.
 */
describe('payments: refunds, cancellations, reconciliation, test cards', () => {
  let env: TestEnvironment;
  let worker: INestApplicationContext;
  let db: DataSource;
  let admin: ShopAdmin;
  let shop: ShopClient;

  beforeAll(async () => {
    ({ env, worker, db, admin, shop } = await startPaymentsShop());
  }, 60_000);
  afterAll(() => env.cleanup());

  const placeOrder = (units: number, paymentMethod: 'card' | 'bank_transfer' = 'card', base = shop) =>
    orderAwaitingPayment(admin, base, { units, paymentMethod });
  const pay = (orderId: string, shopper: Shopper, card: string, key?: string, base = shop) =>
    payWithCard(base, orderId, shopper, card, key);

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

  /** A payment we recorded whose provider call never answered (the process died, the answer was lost). */
  async function strandedPayment(orderId: string, id: string = randomUUID()): Promise<string> {
    await db.query(
      `INSERT INTO payments (id, order_id, provider, amount, currency, state, captured_amount, refunded_amount, version)
       SELECT ?, id, 'sandbox', total, currency, 'pending', 0, 0, 1 FROM orders WHERE id = ?`,
      [id, orderId],
    );
    return id;
  }

  /** The provider's books hold a charge for the payment, and nobody was told (no webhook). */
  async function silentCharge(paymentId: string, state: 'captured' | 'pending'): Promise<string> {
    const charge = `sbx_${randomUUID().replace(/-/g, '')}`;
    await db.query(
      `INSERT INTO sandbox_charges (id, idempotency_key, payment_id, card, amount, currency, state, captured, refunded)
       SELECT ?, ?, id, '4242', amount, currency, ?, IF(? = 'captured', amount, 0), 0 FROM payments WHERE id = ?`,
      [charge, `${paymentId}:create`, state, state, paymentId],
    );
    return charge;
  }

  /** The provider receives the request after all, charges the card, and says so by webhook. */
  const lateCharge = async (paymentId: string, order: Order) => {
    const [{ amount, currency }] = await db.query<Array<{ amount: number; currency: string }>>(
      'SELECT amount, currency FROM payments WHERE id = ?',
      [paymentId],
    );
    return worker.get(SandboxProvider).create({
      paymentId,
      orderId: order.id,
      orderNumber: order.number,
      amount,
      currency,
      captureMethod: 'automatic',
      paymentMethod: SANDBOX_CARDS.succeeds,
      idempotencyKey: `${paymentId}:create`,
    });
  };

  const paymentById = async (orderId: string, paymentId: string) =>
    (await paymentsOf(orderId)).find((payment) => payment.id === paymentId)!;

  const later = () => new Date(Date.now() + 3_600_000);

  it('reconciliation settles a payment the provider charged silently, learns a reference, and fails one the provider never saw', async () => {
    const charged = await placeOrder(1);
    const chargedId = await strandedPayment(charged.order.id);
    const chargeId = await silentCharge(chargedId, 'captured');
    // Still under way at the provider: nothing changes but the reference, which webhooks match by.
    const processing = await placeOrder(1);
    const processingId = await strandedPayment(processing.order.id);
    const processingCharge = await silentCharge(processingId, 'pending');
    // A payment the provider never received (the process died before the call).
    const unseen = await placeOrder(1);
    const ghostId = await strandedPayment(unseen.order.id);

    const reconciliation = worker.get(PaymentReconciliationService);
    // Not stuck long enough yet: nothing is asked about them.
    await reconciliation.run(new Date());
    expect((await paymentsOf(charged.order.id))[0].state).toBe('pending');

    const when = later();
    const result = await reconciliation.run(when);
    expect(result.asked).toBeGreaterThanOrEqual(3);
    expect(await paymentsOf(charged.order.id)).toEqual([
      expect.objectContaining({
        state: 'captured',
        capturedAmount: charged.order.totals.total,
        providerReference: chargeId,
      }),
    ]);
    expect((await orderOf(charged.order.id)).status).toBe('paid');
    expect(await paymentsOf(processing.order.id)).toEqual([
      expect.objectContaining({ state: 'pending', providerReference: processingCharge }),
    ]);
    const [ghost] = await paymentsOf(unseen.order.id);
    expect(ghost).toEqual(
      expect.objectContaining({ id: ghostId, state: 'failed', failureCode: 'not_at_provider' }),
    );
    // The order is free to be paid another way now.
    expect((await pay(unseen.order.id, unseen.shopper, SANDBOX_CARDS.succeeds)).body.state).toBe('captured');
    // Asked once: the next run leaves them alone.
    const again = await reconciliation.run(when);
    expect(again.changed).toBe(0);
  });

  it('a lost answer’s webhook finds the payment by our id, and the retry of the same request gets its answer', async () => {
    const { order, shopper } = await placeOrder(1);
    const key = randomUUID();
    expectProblem(await pay(order.id, shopper, SANDBOX_CARDS.answerLost, key), 503);
    // The sandbox's webhook names a charge we never heard of, and our payment id: that is enough.
    await waitFor(async () => (await orderOf(order.id)).status === 'paid');
    const [payment] = await paymentsOf(order.id);
    expect(payment).toEqual(
      expect.objectContaining({ state: 'captured', providerReference: expect.stringMatching(/^sbx_/) }),
    );
    const retried = await pay(order.id, shopper, SANDBOX_CARDS.answerLost, key);
    expect({ status: retried.status, id: retried.body.id, state: retried.body.state }).toEqual({
      status: 201,
      id: payment.id,
      state: 'captured',
    });
    // Another request is still refused: the order is paid.
    expectProblem(await pay(order.id, shopper, SANDBOX_CARDS.succeeds), 409);
  });

  it('money for a payment reconciliation had failed pays its order when nothing else did', async () => {
    const { order } = await placeOrder(1);
    const paymentId = await strandedPayment(order.id);
    await worker.get(PaymentReconciliationService).run(later());
    expect((await paymentById(order.id, paymentId)).state).toBe('failed');

    await lateCharge(paymentId, order);
    await waitFor(async () => (await orderOf(order.id)).status === 'paid', 15_000, 'the order paid');
    expect(await paymentById(order.id, paymentId)).toEqual(
      expect.objectContaining({ state: 'captured', capturedAmount: order.totals.total, failureCode: null }),
    );
    await waitFor(async () => (await eventsOf('payment.succeeded', paymentId)) === 1);
    expect(await count('SELECT COUNT(*) AS n FROM payment_refunds WHERE payment_id = ?', [paymentId])).toBe(
      0,
    );
  });

  it('money for a payment reconciliation had failed, after the order was paid another way, goes back — never charged twice', async () => {
    const { order, shopper } = await placeOrder(1);
    const first = await strandedPayment(order.id);
    await worker.get(PaymentReconciliationService).run(later());
    expect((await paymentById(order.id, first)).state).toBe('failed');
    const second = (await pay(order.id, shopper, SANDBOX_CARDS.succeeds)).body;
    expect(second.state).toBe('captured');

    // The first request reaches the provider after all and takes the money a second time.
    await lateCharge(first, order);
    await waitFor(
      async () => (await paymentById(order.id, first)).state === 'refunded',
      15_000,
      'the refund',
    );
    const late = await paymentById(order.id, first);
    expect(late.refundedAmount).toBe(order.totals.total);
    expect(late.flaggedReason).toMatch(/recorded as failed.*refunded automatically/);
    const [books] = await db.query<Array<{ captured: number; refunded: number }>>(
      'SELECT captured, refunded FROM sandbox_charges WHERE payment_id = ?',
      [first],
    );
    expect(books).toEqual({ captured: order.totals.total, refunded: order.totals.total });
    // The order keeps the money that paid for it, and the customer is told about the refund.
    expect((await orderOf(order.id)).status).toBe('paid');
    expect((await paymentById(order.id, second.id)).state).toBe('captured');
    await waitFor(async () => (await eventsOf('payment.late-refund', first)) === 1);
  });

  it('money for a failed payment arriving while the customer pays again: the order keeps exactly one payment', async () => {
    const orders = await Promise.all(Array.from({ length: 12 }, () => placeOrder(1)));
    const firsts = await Promise.all(orders.map(({ order }) => strandedPayment(order.id)));
    await worker.get(PaymentReconciliationService).run(later());
    // Each first request reaches the provider (its webhook revives the payment) while the customer
    // pays again: whichever comes second must not keep the money.
    const answers = await Promise.all(
      orders.map(({ order, shopper }, index) =>
        Promise.all([lateCharge(firsts[index], order), pay(order.id, shopper, SANDBOX_CARDS.succeeds)]),
      ),
    );
    for (const [, answer] of answers) expect([201, 409]).toContain(answer.status);
    // One statement, so one snapshot: the give-back refund is written with the revival, and reading
    // the payment's state and the pending refunds apart could see the one without the other.
    const ledger = (orderId: string) =>
      db.query<Array<{ id: string; state: string; kept: string; pendingRefunds: string }>>(
        `SELECT p.id, p.state, p.captured_amount - p.refunded_amount AS kept,
                (SELECT COUNT(*) FROM payment_refunds r WHERE r.payment_id = p.id AND r.state = 'pending') AS pendingRefunds
           FROM payments p WHERE p.order_id = ?`,
        [orderId],
      );
    for (const [index, { order }] of orders.entries()) {
      await waitFor(
        async () => {
          const rows = await ledger(order.id);
          const first = rows.find((row) => row.id === firsts[index])!;
          return first.state !== 'failed' && rows.every((row) => Number(row.pendingRefunds) === 0);
        },
        20_000,
        `order ${index} to settle`,
      );
      const kept = (await ledger(order.id)).reduce((sum, row) => sum + Number(row.kept), 0);
      expect({ order: index, kept }).toEqual({ order: index, kept: order.totals.total });
      expect((await orderOf(order.id)).status).toBe('paid');
    }
  });

  it('a late success that waits for the order lock while another payment starts sees that payment, and gives its money back', async () => {
    const { order } = await placeOrder(1);
    const first = await strandedPayment(order.id);
    await worker.get(PaymentReconciliationService).run(later());
    expect((await paymentById(order.id, first)).state).toBe('failed');
    // Hold the order's lock as a payment request does while it records a new payment.
    const starting = db.createQueryRunner();
    await starting.connect();
    try {
      await starting.startTransaction();
      await starting.query('SELECT id FROM orders WHERE id = ? FOR UPDATE', [order.id]);
      await lateCharge(first, order); // its webhook's settlement now waits for that lock
      await waitFor(
        async () =>
          Number(
            (
              await db.query<Array<{ n: string }>>(
                "SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'",
              )
            )[0].n,
          ) > 0,
        15_000,
        'the late success to wait for the order lock',
      );
      const second = randomUUID();
      await starting.query(
        `INSERT INTO payments (id, order_id, provider, amount, currency, state, captured_amount, refunded_amount, version)
         SELECT ?, id, 'sandbox', total, currency, 'pending', 0, 0, 1 FROM orders WHERE id = ?`,
        [second, order.id],
      );
      await starting.commitTransaction();
    } finally {
      await starting.release();
    }
    await waitFor(
      async () => (await paymentById(order.id, first)).state === 'refunded',
      15_000,
      'the refund',
    );
    expect((await paymentById(order.id, first)).flaggedReason).toMatch(/recorded as failed.*with payment/);
    expect((await orderOf(order.id)).status).toBe('pending_payment');
  });

  it('money going back whose refund the provider refuses does not keep the order from being paid', async () => {
    const { order, shopper } = await placeOrder(1);
    const first = await strandedPayment(order.id);
    await worker.get(PaymentReconciliationService).run(later());
    // Another payment is under way when the first one's money arrives: the first gives it back.
    const second = await strandedPayment(order.id);
    const refusal = jest
      .spyOn(worker.get(SandboxProvider), 'refund')
      .mockRejectedValue(new ProviderRejectedError('sandbox', 'charge_disputed', 'the charge is disputed'));
    try {
      await lateCharge(first, order);
      await waitFor(
        async () => /refund .* failed/.test((await paymentById(order.id, first)).flaggedReason ?? ''),
        15_000,
        'the refused refund',
      );
    } finally {
      refusal.mockRestore();
    }
    expect((await paymentById(order.id, first)).state).toBe('captured'); // still owed: staff see the flag
    expect((await paymentById(order.id, first)).givenBackAt).toEqual(expect.any(String));
    // The other payment fails after all; the customer pays again — the money owed back is no payment
    // of this order and must not answer "a payment is in progress".
    await db.query("UPDATE payments SET state = 'failed' WHERE id = ?", [second]);
    const again = await pay(order.id, shopper, SANDBOX_CARDS.succeeds);
    expect(again.status).toBe(201);
    await waitFor(async () => (await orderOf(order.id)).status === 'paid', 15_000, 'the order to be paid');
  });

  it('a provider that cannot answer about some payments does not keep reconciliation from the others', async () => {
    const sandbox = worker.get(SandboxProvider);
    // Payments sort by id within a run: the unanswerable ones first, the answerable one last.
    const stuck = await Promise.all(
      [1, 2, 3].map(async (n) =>
        strandedPayment((await placeOrder(1)).order.id, `00000000-0000-4000-8000-00000000000${n}`),
      ),
    );
    const { order } = await placeOrder(1);
    const answerable = await strandedPayment(order.id, `ffffffff-ffff-4fff-bfff-${randomUUID().slice(-12)}`);
    await silentCharge(answerable, 'captured');
    const retrieve = sandbox.retrieve.bind(sandbox);
    const outage = jest.spyOn(sandbox, 'retrieve').mockImplementation(async (payment) => {
      if (payment.paymentId !== answerable)
        throw new ProviderUnavailableError('sandbox', new Error('this payment cannot be looked up'));
      return retrieve(payment);
    });
    try {
      const when = later();
      let unreachable = 0;
      for (let run = 0; run < 40 && (await paymentById(order.id, answerable)).state === 'pending'; run += 1)
        unreachable += (await worker.get(PaymentReconciliationService).run(when, 2)).unreachable;
      expect(unreachable).toBeGreaterThanOrEqual(stuck.length);
      expect((await paymentById(order.id, answerable)).state).toBe('captured');
    } finally {
      outage.mockRestore();
    }
  });

  it('a refund the provider refuses is flagged for staff, and can be asked for again', async () => {
    const { order, shopper } = await placeOrder(1);
    const paid = (await pay(order.id, shopper, SANDBOX_CARDS.succeeds)).body;
    // Refunded outside Storekeep (the provider's dashboard): the provider refuses another refund.
    await db.query('UPDATE sandbox_charges SET refunded = captured WHERE id = ?', [paid.providerReference]);
    expect((await refund(paid.id, { amount: 500, reason: 'goodwill' })).status).toBe(202);
    await waitFor(
      async () => Boolean((await paymentById(order.id, paid.id)).flaggedReason),
      15_000,
      'a flag',
    );
    const refused = await paymentById(order.id, paid.id);
    expect(refused).toEqual(
      expect.objectContaining({
        state: 'captured',
        refundedAmount: 0,
        flaggedReason: expect.stringMatching(/refund .* of 500 failed .*not returned/),
      }),
    );
    expect(
      await count("SELECT COUNT(*) AS n FROM payment_refunds WHERE payment_id = ? AND state = 'failed'", [
        paid.id,
      ]),
    ).toBe(1);

    await db.query('UPDATE sandbox_charges SET refunded = 0 WHERE id = ?', [paid.providerReference]);
    expect((await refund(paid.id, { amount: 500, reason: 'goodwill, again' })).status).toBe(202);
    await waitFor(async () => (await paymentById(order.id, paid.id)).refundedAmount === 500);
    expect((await paymentById(order.id, paid.id)).state).toBe('partially_refunded');
  });
});
