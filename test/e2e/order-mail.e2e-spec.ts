import { SmtpReceiver, type ReceivedMail } from '@app/testing';
import { getQueueToken } from '@nestjs/bull';
import type { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bull';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { DomainEventEnvelope } from '../../src/modules/notifications/events/domain-event-handler';
import { EVENTS_QUEUE } from '../../src/modules/notifications/jobs/events.jobs';
import { MAIL_QUEUE } from '../../src/modules/notifications/mail/mail.jobs';
import { OrderMailService } from '../../src/modules/notifications/order-mail/order-mail.service';
import { SANDBOX_CARDS } from '../../src/modules/payments/providers/sandbox.provider';
import { AuthClient, createUser } from '../support/auth-client';
import { payWithCard } from '../support/payments-shop';
import { ADDRESS, ShopAdmin, ShopClient, type Order, type Shopper } from '../support/shop-client';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { waitFor, waitForQueuesToSettle } from '../support/wait-for';

const SHOP = { shopName: 'Käse & Co', shopAddress: 'Käse & Co GmbH\nHauptstraße 1\n10115 Berlin' };
// Survives the greeting's filter (no slash, colon or domain) but carries every HTML-special character.
const HOSTILE_NAME = `<script>alert("x") & 'Bob'`;

/**
 * The customer's mail over an order's life, as it leaves over SMTP: one mail per event, both parts,
 * the shop's name and address, the order's number and totals, and the parcel's tracking link.
 */
describe('order email', () => {
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
      mail: { host: '127.0.0.1', port: receiver.port, secure: false, ...SHOP },
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
  afterAll(async () => {
    await env?.cleanup();
    await receiver?.close();
  });

  async function place(
    paymentMethod: 'card' | 'bank_transfer',
    firstName = 'Ada',
  ): Promise<{ order: Order; shopper: Shopper }> {
    const { variantId } = await admin.variantWithStock(10, 2500);
    const { cart, shopper } = await shop.newCart();
    await shop.add(cart.id, shopper, variantId, 2);
    await shop.prepare(cart.id, shopper, { ...ADDRESS, firstName });
    const placed = await shop.checkout(cart.id, shopper, randomUUID(), { paymentMethod });
    if (placed.status !== 201) throw new Error(`checkout failed: ${placed.status} ${placed.text}`);
    return { order: placed.body, shopper };
  }
  const status = async (orderId: string) =>
    (await admin.send<Order>('GET', `/v1/admin/orders/${orderId}`)).body.status;
  const transition = async (orderId: string, to: string) => {
    const response = await admin.send<Order>('POST', `/v1/admin/orders/${orderId}/transitions`, { to });
    if (response.status !== 200) throw new Error(`${to}: ${response.status} ${response.text}`);
  };
  const paid = async (order: Order, shopper: Shopper) => {
    const payment = await payWithCard(shop, order.id, shopper, SANDBOX_CARDS.succeeds);
    await waitFor(async () => (await status(order.id)) === 'paid', 15_000, 'the order to be paid');
    return payment.body;
  };
  const subjects = (email: string) => receiver.messagesTo(email).map((mail) => mail.parsed.subject);
  const mailFor = (email: string, subject: string) =>
    receiver.waitForMessage((mail) => mail.recipients.includes(email) && mail.parsed.subject === subject);
  const money = (minor: number) => `EUR ${(minor / 100).toFixed(2)}`;

  function expectShopAndOrder(mail: ReceivedMail, order: Order): void {
    const text = mail.parsed.text ?? '';
    const html = typeof mail.parsed.html === 'string' ? mail.parsed.html : '';
    expect(text).toContain(order.number);
    expect(html).toContain(order.number);
    expect(text).toContain('— The Käse & Co team');
    expect(text).toContain('Käse & Co GmbH\nHauptstraße 1\n10115 Berlin');
    expect(html).toContain('Käse &amp; Co GmbH<br>Hauptstraße 1<br>10115 Berlin');
  }
  function expectTotals(mail: ReceivedMail, order: Order): void {
    expect(mail.parsed.text).toContain(`Total: ${money(order.totals.total)}`);
    expect(mail.parsed.html).toContain(`<strong>${money(order.totals.total)}</strong>`);
  }

  it('placed → paid → shipped → delivered: four mails, each once, with totals and the tracking link', async () => {
    const { order, shopper } = await place('card');
    await paid(order, shopper);
    const fulfilled = await admin.send<Order>('POST', `/v1/admin/orders/${order.id}/fulfilments`, {
      lines: order.lines.map((line) => ({ orderLineId: line.id, quantity: line.quantity })),
      carrier: 'DHL',
      trackingNumber: 'JD014600003828',
    });
    expect(fulfilled.body.status).toBe('fulfilled');
    await transition(order.id, 'shipped');
    await transition(order.id, 'delivered');

    const confirmation = await mailFor(order.email, `Your Käse & Co order ${order.number}`);
    expectShopAndOrder(confirmation, order);
    expectTotals(confirmation, order);
    expect(confirmation.parsed.text).toContain(`2 × ${order.lines[0].title}`);
    const received = await mailFor(order.email, `Payment received for order ${order.number}`);
    expectShopAndOrder(received, order);
    expect(received.parsed.text).toContain(`payment of ${money(order.totals.total)}`);
    const shipped = await mailFor(order.email, `Your order ${order.number} is on its way`);
    expectShopAndOrder(shipped, order);
    expectTotals(shipped, order);
    const link = 'https://www.dhl.com/global-en/home/tracking.html?tracking-id=JD014600003828';
    expect(shipped.parsed.text).toContain(`DHL, tracking number JD014600003828\nTrack it: ${link}`);
    expect(shipped.parsed.html).toContain(`href="${link}"`);
    const delivered = await mailFor(order.email, `Your order ${order.number} has been delivered`);
    expectShopAndOrder(delivered, order);

    await waitForQueuesToSettle(worker, [EVENTS_QUEUE, MAIL_QUEUE]);
    expect(subjects(order.email).sort()).toEqual(
      [
        `Your Käse & Co order ${order.number}`,
        `Payment received for order ${order.number}`,
        `Your order ${order.number} is on its way`,
        `Your order ${order.number} has been delivered`,
      ].sort(),
    );
  }, 60_000);

  it('a cancelled order, a declined card and a refund each get their one mail', async () => {
    const unpaid = await place('bank_transfer');
    await transition(unpaid.order.id, 'cancelled');
    const cancelled = await mailFor(
      unpaid.order.email,
      `Your order ${unpaid.order.number} has been cancelled`,
    );
    expectShopAndOrder(cancelled, unpaid.order);
    expectTotals(cancelled, unpaid.order);
    expect(cancelled.parsed.text).toContain('No payment was taken');

    const refunded = await place('card');
    const declined = await payWithCard(shop, refunded.order.id, refunded.shopper, SANDBOX_CARDS.declined);
    expect(declined.body.state).toBe('failed');
    const failed = await mailFor(
      refunded.order.email,
      `Payment for order ${refunded.order.number} did not go through`,
    );
    expectShopAndOrder(failed, refunded.order);
    const payment = await paid(refunded.order, refunded.shopper);
    const refund = await admin.send(
      'POST',
      `/v1/admin/payments/${payment.id}/refunds`,
      { amount: 1000, reason: 'damaged' },
      { 'idempotency-key': randomUUID() },
    );
    expect(refund.status).toBe(202);
    const refundMail = await mailFor(
      refunded.order.email,
      `Refund of EUR 10.00 for order ${refunded.order.number}`,
    );
    expectShopAndOrder(refundMail, refunded.order);
    expect(refundMail.parsed.text).toContain('partial refund');
    await waitFor(async () => (await status(refunded.order.id)) === 'partially_refunded');

    await waitForQueuesToSettle(worker, [EVENTS_QUEUE, MAIL_QUEUE]);
    expect(subjects(unpaid.order.email).sort()).toEqual(
      [
        `Your Käse & Co order ${unpaid.order.number}`,
        `Your order ${unpaid.order.number} has been cancelled`,
      ].sort(),
    );
    // order.refunded (the status change) sends nothing of its own: one mail per refund.
    expect(subjects(refunded.order.email).sort()).toEqual(
      [
        `Your Käse & Co order ${refunded.order.number}`,
        `Payment for order ${refunded.order.number} did not go through`,
        `Payment received for order ${refunded.order.number}`,
        `Refund of EUR 10.00 for order ${refunded.order.number}`,
      ].sort(),
    );
  }, 60_000);

  it('an event delivered again — to the handler twice at once, or re-queued after Bull forgot it — mails once', async () => {
    const { order } = await place('bank_transfer');
    await mailFor(order.email, `Your Käse & Co order ${order.number}`);
    await waitForQueuesToSettle(worker, [EVENTS_QUEUE, MAIL_QUEUE]);
    const [row] = await db.query<Array<{ id: string; payload: unknown }>>(
      `SELECT id, payload FROM outbox WHERE job_name = 'order.placed' AND JSON_VALUE(payload, '$.orderId') = ?`,
      [order.id],
    );
    const payload = typeof row.payload === 'string' ? (JSON.parse(row.payload) as unknown) : row.payload;
    const envelope = {
      id: `outbox-${row.id}`,
      type: 'order.placed',
      timestamp: new Date().toISOString(),
      payload,
    } as DomainEventEnvelope;
    const handler = worker.get(OrderMailService, { strict: false });
    await Promise.all([handler.handle(envelope), handler.handle(envelope)]);
    // The completed event job expired (removeOnComplete): Bull takes the same id as a new job.
    const events = worker.get<Queue>(getQueueToken(EVENTS_QUEUE), { strict: false });
    await (await events.getJob(envelope.id))!.remove();
    await events.add('order.placed', payload, { jobId: envelope.id });
    await waitForQueuesToSettle(worker, [EVENTS_QUEUE, MAIL_QUEUE]);
    expect(await events.getJob(envelope.id)).toEqual(
      expect.objectContaining({ finishedOn: expect.any(Number) }),
    );
    expect(subjects(order.email)).toEqual([`Your Käse & Co order ${order.number}`]);
  }, 60_000);

  it('escapes what the customer typed in the HTML part and keeps it as written in the text part', async () => {
    const { order } = await place('bank_transfer', HOSTILE_NAME);
    const mail = await mailFor(order.email, `Your Käse & Co order ${order.number}`);
    const html = typeof mail.parsed.html === 'string' ? mail.parsed.html : '';
    expect(html).not.toContain('<script');
    expect(html).toContain('Hello &lt;script&gt;alert(&quot;x&quot;) &amp; &#39;Bob&#39;,');
    expect(mail.parsed.text).toContain(`Hello ${HOSTILE_NAME},`);
  }, 60_000);
});
