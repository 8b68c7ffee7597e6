import { expectProblem } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { getQueueToken } from '@nestjs/bull';
import { INestApplicationContext } from '@nestjs/common';
import type { Job, JobId, Queue } from 'bull';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ORDER_STATUSES, type OrderStatus } from '../../src/modules/orders/entities/order.entity';
import { ORDERS_QUEUE } from '../../src/modules/orders/jobs/orders.jobs';
import { OrderExpiryService } from '../../src/modules/orders/lifecycle/order-expiry.service';
import { ORDER_TRANSITIONS } from '../../src/modules/orders/lifecycle/order-status';
import { outboxJobId } from '../../src/modules/outbox/outbox-relay.service';
import { AuthClient, createUser } from '../support/auth-client';
import { levelsWithLedger } from '../support/inventory-checks';
import { waitFor } from '../support/wait-for';
import { ShopAdmin, ShopClient, type Order, type Shopper } from '../support/shop-client';

/** Orders after checkout: who may see them, the state machine, fulfilments, expiry, events. */
describe('orders', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let db: DataSource;
  let admin: ShopAdmin;
  let shop: ShopClient;
  let client: AuthClient;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    db = api.app.get(DataSource);
    client = new AuthClient(api.baseUrl);
    const staff = await createUser(client, db, { role: 'staff' });
    admin = new ShopAdmin(client, staff.tokens.accessToken);
    // Staff may not configure shipping and taxes (settings:manage); an admin sets the shop up.
    const owner = await createUser(client, db, { role: 'admin' });
    const setup = new ShopAdmin(client, owner.tokens.accessToken);
    await setup.setUp();
    admin.locationId = setup.locationId;
    shop = new ShopClient(api.baseUrl);
  }, 60_000);
  afterAll(() => env.cleanup());

  /** An order placed by `shopper` (a new guest when none) for `lines`. */
  async function placeOrder(
    lines: Array<{ variantId: string; quantity: number }>,
    shopper?: Shopper,
  ): Promise<{ order: Order; shopper: Shopper }> {
    const started = await shop.newCart(shopper ?? {});
    for (const line of lines) await shop.add(started.cart.id, started.shopper, line.variantId, line.quantity);
    await shop.prepare(started.cart.id, started.shopper);
    const placed = await shop.checkout(started.cart.id, started.shopper);
    if (placed.status !== 201) throw new Error(`checkout failed: ${placed.status} ${placed.text}`);
    return { order: placed.body, shopper: started.shopper };
  }

  const transition = (orderId: string, to: OrderStatus, reason?: string) =>
    admin.send<Order>('POST', `/v1/admin/orders/${orderId}/transitions`, { to, reason });

  const fulfil = (orderId: string, lines: Array<{ orderLineId: string; quantity: number }>) =>
    admin.send<Order>('POST', `/v1/admin/orders/${orderId}/fulfilments`, {
      lines,
      carrier: 'DHL',
      trackingNumber: `T${Date.now()}`,
    });

  const adminOrder = async (orderId: string) =>
    (await admin.send<Order & { version: number }>('GET', `/v1/admin/orders/${orderId}`)).body;

  /** The order's stock reservation: its status and the units its lines still hold. */
  const reservationOf = async (orderId: string) => {
    const [row] = await db.query<Array<{ status: string; held: string }>>(
      `SELECT r.status, COALESCE(SUM(l.quantity), 0) AS held FROM inventory_reservations r
         LEFT JOIN inventory_reservation_lines l ON l.reservation_id = r.id
        WHERE r.reference = ? GROUP BY r.id`,
      [`order:${orderId}`],
    );
    return { status: row.status, held: Number(row.held) };
  };

  /** Drives a new order along legal moves into `status`. */
  async function orderIn(status: OrderStatus): Promise<Order> {
    const { variantId } = await admin.variantWithStock(10);
    const { order } = await placeOrder([{ variantId, quantity: 2 }]);
    const line = order.lines[0].id;
    const path: Record<OrderStatus, Array<() => Promise<unknown>>> = {
      pending_payment: [],
      paid: [() => transition(order.id, 'paid')],
      partially_fulfilled: [
        () => transition(order.id, 'paid'),
        () => fulfil(order.id, [{ orderLineId: line, quantity: 1 }]),
      ],
      fulfilled: [
        () => transition(order.id, 'paid'),
        () => fulfil(order.id, [{ orderLineId: line, quantity: 2 }]),
      ],
      shipped: [
        () => transition(order.id, 'paid'),
        () => fulfil(order.id, [{ orderLineId: line, quantity: 2 }]),
        () => transition(order.id, 'shipped'),
      ],
      delivered: [
        () => transition(order.id, 'paid'),
        () => fulfil(order.id, [{ orderLineId: line, quantity: 2 }]),
        () => transition(order.id, 'shipped'),
        () => transition(order.id, 'delivered'),
      ],
      cancelled: [() => transition(order.id, 'cancelled')],
      partially_refunded: [
        () => transition(order.id, 'paid'),
        () => transition(order.id, 'partially_refunded'),
      ],
      refunded: [() => transition(order.id, 'paid'), () => transition(order.id, 'refunded')],
    };
    for (const step of path[status]) await step();
    const current = await adminOrder(order.id);
    expect(current.status).toBe(status);
    return current;
  }

  it('every illegal transition in the table gets 409 with the current status and changes nothing', async () => {
    let illegal = 0;
    for (const from of ORDER_STATUSES) {
      const order = await orderIn(from);
      const before = await adminOrder(order.id);
      for (const to of ORDER_STATUSES) {
        if (ORDER_TRANSITIONS[from].includes(to)) continue;
        illegal += 1;
        const refused = await transition(order.id, to);
        expectProblem(refused, 409, '/problems/illegal-transition');
        expect(refused.body).toEqual(expect.objectContaining({ currentStatus: from, requestedStatus: to }));
      }
      const after = await adminOrder(order.id);
      expect(after.status).toBe(from);
      expect(after.version).toBe(before.version);
      expect(after.history).toEqual(before.history);
    }
    expect(illegal).toBeGreaterThan(40);
  }, 120_000);

  it('fulfilment states are reached only by recording fulfilments', async () => {
    const order = await orderIn('paid');
    for (const to of ['partially_fulfilled', 'fulfilled'] as const)
      expectProblem(await transition(order.id, to), 409, '/problems/illegal-transition');
  });

  it('the history shows each legal move with actor, time and reason; each move writes its event', async () => {
    const { variantId } = await admin.variantWithStock(10);
    const { order } = await placeOrder([{ variantId, quantity: 3 }]);
    const line = order.lines[0].id;
    expect((await transition(order.id, 'paid', 'bank transfer received')).status).toBe(200);
    expect((await fulfil(order.id, [{ orderLineId: line, quantity: 1 }])).body.status).toBe(
      'partially_fulfilled',
    );
    expect(await reservationOf(order.id)).toEqual({ status: 'active', held: 2 });
    expect((await fulfil(order.id, [{ orderLineId: line, quantity: 2 }])).body.status).toBe('fulfilled');
    expect(await reservationOf(order.id)).toEqual({ status: 'committed', held: 0 });
    expect((await transition(order.id, 'shipped')).status).toBe(200);
    expect((await transition(order.id, 'delivered')).status).toBe(200);
    const final = await adminOrder(order.id);
    expect(final.history.map((entry) => [entry.from, entry.to])).toEqual([
      [null, 'pending_payment'],
      ['pending_payment', 'paid'],
      ['paid', 'partially_fulfilled'],
      ['partially_fulfilled', 'fulfilled'],
      ['fulfilled', 'shipped'],
      ['shipped', 'delivered'],
    ]);
    expect(final.history[1]).toEqual(
      expect.objectContaining({ actor: expect.stringMatching(/^user:/), reason: 'bank transfer received' }),
    );
    for (const entry of final.history) expect(Date.parse(entry.at)).not.toBeNaN();
    const events = await db.query<Array<{ job_name: string }>>(
      "SELECT job_name FROM outbox WHERE queue = 'events' AND JSON_EXTRACT(payload, '$.orderId') = ? ORDER BY id",
      [order.id],
    );
    expect(events.map((event) => event.job_name)).toEqual([
      'order.placed',
      'order.paid',
      'order.fulfilled',
      'order.fulfilled',
      'order.shipped',
      'order.delivered',
    ]);
    // Stock moved from reserved to sold in the ledger, and the ledger still sums to the levels.
    const [level] = await levelsWithLedger(db, [variantId]);
    expect(level).toEqual(
      expect.objectContaining({ onHand: 7, reserved: 0, ledgerOnHand: 7, ledgerReserved: 0 }),
    );
    const sold = await db.query<Array<{ on_hand_delta: number }>>(
      "SELECT on_hand_delta FROM inventory_movements WHERE variant_id = ? AND reason = 'sold' ORDER BY id",
      [variantId],
    );
    expect(sold.map((row) => Number(row.on_hand_delta))).toEqual([-1, -2]);
    // The audit log has the staff moves.
    const [{ audited }] = await db.query<Array<{ audited: string }>>(
      "SELECT COUNT(*) AS audited FROM audit_log WHERE target_id = ? AND action LIKE 'order.%'",
      [order.id],
    );
    expect(Number(audited)).toBe(5);
  });

  it('a full refund puts units never shipped back on sale; a shipped unit stays sold', async () => {
    const { variantId } = await admin.variantWithStock(5);
    const unshipped = (await placeOrder([{ variantId, quantity: 2 }])).order;
    await transition(unshipped.id, 'paid');
    const partly = (await placeOrder([{ variantId, quantity: 3 }])).order;
    await transition(partly.id, 'paid');
    await fulfil(partly.id, [{ orderLineId: partly.lines[0].id, quantity: 1 }]);
    expect((await transition(unshipped.id, 'refunded', 'refused delivery')).status).toBe(200);
    expect((await transition(partly.id, 'refunded')).status).toBe(200);
    expect(await reservationOf(unshipped.id)).toEqual({ status: 'released', held: 2 });
    const [level] = await levelsWithLedger(db, [variantId]);
    // 5 received, 1 sold; nothing held any more.
    expect(level).toEqual(
      expect.objectContaining({ onHand: 4, reserved: 0, ledgerOnHand: 4, ledgerReserved: 0 }),
    );
  });

  it('refuses a fulfilment of more than is open, or of a line of another order', async () => {
    const order = await orderIn('paid');
    const other = await orderIn('paid');
    expectProblem(
      await fulfil(order.id, [{ orderLineId: order.lines[0].id, quantity: 3 }]),
      422,
      '/problems/fulfilment-invalid',
    );
    expectProblem(
      await fulfil(order.id, [{ orderLineId: other.lines[0].id, quantity: 1 }]),
      422,
      '/problems/fulfilment-invalid',
    );
    expect((await adminOrder(order.id)).status).toBe('paid');
  });

  it('a customer cancels while unpaid: stock and the promotion use come back; not once shipped', async () => {
    const code = `BACK${Date.now().toString(36).toUpperCase()}`;
    await admin.must('POST', '/v1/admin/promotions', {
      code,
      kind: 'fixed_amount',
      amount: 100,
      usageLimit: 1,
    });
    const customer = await createUser(client, db);
    const { variantId } = await admin.variantWithStock(4);
    const started = await shop.newCart({ token: customer.tokens.accessToken });
    await shop.add(started.cart.id, started.shopper, variantId, 4);
    await shop.send('PUT', `/v1/carts/${started.cart.id}/promotion`, started.shopper, { code });
    await shop.prepare(started.cart.id, started.shopper);
    const placed = await shop.checkout(started.cart.id, started.shopper);
    expect(placed.status).toBe(201);
    expect(placed.body.totals.discount).toBe(100);
    const usedOf = async () =>
      Number(
        (
          await db.query<Array<{ n: number }>>('SELECT times_used AS n FROM promotions WHERE code = ?', [
            code,
          ])
        )[0].n,
      );
    expect(await usedOf()).toBe(1);

    const cancelled = await shop.send<Order>('POST', `/v1/orders/${placed.body.id}/cancel`, started.shopper, {
      reason: 'changed my mind',
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(await usedOf()).toBe(0);
    const [level] = await levelsWithLedger(db, [variantId]);
    expect(level).toEqual(expect.objectContaining({ onHand: 4, reserved: 0, ledgerReserved: 0 }));
    expectProblem(
      await shop.send('POST', `/v1/orders/${placed.body.id}/cancel`, started.shopper, {}),
      409,
      '/problems/illegal-transition',
    );

    // Once handed to a carrier the customer can no longer cancel.
    const { variantId: other } = await admin.variantWithStock(2);
    const late = await placeOrder([{ variantId: other, quantity: 1 }]);
    await transition(late.order.id, 'paid');
    await fulfil(late.order.id, [{ orderLineId: late.order.lines[0].id, quantity: 1 }]);
    expectProblem(
      await shop.send('POST', `/v1/orders/${late.order.id}/cancel`, late.shopper, {}),
      409,
      '/problems/illegal-transition',
    );
  });

  it('customers see only their own orders; another customer and a guest without the token get 404', async () => {
    const alice = await createUser(client, db);
    const bob = await createUser(client, db);
    const { variantId } = await admin.variantWithStock(10);
    const { order } = await placeOrder([{ variantId, quantity: 1 }], { token: alice.tokens.accessToken });
    expect(order.customerId).toBe(alice.id);
    const mine = await shop.send<{ data: Array<{ id: string }> }>('GET', '/v1/orders', {
      token: alice.tokens.accessToken,
    });
    expect(mine.body.data.map((row) => row.id)).toContain(order.id);
    const theirs = await shop.send<{ data: Array<{ id: string }> }>('GET', '/v1/orders', {
      token: bob.tokens.accessToken,
    });
    expect(theirs.body.data.map((row) => row.id)).not.toContain(order.id);
    expectProblem(await shop.send('GET', `/v1/orders/${order.id}`, { token: bob.tokens.accessToken }), 404);
    expectProblem(
      await shop.send('POST', `/v1/orders/${order.id}/cancel`, { token: bob.tokens.accessToken }, {}),
      404,
    );
    expectProblem(await shop.send('GET', `/v1/orders/${order.id}`, {}), 404);
    expect(
      (await shop.send('GET', `/v1/orders/${order.id}`, { token: alice.tokens.accessToken })).status,
    ).toBe(200);
  });

  it('staff list and filter every order with a stable cursor', async () => {
    const carol = await createUser(client, db);
    const { variantId } = await admin.variantWithStock(50, 700);
    const placed: Order[] = [];
    for (let i = 0; i < 5; i++)
      placed.push(
        (await placeOrder([{ variantId, quantity: i + 1 }], { token: carol.tokens.accessToken })).order,
      );
    await transition(placed[0].id, 'paid');
    type Row = { id: string; status: string; total: number };
    const list = async (query: string) => {
      const rows: Row[] = [];
      let cursor: string | null = null;
      do {
        const page: { status: number; body: { data: Row[]; nextCursor: string | null } } = await admin.send(
          'GET',
          `/v1/admin/orders?${query}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.status).toBe(200);
        rows.push(...page.body.data);
        cursor = page.body.nextCursor;
      } while (cursor);
      return rows;
    };
    const byCustomer = await list(`customerId=${carol.id}`);
    expect(byCustomer.map((row) => row.id)).toEqual(placed.map((order) => order.id).reverse());
    expect((await list(`customerId=${carol.id}&status=paid`)).map((row) => row.id)).toEqual([placed[0].id]);
    const totals = placed.map((order) => order.totals.total);
    const band = await list(`customerId=${carol.id}&minTotal=${totals[1]}&maxTotal=${totals[3]}`);
    expect(band.map((row) => row.id).sort()).toEqual([placed[1].id, placed[2].id, placed[3].id].sort());
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(await list(`customerId=${carol.id}&from=${encodeURIComponent(future)}`)).toEqual([]);
    expectProblem(await admin.send('GET', '/v1/admin/orders?status=lost'), 400);
    expectProblem(await admin.send('GET', '/v1/admin/orders?cursor=bm90LWEtY3Vyc29y'), 422);
    const customer = await createUser(client, db);
    expectProblem(await client.send('GET', '/v1/admin/orders', { token: customer.tokens.accessToken }), 403);
  });

  describe('payment deadline', () => {
    let worker: INestApplicationContext;
    let shortApi: TestApi;
    let shortShop: ShopClient;

    beforeAll(async () => {
      const ttl = { checkout: { reservationTtlSeconds: 2 } };
      shortApi = await env.startApi([], { rateLimit: { max: 1_000_000 }, ...ttl });
      worker = await env.startWorker([], ttl);
      shortShop = new ShopClient(shortApi.baseUrl);
    });

    async function placeShort(variantId: string, quantity: number): Promise<Order> {
      const { cart, shopper } = await shortShop.newCart();
      await shortShop.add(cart.id, shopper, variantId, quantity);
      await shortShop.prepare(cart.id, shopper);
      // A card order: its deadline is the checkout reservation (bank transfers are held for days).
      const placed = await shortShop.checkout(cart.id, shopper, randomUUID(), { paymentMethod: 'card' });
      if (placed.status !== 201) throw new Error(placed.text);
      return placed.body;
    }

    /** The order's delayed expiry job, once the relay has handed it to Bull (job id outbox-<row id>). */
    async function delayedExpiryJob(orderId: string): Promise<Job> {
      const queue = worker.get<Queue>(getQueueToken(ORDERS_QUEUE), { strict: false });
      let job: Job | null = null;
      await waitFor(
        async () => {
          const [row] = await db.query<Array<{ id: string }>>(
            "SELECT id FROM outbox WHERE job_name = 'orders.expire' AND published_at IS NOT NULL AND JSON_UNQUOTE(JSON_EXTRACT(payload, '$.orderId')) = ?",
            [orderId],
          );
          job = row ? await queue.getJob(outboxJobId(row.id)) : null;
          return job !== null;
        },
        5_000,
        `the expiry job of order ${orderId} in Bull`,
      );
      return job!;
    }

    /** Waits for a Bull job of the orders queue to complete and returns what its handler returned. */
    async function finishedJobResult(jobId: JobId): Promise<unknown> {
      const queue = worker.get<Queue>(getQueueToken(ORDERS_QUEUE), { strict: false });
      await waitFor(
        async () => (await queue.getJob(jobId))?.finishedOn !== undefined,
        10_000,
        `orders job ${jobId} to finish`,
      );
      const job = (await queue.getJob(jobId))!;
      expect(job.failedReason).toBeUndefined();
      return job.returnvalue as unknown;
    }

    it('an unpaid order is cancelled by its delayed job and its stock is available again', async () => {
      const { variantId } = await admin.variantWithStock(3);
      const order = await placeShort(variantId, 3);
      await waitFor(async () => (await adminOrder(order.id)).status === 'cancelled');
      const cancelled = await adminOrder(order.id);
      expect(cancelled.history.at(-1)).toEqual(
        expect.objectContaining({ from: 'pending_payment', to: 'cancelled', actor: 'system:expiry' }),
      );
      const [level] = await levelsWithLedger(db, [variantId]);
      expect(level).toEqual(expect.objectContaining({ onHand: 3, reserved: 0, ledgerReserved: 0 }));
      // Both paths are idempotent: another expiry of the same order changes nothing.
      expect(await worker.get(OrderExpiryService).expire(order.id)).toBe(false);
      expect(await worker.get(OrderExpiryService).expireOverdue()).toBe(0);
      expect((await adminOrder(order.id)).history).toHaveLength(2);
    });

    it('an order paid one moment before its deadline stays paid and keeps its stock', async () => {
      const { variantId } = await admin.variantWithStock(2);
      const order = await placeShort(variantId, 2);
      const expireJob = await delayedExpiryJob(order.id);
      // The clock is what this test is about: pay 500 ms before the deadline, while the job still waits.
      const payAt = new Date(order.expiresAt!).getTime() - 500;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, payAt - Date.now())));
      expect(await expireJob.getState()).toBe('delayed');
      expect((await transition(order.id, 'paid')).status).toBe(200);
      // The delayed job runs at the deadline and leaves the paid order alone; so does the sweep, by hand.
      expect(await finishedJobResult(expireJob.id)).toEqual({ cancelled: false });
      expect(await worker.get(OrderExpiryService).expire(order.id, new Date(Date.now() + 3_600_000))).toBe(
        false,
      );
      await worker.get(OrderExpiryService).expireOverdue(new Date(Date.now() + 3_600_000));
      const paid = await adminOrder(order.id);
      expect(paid.status).toBe('paid');
      const [level] = await levelsWithLedger(db, [variantId]);
      expect(level).toEqual(expect.objectContaining({ onHand: 2, reserved: 2 }));
    }, 20_000);

    it('the sweep cancels overdue orders on its own (the safety net for a lost delayed job)', async () => {
      const { variantId } = await admin.variantWithStock(1);
      const order = await placeShort(variantId, 1);
      // Lose the delayed job: the outbox row is marked published without ever reaching Bull.
      await db.query(
        "DELETE FROM outbox WHERE job_name = 'orders.expire' AND JSON_EXTRACT(payload, '$.orderId') = ?",
        [order.id],
      );
      const swept = await worker.get(OrderExpiryService).expireOverdue(new Date(Date.now() + 60_000));
      expect(swept).toBeGreaterThanOrEqual(1);
      expect((await adminOrder(order.id)).status).toBe('cancelled');
    });
  });
});
