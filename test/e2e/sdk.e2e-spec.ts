import { checkedFetch, extractLink, SmtpReceiver } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { generate } from 'otplib';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  createStorekeepClient,
  idempotencyKey,
  type components,
  type StorekeepClient,
} from '../../clients/typescript/src';

/**
 * The generated TypeScript SDK (clients/typescript) against the real API, as a storefront and a back
 * office would use it: every call is a typed openapi-fetch call (no casts), and every response is
 * also checked against the document the API serves. Type-checked with --strict (`npm run sdk:check`).
 */
describe('TypeScript SDK (clients/typescript)', () => {
  const password = 'Storekeep SDK passphrase 42';
  const suffix = randomBytes(4).toString('hex');
  let env: TestEnvironment;
  let receiver: SmtpReceiver;
  let api: TestApi;
  let storekeep: StorekeepClient;
  let staff: StorekeepClient;
  let locationId: string;

  /** fetch that also checks each response against the OpenAPI document (like the harness's request()). */
  const contractCheckedFetch = (request: Request): Promise<Response> => checkedFetch(request);

  /** The data of a successful call, or a failure that shows the status and the problem. */
  const ok = <T>(result: { data?: T; error?: unknown; response: Response }): T => {
    if (result.data === undefined)
      throw new Error(
        `${result.response.url}: ${result.response.status} ${JSON.stringify(result.error ?? null)}`,
      );
    return result.data;
  };

  beforeAll(async () => {
    env = await TestEnvironment.create();
    receiver = await SmtpReceiver.start();
    api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    await env.startWorker([], { mail: { host: '127.0.0.1', port: receiver.port, secure: false } });
    storekeep = createStorekeepClient({ baseUrl: api.baseUrl, fetch: contractCheckedFetch });

    // Staff exist only by promotion (the first admin of a shop is made in the database).
    const email = `sdk-admin-${suffix}@example.test`;
    const registered = await storekeep.POST('/v1/auth/register', {
      body: { email, password, name: 'Admin' },
    });
    expect(registered.response.status).toBe(202);
    await api.app
      .get(DataSource)
      .query('UPDATE users SET role = ?, version = version + 1 WHERE email = ?', ['admin', email]);
    const login = ok(await storekeep.POST('/v1/auth/login', { body: { email, password } }));
    if (login.mfaRequired) throw new Error('a new staff account has no MFA');
    staff = storekeep.with({ accessToken: login.accessToken });
  }, 60_000);

  afterAll(async () => {
    await env?.cleanup();
    await receiver?.close();
  });

  it('staff: a location, a product, a second variant and stock — and an API key that reads it', async () => {
    locationId = ok(
      await staff.POST('/v1/admin/locations', { body: { code: `sdk-${suffix}`, name: 'SDK warehouse' } }),
    ).id;
    const zone = ok(
      await staff.POST('/v1/admin/shipping-zones', {
        body: { name: `SDK zone ${suffix}`, countries: ['DE'], active: true },
      }),
    );
    ok(
      await staff.POST('/v1/admin/shipping-zones/{zoneId}/methods', {
        params: { path: { zoneId: zone.id } },
        body: { name: 'Standard', rate: 490, active: true, position: 0 },
      }),
    );
    ok(await staff.POST('/v1/admin/tax-rates', { body: { country: 'DE', name: 'MwSt', rateBp: 1900 } }));

    const created = ok(
      await staff.POST('/v1/admin/products', {
        body: {
          title: `SDK Mug ${suffix}`,
          slug: `sdk-mug-${suffix}`,
          status: 'active',
          options: [{ name: 'colour', values: ['white', 'black'] }],
          variants: [{ sku: `SDK-${suffix}-W`, optionValues: { colour: 'white' }, price: 1500 }],
        },
      }),
    );
    expect(created.variants.map((variant) => variant.sku)).toEqual([`SDK-${suffix}-W`]);

    const withVariant = ok(
      await staff.POST('/v1/admin/products/{id}/variants', {
        params: { path: { id: created.id } },
        body: { sku: `SDK-${suffix}-B`, optionValues: { colour: 'black' }, price: 1700, weightGrams: 350 },
      }),
    );
    const black = withVariant.variants.find((variant) => variant.sku === `SDK-${suffix}-B`);
    if (!black) throw new Error(`the new variant is missing: ${JSON.stringify(withVariant.variants)}`);

    const adjusted = ok(
      await staff.POST('/v1/admin/inventory/adjustments', {
        body: { variantId: black.id, locationId, delta: 7, reason: 'received' },
      }),
    );
    expect(adjusted.levels).toEqual([
      expect.objectContaining({ variantId: black.id, onHand: 7, available: 7 }),
    ]);

    // A server's API key (X-Api-Key) sees the same stock.
    const apiKey = ok(
      await staff.POST('/v1/admin/api-keys', {
        body: { name: `sdk ${suffix}`, scopes: ['inventory:write'] },
      }),
    );
    const server = storekeep.with({ apiKey: apiKey.key });
    const levels = ok(
      await server.GET('/v1/admin/inventory', { params: { query: { variantId: black.id } } }),
    );
    expect(levels.data).toEqual([expect.objectContaining({ locationId, onHand: 7, reserved: 0 })]);
  });

  it('guest: products → cart → item → addresses → shipping method → checkout (Idempotency-Key) → order', async () => {
    const page = ok(await storekeep.GET('/v1/products', { params: { query: { q: `SDK Mug ${suffix}` } } }));
    const product = page.data.find((candidate) => candidate.slug === `sdk-mug-${suffix}`);
    const variant = product?.variants.find((candidate) => candidate.sku === `SDK-${suffix}-B`);
    if (!variant) throw new Error(`the product is not listed: ${JSON.stringify(page.data)}`);

    const created = ok(await storekeep.POST('/v1/carts', {}));
    if (!('token' in created) || !created.token) throw new Error('a guest cart comes with its token');
    const guest = storekeep.with({ cartToken: created.token });
    const cart = { path: { id: created.id } };

    ok(
      await guest.POST('/v1/carts/{id}/items', {
        params: cart,
        body: { variantId: variant.id, quantity: 2 },
      }),
    );
    const address: components['schemas']['AddressDto'] = {
      firstName: 'Ada',
      lastName: 'Lovelace',
      line1: 'Hauptstraße 1',
      city: 'Berlin',
      postalCode: '10115',
      country: 'DE',
    };
    const addressed = ok(
      await guest.PUT('/v1/carts/{id}/addresses', {
        params: cart,
        body: { shippingAddress: address, email: `sdk-guest-${suffix}@example.test` },
      }),
    );
    const method = addressed.shippingMethods[0];
    if (!method) throw new Error('no shipping method for DE');
    const ready = ok(
      await guest.PUT('/v1/carts/{id}/shipping-method', {
        params: cart,
        body: { shippingMethodId: method.id },
      }),
    );
    expect(ready.checkoutReady).toBe(true);

    // One key per order: a retry with the same key (after a lost answer) gets the same order back.
    const key = idempotencyKey();
    const body: components['schemas']['CheckoutDto'] = { paymentMethod: 'bank_transfer' };
    const checkout = { params: { ...cart, header: key }, body };
    const placed = await guest.POST('/v1/carts/{id}/checkout', checkout);
    const order = ok(placed);
    expect(placed.response.status).toBe(201);
    expect(order).toEqual(
      expect.objectContaining({ status: 'pending_payment', paymentMethod: 'bank_transfer' }),
    );
    expect(order.lines).toEqual([expect.objectContaining({ sku: `SDK-${suffix}-B`, quantity: 2 })]);
    const replay = await guest.POST('/v1/carts/{id}/checkout', checkout);
    expect(replay.response.headers.get('idempotent-replayed')).toBe('true');
    expect(ok(replay).id).toBe(order.id);
    expect(idempotencyKey()['Idempotency-Key']).not.toBe(key['Idempotency-Key']);

    // The order is the guest's through the order token (the cart's secret), and nobody else's.
    const asGuest = storekeep.with({ orderToken: created.token });
    const read = ok(await asGuest.GET('/v1/orders/{id}', { params: { path: { id: order.id } } }));
    expect(read.number).toBe(order.number);
    const stranger = await storekeep.GET('/v1/orders/{id}', { params: { path: { id: order.id } } });
    expect(stranger.response.status).toBe(404);
    expect(stranger.error?.type).toBe('/problems/order-not-found');
  });

  it('customer: register, verify the mailed link, enrol TOTP, log in → MFA challenge → verify', async () => {
    const email = `sdk-customer-${suffix}@example.test`;
    const registered = await storekeep.POST('/v1/auth/register', {
      body: { email, password, name: 'Grace' },
    });
    expect(registered.response.status).toBe(202);
    const mail = await receiver.waitForMessage((message) => message.recipients.includes(email));
    const link = extractLink(mail.parsed.text ?? '', '/verify-email');
    const token = link ? new URL(link).searchParams.get('token') : null;
    if (!token) throw new Error(`no verification link in: ${mail.parsed.text ?? ''}`);
    const verified = await storekeep.POST('/v1/auth/email/verify', { body: { token } });
    expect(verified.response.status).toBe(204);

    const first = ok(await storekeep.POST('/v1/auth/login', { body: { email, password } }));
    if (first.mfaRequired) throw new Error('MFA is not enrolled yet');
    const customer = storekeep.with({ accessToken: first.accessToken });
    const enrolment = ok(await customer.POST('/v1/me/mfa', { body: { password } }));
    const confirmed = ok(
      await customer.POST('/v1/me/mfa/confirm', {
        body: { code: await generate({ secret: enrolment.secret }) },
      }),
    );
    expect(confirmed.recoveryCodes).toHaveLength(10);

    const challenge = ok(await storekeep.POST('/v1/auth/login', { body: { email, password } }));
    if (!challenge.mfaRequired) throw new Error('a login with MFA enrolled must be challenged');
    // The next time step's code: the confirmation used this one, and a code works once.
    const code = await generate({ secret: enrolment.secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    const tokens = ok(
      await storekeep.POST('/v1/auth/mfa/verify', { body: { mfaToken: challenge.mfaToken, code } }),
    );
    const me = ok(await storekeep.with({ accessToken: tokens.accessToken }).GET('/v1/me'));
    expect(me).toEqual(expect.objectContaining({ email, emailVerified: true, mfaEnabled: true }));
  });
});
