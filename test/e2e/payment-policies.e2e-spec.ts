import { expectProblem, SmtpReceiver } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ORDER_STATUSES, type OrderStatus } from '../../src/modules/orders/entities/order.entity';
import { MAIL_QUEUE } from '../../src/modules/notifications/mail/mail.jobs';
import { OrderExpiryService } from '../../src/modules/orders/lifecycle/order-expiry.service';
import { PaymentRemindersService } from '../../src/modules/orders/lifecycle/payment-reminders.service';
import { AuthClient, createUser } from '../support/auth-client';
import { levelsWithLedger } from '../support/inventory-checks';
import { ShopAdmin, ShopClient, type Order, type Shopper } from '../support/shop-client';
import { waitForQueuesToSettle } from '../support/wait-for';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BANK_DETAILS = 'Storekeep Test GmbH, IBAN DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX';

type Method = 'card' | 'bank_transfer' | 'cash_on_delivery';
type StaffOrder = Order & { paymentMethod: Method; createdAt: string; version: number };

/**
 * What each payment method means for an order: card (the 30-minute reservation, unchanged), bank
 * transfer (held for days, one reminder mail before it expires), cash on delivery (never expires,
 * ships unpaid, is paid at the door without moving backwards). Time is driven by calling the expiry
 * and reminder sweeps with a chosen "now", as the worker's repeatable jobs call them.
 */
describe('payment-method policies', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let worker: INestApplicationContext;
  let receiver: SmtpReceiver;
  let db: DataSource;
  let admin: ShopAdmin;
  let shop: ShopClient;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    receiver = await SmtpReceiver.start();
    api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    worker = await env.startWorker([], {
      mail: { host: '127.0.0.1', port: receiver.port, secure: false },
      payments: { bankTransferInstructions: BANK_DETAILS },
    });
    db = api.app.get(DataSource);
    const client = new AuthClient(api.baseUrl);
    const owner = await createUser(client, db, { role: 'admin' });
    admin = new ShopAdmin(client, owner.tokens.accessToken);
    await admin.setUp();
    shop = new ShopClient(api.baseUrl);
  }, 60_000);
  afterAll(async () => {
    await env?.cleanup();
    await receiver?.close();
  });

  async function place(
    method: Method,
    units: number,
    variantId: string,
    via: ShopClient = shop,
  ): Promise<{ order: StaffOrder; shopper: Shopper }> {
    const { cart, shopper } = await via.newCart();
    await via.add(cart.id, shopper, variantId, units);
    await via.prepare(cart.id, shopper);
    const placed = await via.checkout(cart.id, shopper, randomUUID(), { paymentMethod: method });
    if (placed.status !== 201) throw new Error(`checkout failed: ${placed.status} ${placed.text}`);
    return { order: placed.body as StaffOrder, shopper };
  }

  const adminOrder = async (orderId: string) =>
    (await admin.send<StaffOrder>('GET', `/v1/admin/orders/${orderId}`)).body;
  const transition = (orderId: string, to: OrderStatus) =>
    admin.send<StaffOrder>('POST', `/v1/admin/orders/${orderId}/transitions`, { to });
  const fulfilAll = (order: Order) =>
    admin.send<StaffOrder>('POST', `/v1/admin/orders/${order.id}/fulfilments`, {
      lines: order.lines.map((line) => ({ orderLineId: line.id, quantity: line.quantity })),
      carrier: 'DHL',
      trackingNumber: `T${Date.now()}`,
    });
  /** A payment recorded by staff; references are unique per provider, so each gets its own. */
  const recordPayment = (orderId: string, reference = `RECEIPT-${randomUUID()}`) =>
    admin.send<{ id: string; state: string; amount: number }>(
      'POST',
      `/v1/admin/orders/${orderId}/payments`,
      { reference },
      { 'idempotency-key': randomUUID() },
    );
  const outboxOf = (jobName: string, orderId: string) =>
    db.query<Array<{ delay_ms: number; payload: unknown }>>(
      "SELECT delay_ms, payload FROM outbox WHERE job_name = ? AND JSON_UNQUOTE(JSON_EXTRACT(payload, '$.orderId')) = ? ORDER BY id",
      [jobName, orderId],
    );
  const remindersTo = async (email: string) =>
    Number(
      (
        await db.query<Array<{ n: string }>>(
          "SELECT COUNT(*) AS n FROM outbox WHERE job_name = 'mail.send' AND JSON_UNQUOTE(JSON_EXTRACT(payload, '$.template')) = 'payment-reminder' AND JSON_UNQUOTE(JSON_EXTRACT(payload, '$.to')) = ?",
          [email],
        )
      )[0].n,
    );
  const stock = async (variantId: string) => {
    const [level] = await levelsWithLedger(db, [variantId]);
    return { onHand: level.onHand, reserved: level.reserved, ledgerReserved: level.ledgerReserved };
  };

  describe('cash on delivery', () => {
    it('never expires, is fulfilled, shipped and delivered unpaid, then paid once at the door (order.paid)', async () => {
      const { variantId } = await admin.variantWithStock(5);
      const { order } = await place('cash_on_delivery', 2, variantId);
      expect(order).toEqual(
        expect.objectContaining({ status: 'pending_payment', expiresAt: null, paidAt: null }),
      );
      expect(await outboxOf('orders.expire', order.id)).toEqual([]);
      expect(await outboxOf('orders.remind-payment', order.id)).toEqual([]);

      // Long past any deadline a card or a transfer would have: the order and its stock stay.
      const later = new Date(Date.now() + 31 * DAY);
      expect(await worker.get(OrderExpiryService).expire(order.id, later)).toBe(false);
      await worker.get(OrderExpiryService).expireOverdue(later);
      expect((await adminOrder(order.id)).status).toBe('pending_payment');
      expect(await stock(variantId)).toEqual({ onHand: 5, reserved: 2, ledgerReserved: 2 });

      const fulfilled = await fulfilAll(order);
      expect(fulfilled.status).toBe(201);
      expect(fulfilled.body).toEqual(expect.objectContaining({ status: 'fulfilled', paidAt: null }));
      expect((await transition(order.id, 'shipped')).status).toBe(200);
      expect((await transition(order.id, 'delivered')).status).toBe(200);
      await worker.get(OrderExpiryService).expireOverdue(later);
      const delivered = await adminOrder(order.id);
      expect(delivered).toEqual(expect.objectContaining({ status: 'delivered', paidAt: null }));
      expect(await stock(variantId)).toEqual({ onHand: 3, reserved: 0, ledgerReserved: 0 });

      // Unpaid, it cannot move backwards to paid, be refunded or cancelled.
      for (const to of ['paid', 'refunded', 'partially_refunded', 'cancelled'] as const)
        expectProblem(await transition(order.id, to), 409, '/problems/illegal-transition');

      const recorded = await recordPayment(order.id);
      expect(recorded.status).toBe(201);
      expect(recorded.body).toEqual(
        expect.objectContaining({ state: 'captured', amount: order.totals.total }),
      );
      const paid = await adminOrder(order.id);
      expect(paid.status).toBe('delivered');
      expect(paid.paidAt).not.toBeNull();
      expect(paid.history.map((entry) => [entry.from, entry.to])).toEqual([
        [null, 'pending_payment'],
        ['pending_payment', 'fulfilled'],
        ['fulfilled', 'shipped'],
        ['shipped', 'delivered'],
        ['delivered', 'delivered'],
      ]);
      expect(paid.history.at(-1)).toEqual(
        expect.objectContaining({
          actor: expect.stringMatching(/^payment:/),
          reason: expect.stringMatching(/manual/),
        }),
      );
      // Once: a second payment is refused, and order.paid was written exactly once.
      expectProblem(await recordPayment(order.id), 409, '/problems/order-not-payable');
      const events = await db.query<Array<{ job_name: string }>>(
        "SELECT job_name FROM outbox WHERE queue = 'events' AND JSON_UNQUOTE(JSON_EXTRACT(payload, '$.orderId')) = ? AND job_name LIKE 'order.%' ORDER BY id",
        [order.id],
      );
      expect(events.map((event) => event.job_name)).toEqual([
        'order.placed',
        'order.fulfilled',
        'order.shipped',
        'order.delivered',
        'order.paid',
      ]);
      const [paidEvent] = await outboxOf('order.paid', order.id);
      const payload = (
        typeof paidEvent.payload === 'string' ? JSON.parse(paidEvent.payload) : paidEvent.payload
      ) as Record<string, unknown>;
      expect(payload).toEqual(
        expect.objectContaining({ number: order.number, from: 'delivered', to: 'delivered' }),
      );
      // Paid now: the prepaid table applies, so a refund made elsewhere may be recorded.
      expect((await transition(order.id, 'refunded')).status).toBe(200);
    });

    it('is cancelled by its customer before shipment (stock back), never once goods went out', async () => {
      const { variantId } = await admin.variantWithStock(4);
      const { order, shopper } = await place('cash_on_delivery', 2, variantId);
      const cancelled = await shop.send<Order>('POST', `/v1/orders/${order.id}/cancel`, shopper, {});
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.status).toBe('cancelled');
      expect(await stock(variantId)).toEqual({ onHand: 4, reserved: 0, ledgerReserved: 0 });

      const shipped = (await place('cash_on_delivery', 1, variantId)).order;
      expect((await fulfilAll(shipped)).status).toBe(201);
      expectProblem(await transition(shipped.id, 'cancelled'), 409, '/problems/illegal-transition');
      expect((await transition(shipped.id, 'shipped')).status).toBe(200);
      expectProblem(await transition(shipped.id, 'cancelled'), 409, '/problems/illegal-transition');
    });

    it('paid before it ships, it follows the prepaid path', async () => {
      const { variantId } = await admin.variantWithStock(2);
      const { order } = await place('cash_on_delivery', 1, variantId);
      expect((await recordPayment(order.id)).status).toBe(201);
      expect((await adminOrder(order.id)).status).toBe('paid');
      expect((await fulfilAll(order)).body.status).toBe('fulfilled');
      expect((await outboxOf('order.paid', order.id)).length).toBe(1);
    });
  });

  describe('bank transfer', () => {
    it('is held 7 days (alive just before, cancelled after, stock back) and reminded once over SMTP', async () => {
      const { variantId } = await admin.variantWithStock(3);
      const { order } = await place('bank_transfer', 3, variantId);
      const created = Date.parse((await adminOrder(order.id)).createdAt);
      const expiresAt = Date.parse(order.expiresAt!);
      expect(expiresAt - created).toBe(7 * DAY);
      expect((await outboxOf('orders.expire', order.id)).map((row) => Number(row.delay_ms))).toEqual([
        7 * DAY,
      ]);
      expect((await outboxOf('orders.remind-payment', order.id)).map((row) => Number(row.delay_ms))).toEqual([
        5 * DAY,
      ]);

      const reminders = worker.get(PaymentRemindersService);
      // Not due 49 hours before the deadline.
      expect(await reminders.remind(order.id, new Date(expiresAt - 49 * HOUR))).toBe(false);
      await reminders.remindDue(new Date(expiresAt - 49 * HOUR));
      expect(await remindersTo(order.email)).toBe(0);
      // Due: the delayed job and the sweep, each delivered twice, all at once — one reminder.
      const due = new Date(expiresAt - 47 * HOUR);
      const results = await Promise.all([
        reminders.remind(order.id, due),
        reminders.remind(order.id, due),
        reminders.remindDue(due),
        reminders.remindDue(due),
      ]);
      expect(results.map(Number).reduce((sum, n) => sum + n, 0)).toBe(1);
      expect(await remindersTo(order.email)).toBe(1);
      const isReminder = (message: { parsed: { subject?: string } }) =>
        message.parsed.subject?.startsWith('Reminder:') === true;
      const mail = await receiver.waitForMessage(
        (message) => message.recipients.includes(order.email) && isReminder(message),
      );
      const total = `EUR ${(order.totals.total / 100).toFixed(2)}`;
      expect(mail.parsed.subject).toBe(`Reminder: please pay ${total} for order ${order.number}`);
      expect(mail.parsed.text).toContain(`Payment reference: ${order.number}`);
      expect(mail.parsed.text).toContain(BANK_DETAILS);
      expect(mail.parsed.text).toContain(new Date(expiresAt).toISOString().slice(0, 16).replace('T', ' '));
      // Later runs find nothing more to send; once every mail job has run, there was no duplicate.
      expect(await reminders.remind(order.id, new Date(expiresAt - HOUR))).toBe(false);
      await waitForQueuesToSettle(worker, [MAIL_QUEUE]);
      // The order confirmation is the other mail this address got (order email).
      expect(receiver.messagesTo(order.email).filter(isReminder)).toHaveLength(1);

      // Alive a minute before the hold ends, stock still reserved.
      const expiry = worker.get(OrderExpiryService);
      expect(await expiry.expire(order.id, new Date(expiresAt - 60_000))).toBe(false);
      await expiry.expireOverdue(new Date(expiresAt - 60_000));
      expect((await adminOrder(order.id)).status).toBe('pending_payment');
      expect(await stock(variantId)).toEqual({ onHand: 3, reserved: 3, ledgerReserved: 3 });
      // Cancelled once it has passed, and its stock is for sale again.
      await expiry.expireOverdue(new Date(expiresAt + 1_000));
      const expired = await adminOrder(order.id);
      expect(expired.status).toBe('cancelled');
      expect(expired.history.at(-1)).toEqual(
        expect.objectContaining({ from: 'pending_payment', to: 'cancelled', actor: 'system:expiry' }),
      );
      expect(await stock(variantId)).toEqual({ onHand: 3, reserved: 0, ledgerReserved: 0 });
    }, 30_000);

    it('a paid transfer is never reminded nor expired', async () => {
      const { variantId } = await admin.variantWithStock(1);
      const { order } = await place('bank_transfer', 1, variantId);
      expect((await recordPayment(order.id)).status).toBe(201);
      const expiresAt = Date.parse(order.expiresAt!);
      expect(await worker.get(PaymentRemindersService).remind(order.id, new Date(expiresAt - HOUR))).toBe(
        false,
      );
      expect(await worker.get(OrderExpiryService).expire(order.id, new Date(expiresAt + HOUR))).toBe(false);
      expect(await adminOrder(order.id)).toEqual(
        expect.objectContaining({ status: 'paid', expiresAt: null }),
      );
      expect(await remindersTo(order.email)).toBe(0);
    });

    it('the hold and the reminder are configurable', async () => {
      const shortHold = await env.startApi([], {
        rateLimit: { max: 1_000_000 },
        payments: { bankTransferHoldDays: 2, bankTransferReminderHours: 12 },
      });
      const { variantId } = await admin.variantWithStock(1);
      const { order } = await place('bank_transfer', 1, variantId, new ShopClient(shortHold.baseUrl));
      const created = Date.parse((await adminOrder(order.id)).createdAt);
      expect(Date.parse(order.expiresAt!) - created).toBe(2 * DAY);
      expect((await outboxOf('orders.expire', order.id)).map((row) => Number(row.delay_ms))).toEqual([
        2 * DAY,
      ]);
      expect((await outboxOf('orders.remind-payment', order.id)).map((row) => Number(row.delay_ms))).toEqual([
        36 * HOUR,
      ]);
    });
  });

  describe('card (unchanged)', () => {
    it('holds its stock for the checkout reservation, without reminder, then expires', async () => {
      const { variantId } = await admin.variantWithStock(2);
      const { order } = await place('card', 2, variantId);
      const created = Date.parse((await adminOrder(order.id)).createdAt);
      expect(Date.parse(order.expiresAt!) - created).toBe(1_800_000);
      expect((await outboxOf('orders.expire', order.id)).map((row) => Number(row.delay_ms))).toEqual([
        1_800_000,
      ]);
      expect(await outboxOf('orders.remind-payment', order.id)).toEqual([]);
      expectProblem(await fulfilAll(order), 409, '/problems/illegal-transition');
      expect(await worker.get(OrderExpiryService).expire(order.id, new Date(created + 1_799_000))).toBe(
        false,
      );
      expect(await worker.get(OrderExpiryService).expire(order.id, new Date(created + 1_801_000))).toBe(true);
      expect((await adminOrder(order.id)).status).toBe('cancelled');
      expect(await stock(variantId)).toEqual({ onHand: 2, reserved: 0, ledgerReserved: 0 });
    });
  });

  it('every move a method does not allow an unpaid order is 409 problem+json and changes nothing', async () => {
    let refused = 0;
    for (const method of ['card', 'bank_transfer', 'cash_on_delivery'] as const) {
      const { variantId } = await admin.variantWithStock(2);
      const { order } = await place(method, 1, variantId);
      const before = await adminOrder(order.id);
      // Written out here rather than read from the code: the table is what this test checks.
      const allowed: OrderStatus[] =
        method === 'cash_on_delivery'
          ? ['paid', 'partially_fulfilled', 'fulfilled', 'cancelled']
          : ['paid', 'cancelled'];
      for (const to of ORDER_STATUSES) {
        if (allowed.includes(to) && !['partially_fulfilled', 'fulfilled'].includes(to)) continue;
        refused += 1;
        const response = await transition(order.id, to);
        expectProblem(response, 409, '/problems/illegal-transition');
        expect(response.body).toEqual(
          expect.objectContaining({ currentStatus: 'pending_payment', requestedStatus: to }),
        );
      }
      if (method !== 'cash_on_delivery')
        expectProblem(await fulfilAll(order), 409, '/problems/illegal-transition');
      const after = await adminOrder(order.id);
      expect(after).toEqual(expect.objectContaining({ status: 'pending_payment', version: before.version }));
      expect(after.history).toEqual(before.history);
    }
    expect(refused).toBe(3 * 7);
  });
});
