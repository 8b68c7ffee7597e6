import { expectProblem } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuthClient, createUser } from '../support/auth-client';
import { insertReadyCarts } from '../support/cart-factory';
import { oversellViolations } from '../support/inventory-checks';
import { ShopAdmin, ShopClient, type Order } from '../support/shop-client';

/** Checkout: once per cart however often it is retried, all-or-nothing stock, promotion uses that hold. */
describe('checkout', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let db: DataSource;
  let admin: ShopAdmin;
  let shop: ShopClient;
  let shippingMethodId: string;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    db = api.app.get(DataSource);
    const client = new AuthClient(api.baseUrl);
    const staff = await createUser(client, db, { role: 'admin' });
    admin = new ShopAdmin(client, staff.tokens.accessToken);
    ({ shippingMethodId } = await admin.setUp({ taxRateBp: 1900, shippingRate: 490 }));
    shop = new ShopClient(api.baseUrl);
  }, 60_000);
  afterAll(() => env.cleanup());

  const reservedOf = async (variantId: string) => {
    const [row] = await db.query<Array<{ on_hand: string; reserved: string }>>(
      'SELECT SUM(on_hand) AS on_hand, SUM(reserved) AS reserved FROM inventory_levels WHERE variant_id = ?',
      [variantId],
    );
    return { onHand: Number(row.on_hand), reserved: Number(row.reserved) };
  };

  it('places a guest order: re-priced, reserved, numbered, snapshotted, announced', async () => {
    const a = await admin.variantWithStock(5, 1999);
    const b = await admin.variantWithStock(5, 500);
    const { cart, shopper } = await shop.newCart();
    await shop.add(cart.id, shopper, a.variantId, 2);
    await shop.add(cart.id, shopper, b.variantId, 1);
    const ready = await shop.prepare(cart.id, shopper);
    expect(ready.checkoutReady).toBe(true);

    const placed = await shop.checkout(cart.id, shopper);
    expect(placed.status).toBe(201);
    const order = placed.body;
    expect(order.number).toMatch(/^SK-\d{5,}$/);
    expect(order.status).toBe('pending_payment');
    const { freeShipping: _free, ...readyTotals } = ready.totals as typeof ready.totals & {
      freeShipping: unknown;
    };
    expect(order.totals).toEqual(readyTotals);
    expect(order.lines.map((line) => [line.sku, line.unitPrice, line.quantity])).toEqual([
      [a.sku, 1999, 2],
      [b.sku, 500, 1],
    ]);
    expect(order.history).toEqual([expect.objectContaining({ from: null, to: 'pending_payment' })]);
    expect(new Date(order.expiresAt!).getTime()).toBeGreaterThan(Date.now() + 25 * 60_000);
    expect(await reservedOf(a.variantId)).toEqual({ onHand: 5, reserved: 2 });

    // The cart is closed; the order is readable with the cart's token and by nobody else.
    const closed = await shop.send('GET', `/v1/carts/${cart.id}`, shopper);
    expect(closed.body).toEqual(expect.objectContaining({ status: 'checked_out', orderId: order.id }));
    expect((await shop.send<Order>('GET', `/v1/orders/${order.id}`, shopper)).body.number).toBe(order.number);
    expectProblem(await shop.send('GET', `/v1/orders/${order.id}`, {}), 404, '/problems/order-not-found');
    expectProblem(
      await shop.send('GET', `/v1/orders/${order.id}`, { cartToken: 'not-the-token' }),
      404,
      '/problems/order-not-found',
    );

    // Catalog edits after checkout never change the order.
    const product = await admin.must<{ version: number; variants: Array<{ id: string; version: number }> }>(
      'GET',
      `/v1/admin/products/${a.productId}`,
    );
    const variant = product.variants.find((candidate) => candidate.id === a.variantId)!;
    const patched = await admin.must<{ version: number }>(
      'PATCH',
      `/v1/admin/products/${a.productId}/variants/${a.variantId}`,
      {
        price: 9999,
        version: variant.version,
      },
    );
    await admin.must('PATCH', `/v1/admin/products/${a.productId}`, {
      title: 'Renamed',
      version: patched.version,
    });
    const again = (await shop.send<Order>('GET', `/v1/orders/${order.id}`, shopper)).body;
    expect(again.lines[0]).toEqual(order.lines[0]);
    expect(again.totals).toEqual(order.totals);

    const [event] = await db.query<Array<{ payload: string | Record<string, unknown> }>>(
      "SELECT payload FROM outbox WHERE job_name = 'order.placed' AND JSON_EXTRACT(payload, '$.orderId') = ?",
      [order.id],
    );
    expect(typeof event.payload === 'string' ? JSON.parse(event.payload) : event.payload).toEqual(
      expect.objectContaining({ orderId: order.id, number: order.number, total: order.totals.total }),
    );
    const [expiry] = await db.query<Array<{ delay_ms: number }>>(
      "SELECT delay_ms FROM outbox WHERE job_name = 'orders.expire' AND JSON_EXTRACT(payload, '$.orderId') = ?",
      [order.id],
    );
    // A bank transfer is held PAYMENT_BANK_TRANSFER_HOLD_DAYS (7) days; cards keep the 30-minute reservation.
    expect(Number(expiry.delay_ms)).toBe(7 * 24 * 3_600_000);
    expect(Date.parse(order.expiresAt!)).toBeGreaterThan(Date.now() + 7 * 24 * 3_600_000 - 60_000);

    // The same cart cannot become a second order, whatever the key.
    expectProblem(await shop.checkout(cart.id, shopper), 409, '/problems/cart-closed');
  });

  it('out of stock: 409 naming each line that cannot be served, and nothing reserved', async () => {
    const plenty = await admin.variantWithStock(10);
    const scarce = await admin.variantWithStock(1);
    const gone = await admin.variantWithStock(0);
    const { cart, shopper } = await shop.newCart();
    await shop.add(cart.id, shopper, plenty.variantId, 3);
    await shop.add(cart.id, shopper, scarce.variantId, 2);
    await shop.add(cart.id, shopper, gone.variantId, 1);
    const prepared = await shop.prepare(cart.id, shopper);
    expect(prepared.lines.map((line) => line.problem)).toEqual([null, 'insufficient-stock', 'out-of-stock']);

    const refused = await shop.checkout(cart.id, shopper);
    expectProblem(refused, 409, '/problems/out-of-stock');
    const lines = (
      refused.body as unknown as { lines: Array<{ sku: string; requested: number; available: number }> }
    ).lines;
    expect(lines.map((line) => [line.sku, line.requested, line.available]).sort()).toEqual(
      [
        [scarce.sku, 2, 1],
        [gone.sku, 1, 0],
      ].sort(),
    );
    expect(await reservedOf(plenty.variantId)).toEqual({ onHand: 10, reserved: 0 });
    expect(await reservedOf(scarce.variantId)).toEqual({ onHand: 1, reserved: 0 });
    const [{ orders }] = await db.query<Array<{ orders: string }>>(
      'SELECT COUNT(*) AS orders FROM orders WHERE cart_id = ?',
      [cart.id],
    );
    expect(Number(orders)).toBe(0);
    expect((await shop.send('GET', `/v1/carts/${cart.id}`, shopper)).body.status).toBe('active');
  });

  it('200 concurrent checkouts of carts holding the last 10 units: exactly 10 orders, 20 times over', async () => {
    for (let round = 0; round < 20; round++) {
      const { variantId } = await admin.variantWithStock(10);
      const carts = await insertReadyCarts(db, 200, {
        lines: [{ variantId, quantity: 1 }],
        shippingMethodId,
      });
      const responses = await Promise.all(
        carts.map((cart) => shop.checkout(cart.id, { cartToken: cart.token })),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status >= 500)).toEqual([]);
      expect(statuses.filter((status) => status === 201)).toHaveLength(10);
      expect(statuses.filter((status) => status === 409)).toHaveLength(190);
      for (const refused of responses.filter((response) => response.status === 409))
        expectProblem(refused, 409, '/problems/out-of-stock');
      expect(await oversellViolations(db, variantId, 10, 10)).toEqual([]);
      const [{ orders }] = await db.query<Array<{ orders: string }>>(
        'SELECT COUNT(*) AS orders FROM order_lines WHERE variant_id = ?',
        [variantId],
      );
      expect(Number(orders)).toBe(10);
    }
  }, 300_000);

  it('50 parallel checkouts with one Idempotency-Key: one order, the same answer or a 409', async () => {
    const { variantId } = await admin.variantWithStock(100);
    const [cart] = await insertReadyCarts(db, 1, { lines: [{ variantId, quantity: 2 }], shippingMethodId });
    const shopper = { cartToken: cart.token };
    const key = randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => shop.checkout(cart.id, shopper, key)),
    );
    const created = responses.filter((response) => response.status === 201);
    const others = responses.filter((response) => response.status !== 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    const first = created[0].text;
    for (const response of created) expect(response.text).toBe(first);
    for (const response of others) {
      expectProblem(response, 409, '/problems/idempotency-key-in-flight');
      expect(response.headers.get('retry-after')).toBeTruthy();
    }
    const replay = await shop.checkout(cart.id, shopper, key);
    expect(replay.status).toBe(201);
    expect(replay.text).toBe(first);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const [{ orders }] = await db.query<Array<{ orders: string }>>(
      'SELECT COUNT(*) AS orders FROM orders WHERE cart_id = ?',
      [cart.id],
    );
    expect(Number(orders)).toBe(1);
    expect(await reservedOf(variantId)).toEqual({ onHand: 100, reserved: 2 });

    const otherBody = await shop.checkout(cart.id, shopper, key, { paymentMethod: 'cash_on_delivery' });
    expectProblem(otherBody, 422, '/problems/idempotency-key-reused');
  });

  it('a checkout refused by validation is not stored: the key works once the body is right', async () => {
    const { variantId } = await admin.variantWithStock(5);
    const [cart] = await insertReadyCarts(db, 1, { lines: [{ variantId, quantity: 1 }], shippingMethodId });
    const key = randomUUID();
    expectProblem(
      await shop.checkout(cart.id, { cartToken: cart.token }, key, { paymentMethod: 'gold' }),
      400,
    );
    expect((await shop.checkout(cart.id, { cartToken: cart.token }, key)).status).toBe(201);
    expectProblem(
      await shop.send(
        'POST',
        `/v1/carts/${cart.id}/checkout`,
        { cartToken: cart.token },
        { paymentMethod: 'bank_transfer' },
      ),
      400,
      '/problems/idempotency-key-required',
    );
  });

  it('the client cannot send a price, a total or a discount (mass assignment)', async () => {
    const { variantId } = await admin.variantWithStock(5, 1000);
    const { cart, shopper } = await shop.newCart();
    for (const [path, body] of [
      [`/v1/carts/${cart.id}/items`, { variantId, quantity: 1, price: 1 }],
      [`/v1/carts/${cart.id}/items`, { variantId, quantity: 1, unitPrice: 1 }],
      [`/v1/carts/${cart.id}/items`, { variantId, quantity: 1, discount: 999 }],
    ] as const) {
      expectProblem(await shop.send('POST', path, shopper, body), 400, '/problems/validation-failed');
    }
    await shop.add(cart.id, shopper, variantId, 1);
    await shop.prepare(cart.id, shopper);
    expectProblem(
      await shop.send('PUT', `/v1/carts/${cart.id}/promotion`, shopper, { code: null, discount: 500 }),
      400,
      '/problems/validation-failed',
    );
    for (const extra of [{ total: 1 }, { subtotal: 1 }, { discount: 1000 }, { shipping: 0 }, { lines: [] }]) {
      expectProblem(
        await shop.checkout(cart.id, shopper, randomUUID(), { paymentMethod: 'bank_transfer', ...extra }),
        400,
        '/problems/validation-failed',
      );
    }
    const placed = await shop.checkout(cart.id, shopper);
    expect(placed.status).toBe(201);
    expect(placed.body.totals.subtotal).toBe(1000);
    expect(placed.body.totals.total).toBe(1000 + 490);
  });

  it('a promotion with 5 uses left and 50 concurrent checkouts: exactly 5 orders use it', async () => {
    const code = `FIVE${randomUUID().slice(0, 6).toUpperCase()}`;
    await admin.must('POST', '/v1/admin/promotions', {
      code,
      kind: 'percentage',
      percentBp: 1000,
      usageLimit: 8,
    });
    // Three uses are gone already: five are left.
    await db.query('UPDATE promotions SET times_used = 3 WHERE code = ?', [code]);
    const { variantId } = await admin.variantWithStock(100, 2000);
    const carts = await insertReadyCarts(db, 50, {
      lines: [{ variantId, quantity: 1 }],
      shippingMethodId,
      promotionCode: code,
    });
    const responses = await Promise.all(
      carts.map((cart) => shop.checkout(cart.id, { cartToken: cart.token })),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(statuses.filter((status) => status === 201)).toHaveLength(5);
    for (const response of responses.filter((candidate) => candidate.status === 201)) {
      expect(response.body.promotionCode).toBe(code);
      expect(response.body.totals.discount).toBe(200);
    }
    for (const response of responses.filter((candidate) => candidate.status !== 201))
      expectProblem(response, 409, '/problems/promotion-unavailable');
    const [{ used }] = await db.query<Array<{ used: number }>>(
      'SELECT times_used AS used FROM promotions WHERE code = ?',
      [code],
    );
    expect(Number(used)).toBe(8);
    const [{ orders }] = await db.query<Array<{ orders: string }>>(
      'SELECT COUNT(*) AS orders FROM orders WHERE promotion_code = ?',
      [code],
    );
    expect(Number(orders)).toBe(5);
    // The refused checkouts reserved nothing: only the five orders hold stock.
    expect(await reservedOf(variantId)).toEqual({ onHand: 100, reserved: 5 });
  }, 60_000);

  it('checks out only what the shopper saw: expectedTotal, and no merge at checkout', async () => {
    const { variantId } = await admin.variantWithStock(5, 1000);
    const { cart, shopper } = await shop.newCart();
    await shop.add(cart.id, shopper, variantId, 1);
    const shown = await shop.prepare(cart.id, shopper);
    const changed = await shop.checkout(cart.id, shopper, randomUUID(), {
      paymentMethod: 'bank_transfer',
      expectedTotal: shown.totals.total - 1,
    });
    expectProblem(changed, 409, '/problems/cart-changed');
    expect((changed.body as unknown as { totals: { total: number } }).totals.total).toBe(shown.totals.total);
    // Signed in with a guest cart's token: the cart must be read (merged) and reviewed first.
    const customer = await createUser(new AuthClient(api.baseUrl), db);
    const signedIn = { ...shopper, token: customer.tokens.accessToken };
    expectProblem(await shop.checkout(cart.id, signedIn), 409, '/problems/cart-takeover-pending');
    const merged = await shop.send('GET', `/v1/carts/${cart.id}`, signedIn);
    expect(merged.body.customerId).toBe(customer.id);
    const placed = await shop.checkout(merged.body.id, { token: customer.tokens.accessToken }, randomUUID(), {
      paymentMethod: 'bank_transfer',
      expectedTotal: merged.body.totals.total,
    });
    expect(placed.status).toBe(201);
    expect(placed.body.email).toBe(customer.email);
  });

  it('a once-per-customer code counts the person, signed in or as a guest with the same email', async () => {
    const code = `ONCE${randomUUID().slice(0, 6).toUpperCase()}`;
    await admin.must('POST', '/v1/admin/promotions', {
      code,
      kind: 'fixed_amount',
      amount: 100,
      perCustomerLimit: 1,
    });
    const customer = await createUser(new AuthClient(api.baseUrl), db);
    const { variantId } = await admin.variantWithStock(10, 1000);
    const own = await shop.newCart({ token: customer.tokens.accessToken });
    await shop.add(own.cart.id, own.shopper, variantId, 1);
    await shop.send('PUT', `/v1/carts/${own.cart.id}/promotion`, own.shopper, { code });
    await shop.prepare(own.cart.id, own.shopper);
    expect((await shop.checkout(own.cart.id, own.shopper)).status).toBe(201);
    const guest = await shop.newCart();
    await shop.add(guest.cart.id, guest.shopper, variantId, 1);
    await shop.send('PUT', `/v1/carts/${guest.cart.id}/promotion`, guest.shopper, { code });
    await shop.prepare(guest.cart.id, guest.shopper, undefined, customer.email);
    expectProblem(await shop.checkout(guest.cart.id, guest.shopper), 409, '/problems/promotion-unavailable');
  });

  it('an order too large for the order columns is a cart problem, not a 500', async () => {
    const { variantId } = await admin.variantWithStock(10, 1_000_000_000);
    const { cart, shopper } = await shop.newCart();
    await shop.add(cart.id, shopper, variantId, 5);
    const prepared = await shop.prepare(cart.id, shopper);
    expect(prepared.problems.map((problem) => problem.code)).toContain('total-too-large');
    expectProblem(await shop.checkout(cart.id, shopper), 422, '/problems/checkout-incomplete');
    expect(await reservedOf(variantId)).toEqual({ onHand: 10, reserved: 0 });
  });
});
