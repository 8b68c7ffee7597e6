import { TestApi, TestEnvironment } from './test-environment';
import { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SANDBOX_CARDS } from '../../src/modules/payments/providers/sandbox.provider';
import { AuthClient, createUser } from './auth-client';
import { ShopAdmin, ShopClient, type Order, type Shopper } from './shop-client';
import { waitFor } from './wait-for';

/** A payment as the admin API shows it (the fields the payment tests look at). */
export interface PaymentView {
  id: string;
  state: string;
  providerReference: string | null;
  amount: number;
  capturedAmount: number;
  refundedAmount: number;
  failureCode: string | null;
  flaggedReason?: string | null;
  givenBackAt?: string | null;
}

/**
 * A shop that takes sandbox card payments end to end: the API, a worker that delivers the sandbox's
 * signed webhooks back to it (the delayed card settles after 300 ms), an admin with a location,
 * shipping and tax set up, and a storefront client.
 */
export interface PaymentsShop {
  env: TestEnvironment;
  api: TestApi;
  worker: INestApplicationContext;
  db: DataSource;
  client: AuthClient;
  admin: ShopAdmin;
  shop: ShopClient;
}

export async function startPaymentsShop(): Promise<PaymentsShop> {
  const env = await TestEnvironment.create();
  const api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
  const worker = await env.startWorker([], {
    payments: {
      sandboxWebhookUrl: `${api.baseUrl}/v1/payments/webhooks/sandbox`,
      sandboxSettleDelayMs: 300,
    },
  });
  const db = api.app.get(DataSource);
  const client = new AuthClient(api.baseUrl);
  const owner = await createUser(client, db, { role: 'admin' });
  const admin = new ShopAdmin(client, owner.tokens.accessToken);
  await admin.setUp();
  return { env, api, worker, db, client, admin, shop: new ShopClient(api.baseUrl) };
}

/** An order awaiting payment: `units` of a new variant (10 in stock at 25.00), checked out by a new cart. */
export async function orderAwaitingPayment(
  admin: ShopAdmin,
  shop: ShopClient,
  options: { units?: number; paymentMethod?: 'card' | 'bank_transfer'; shopper?: Shopper } = {},
): Promise<{ order: Order; shopper: Shopper; variantId: string }> {
  const { variantId } = await admin.variantWithStock(10, 2500);
  const started = await shop.newCart(options.shopper ?? {});
  await shop.add(started.cart.id, started.shopper, variantId, options.units ?? 1);
  await shop.prepare(started.cart.id, started.shopper);
  const placed = await shop.checkout(started.cart.id, started.shopper, randomUUID(), {
    paymentMethod: options.paymentMethod ?? 'card',
  });
  if (placed.status !== 201) throw new Error(placed.text);
  return { order: placed.body, shopper: { ...started.shopper, token: options.shopper?.token }, variantId };
}

/** The customer pays the order with a sandbox card, under an Idempotency-Key (a new one by default). */
export function payWithCard(
  shop: ShopClient,
  orderId: string,
  shopper: Shopper,
  card: string,
  key: string = randomUUID(),
) {
  return shop.send<PaymentView>(
    'POST',
    `/v1/orders/${orderId}/payments`,
    shopper,
    { paymentMethod: card },
    { 'idempotency-key': key },
  );
}

/**
 * Through the API: `units` of the variant checked out by a guest and paid with the sandbox card that
 * succeeds, then `refund` (minor units) of it refunded by staff; the order once it is partially refunded.
 */
export async function orderPaidThenPartlyRefunded(
  admin: ShopAdmin,
  shop: ShopClient,
  variantId: string,
  options: { units: number; refund: number; reason: string },
): Promise<Order> {
  const { cart, shopper } = await shop.newCart();
  await shop.add(cart.id, shopper, variantId, options.units);
  await shop.prepare(cart.id, shopper);
  const placed = await shop.checkout(cart.id, shopper, randomUUID(), { paymentMethod: 'card' });
  expect(placed.status).toBe(201);
  const order: Order = placed.body;
  const payment = await payWithCard(shop, order.id, shopper, SANDBOX_CARDS.succeeds);
  const status = async () => (await admin.send<Order>('GET', `/v1/admin/orders/${order.id}`)).body.status;
  await waitFor(async () => (await status()) === 'paid', 15_000, 'the order to be paid');
  const refund = await admin.send(
    'POST',
    `/v1/admin/payments/${payment.body.id}/refunds`,
    { amount: options.refund, reason: options.reason },
    { 'idempotency-key': randomUUID() },
  );
  expect(refund.status).toBe(202);
  await waitFor(async () => (await status()) === 'partially_refunded', 15_000, 'the refund');
  return order;
}
