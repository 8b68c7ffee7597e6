import type { JsonResponse } from '@app/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SANDBOX_CARDS } from '../../src/modules/payments/providers/sandbox.provider';
import { AuthClient, createUser } from '../support/auth-client';
import { payWithCard } from '../support/payments-shop';
import { ADDRESS, ShopAdmin, ShopClient, type Shopper } from '../support/shop-client';
import { describeCount, StatementCounter, type StatementCount } from '../support/statement-counter';
import { TestApi, TestEnvironment } from '../support/test-environment';

/** What an entry may use to set its request up (nothing it does there is counted). */
interface Shop {
  shop: ShopClient;
  admin: ShopAdmin;
  client: AuthClient;
  /** The API's own DataSource (through the counter: use it only to arrange, never inside a request). */
  db: DataSource;
  /** A sellable variant with plenty of stock. */
  variantId: () => Promise<string>;
  /** A guest cart holding `lines` lines (1 unit each), optionally addressed. */
  guestCart: (lines: number, addressed?: boolean) => Promise<{ id: string; shopper: Shopper }>;
}

interface RouteBudget {
  route: string;
  /** At most this many statements per request (issue 20), every kind counted. */
  budget: number;
  status: number;
  /** Sets the request up (not counted) and returns it, to be sent once and counted. */
  arrange: (shop: Shop) => Promise<() => Promise<JsonResponse<unknown>>>;
}

/**
 * SQL statements per request, counted at the wire (test/support/statement-counter.ts): every route
 * of the write path stays within its budget. One entry per route and case; each is measured twice,
 * from fresh state, and the larger count is asserted.
 */
const ROUTES: RouteBudget[] = [
  {
    route: 'POST /v1/carts (guest)',
    budget: 2,
    status: 201,
    arrange: ({ shop }) => Promise.resolve(() => shop.send('POST', '/v1/carts', {}, {})),
  },
  {
    route: 'POST /v1/carts/{id}/items (a new line)',
    budget: 4,
    status: 200,
    arrange: async ({ shop, guestCart, variantId }) => {
      const cart = await guestCart(1);
      const added = await variantId();
      return () =>
        shop.send('POST', `/v1/carts/${cart.id}/items`, cart.shopper, { variantId: added, quantity: 1 });
    },
  },
  {
    route: 'POST /v1/carts/{id}/items (a variant already in the cart)',
    budget: 4,
    status: 200,
    arrange: async ({ shop, guestCart }) => {
      const cart = await guestCart(2);
      const [line] = (await shop.send('GET', `/v1/carts/${cart.id}`, cart.shopper)).body.lines;
      return () =>
        shop.send('POST', `/v1/carts/${cart.id}/items`, cart.shopper, {
          variantId: line.variantId,
          quantity: 2,
        });
    },
  },
  {
    route: 'PUT /v1/carts/{id}/addresses',
    budget: 3,
    status: 200,
    arrange: async ({ shop, guestCart }) => {
      const cart = await guestCart(3);
      return () =>
        shop.send('PUT', `/v1/carts/${cart.id}/addresses`, cart.shopper, {
          shippingAddress: ADDRESS,
          email: 'guest@example.test',
        });
    },
  },
  {
    route: 'PUT /v1/carts/{id}/shipping-method',
    budget: 3,
    status: 200,
    arrange: async ({ shop, guestCart }) => {
      const cart = await guestCart(3, true);
      const { shippingMethods } = (await shop.send('GET', `/v1/carts/${cart.id}`, cart.shopper)).body;
      return () =>
        shop.send('PUT', `/v1/carts/${cart.id}/shipping-method`, cart.shopper, {
          shippingMethodId: shippingMethods[0].id,
        });
    },
  },
  {
    route: 'POST /v1/carts/{id}/checkout (guest, 3 lines, Idempotency-Key)',
    budget: 16,
    status: 201,
    arrange: async ({ shop, guestCart }) => {
      const cart = await readyCart(shop, guestCart);
      return () => shop.checkout(cart.id, cart.shopper);
    },
  },
  {
    route: 'POST /v1/orders/{id}/payments (the sandbox card that succeeds)',
    budget: 16,
    status: 201,
    arrange: async ({ shop, guestCart }) => {
      const { order, shopper } = await placedOrder(shop, guestCart, 'card');
      return () => payWithCard(shop, order.id, shopper, SANDBOX_CARDS.succeeds);
    },
  },
  {
    route: 'GET /v1/orders/{id} (the guest after checkout)',
    budget: 2,
    status: 200,
    arrange: async ({ shop, guestCart }) => {
      const { order, shopper } = await placedOrder(shop, guestCart, 'card');
      return () => shop.send('GET', `/v1/orders/${order.id}`, shopper);
    },
  },
];

/** A guest cart of 3 lines with address and shipping method: ready for checkout. */
async function readyCart(shop: ShopClient, guestCart: Shop['guestCart']) {
  const cart = await guestCart(3, true);
  const { shippingMethods } = (await shop.send('GET', `/v1/carts/${cart.id}`, cart.shopper)).body;
  const chosen = await shop.send('PUT', `/v1/carts/${cart.id}/shipping-method`, cart.shopper, {
    shippingMethodId: shippingMethods[0].id,
  });
  if (chosen.status !== 200) throw new Error(`shipping method: ${chosen.status} ${chosen.text}`);
  return cart;
}

/** A guest order of 3 lines awaiting payment, and the shopper holding its token. */
async function placedOrder(shop: ShopClient, guestCart: Shop['guestCart'], paymentMethod: 'card') {
  const cart = await readyCart(shop, guestCart);
  const placed = await shop.checkout(cart.id, cart.shopper, randomUUID(), { paymentMethod });
  if (placed.status !== 201) throw new Error(`checkout: ${placed.status} ${placed.text}`);
  return { order: placed.body, shopper: cart.shopper };
}

const MEASUREMENTS = 2;

describe('SQL statements per request (issue 20 budgets)', () => {
  let env: TestEnvironment;
  let counter: StatementCounter;
  let api: TestApi;
  let shop: Shop;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    counter = await StatementCounter.start({
      host: env.config.database.host,
      port: env.config.database.port,
    });
    // Only the API's connections pass the counter; nothing else (no worker) runs against its database.
    api = await env.startApi([], {
      rateLimit: { max: 1_000_000 },
      database: { host: '127.0.0.1', port: counter.port, socketPath: undefined, replica: undefined },
    });
    const client = new AuthClient(api.baseUrl);
    const db = api.app.get(DataSource);
    const owner = await createUser(client, db, { role: 'admin' });
    const admin = new ShopAdmin(client, owner.tokens.accessToken);
    await admin.setUp({ taxRateBp: 1900, shippingRate: 490 });
    const shopClient = new ShopClient(api.baseUrl);
    const variantId = async () => (await admin.variantWithStock(1_000, 1_250)).variantId;
    shop = {
      shop: shopClient,
      admin,
      client,
      db,
      variantId,
      guestCart: async (lines, addressed = false) => {
        const { cart, shopper } = await shopClient.newCart();
        for (let line = 0; line < lines; line++) await shopClient.add(cart.id, shopper, await variantId());
        if (addressed) {
          const response = await shopClient.send('PUT', `/v1/carts/${cart.id}/addresses`, shopper, {
            shippingAddress: ADDRESS,
            email: 'guest@example.test',
          });
          if (response.status !== 200) throw new Error(`addresses: ${response.status} ${response.text}`);
        }
        return { id: cart.id, shopper };
      },
    };
  }, 120_000);

  afterAll(async () => {
    await env?.cleanup();
    await counter?.close();
  });

  it.each(ROUTES.map((entry) => [entry.route, entry] as const))(
    '%s',
    async (route, { budget, status, arrange }) => {
      const counts: StatementCount[] = [];
      for (let measurement = 0; measurement < MEASUREMENTS; measurement++) {
        const send = await arrange(shop);
        const { result, count } = await counter.count(send);
        if (result.status !== status) throw new Error(`${route}: ${result.status} ${result.text}`);
        counts.push(count);
      }
      const most = counts.reduce((a, b) => (b.total > a.total ? b : a));
      process.stdout.write(
        `${route}: ${counts.map(describeCount).join(' / ')} statements, budget ${budget}\n  ` +
          `${most.statements.join('\n  ')}\n`,
      );
      expect(most.total).toBeLessThanOrEqual(budget);
    },
    60_000,
  );
});
