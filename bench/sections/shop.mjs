// The shop the commerce group sells from: its admin, its set-up through the admin API and its stocked products.
import { randomBytes } from 'node:crypto';
import { ADMIN_CREATE_ENTRY, appEnvironment } from '../lib/environment.mjs';
import { isSuccess, request, signIn } from '../lib/http.mjs';
import { runCommand } from '../lib/processes.mjs';

/** The shop the commerce group sells from (set up once per run through the admin API; see setUpShop). */
export const SHOP = {
  admin: { email: 'bench-admin@example.com', password: 'bench-admin-password-5f2c', name: 'Bench Admin' },
  taxRateBp: 1_900,
  shippingRate: 490,
  // Units received per variant: the most one inventory adjustment takes, far more than any run sells.
  stockPerVariant: 1_000_000,
  // The address of test/support/shop-client.ts (bench/ is plain Node and cannot import the TypeScript support).
  address: {
    firstName: 'Ada',
    lastName: 'Lovelace',
    line1: 'Hauptstraße 1',
    city: 'Berlin',
    postalCode: '10115',
    country: 'DE',
  },
};

/** One admin call; anything but 2xx is fatal (the shop could not be set up). */
async function adminCall(app, token, method, path, body, allowed = []) {
  const response = await request(
    app.baseUrl,
    {
      method,
      path,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
    30_000,
  );
  const text = response.body.toString('utf8');
  if (!isSuccess(response.status) && !allowed.includes(response.status)) {
    throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
  }
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

let adminCreated = null;

/**
 * The shop's admin, made once per run the way a shop gets its first admin (no API route can make one): the app's
 * own `admin-create` command, built (`node dist/src/cli/admin-create.js`, as the Docker image runs it), against the
 * bench database. It leaves an existing admin (--keep-db) as it is.
 */
function createAdmin(app) {
  adminCreated ??= runCommand(
    process.execPath,
    [ADMIN_CREATE_ENTRY, '--email', SHOP.admin.email, '--name', SHOP.admin.name, '--role', 'admin'],
    appEnvironment(new URL(app.baseUrl).port, { ADMIN_PASSWORD: SHOP.admin.password }),
    { quiet: true },
  );
  return adminCreated;
}

/**
 * A signed-in admin. Signed in anew on every call: an access token lives 15 minutes, a whole run may take longer.
 */
export async function adminToken(app) {
  await createAdmin(app);
  return (await signIn(app.baseUrl, SHOP.admin)).accessToken;
}

/** The shop's DE shipping method: a new one in a new zone, or (--keep-db) the one of the zone holding DE. */
async function deShippingMethod(app, token, tag) {
  const zone = await adminCall(
    app,
    token,
    'POST',
    '/v1/admin/shipping-zones',
    { name: `Bench zone ${tag}`, countries: ['DE'] },
    [409],
  );
  if (zone.status === 409) {
    const offered = await request(app.baseUrl, { method: 'GET', path: '/v1/shipping-methods?country=DE' });
    const shippingMethodId = JSON.parse(offered.body.toString('utf8')).data?.[0]?.id;
    if (!shippingMethodId) throw new Error('DE belongs to a shipping zone without a method');
    return shippingMethodId;
  }
  const method = await adminCall(app, token, 'POST', `/v1/admin/shipping-zones/${zone.body.id}/methods`, {
    name: 'Standard',
    rate: SHOP.shippingRate,
    freeOver: null,
  });
  return method.body.id;
}

/**
 * What a shop needs to sell to Germany, through the admin API as a merchant would set it up (as ShopAdmin.setUp in
 * test/support/shop-client.ts): a stock location, a shipping zone for DE with a flat-rate method, the DE tax rate.
 * Once per run (the rows live in the database, whichever app process reads them). With --keep-db a previous run's
 * zone may hold DE already: then its method is used, and the existing tax rate stays.
 */
export async function setUpShop(app, context) {
  if (context.shop) return context.shop;
  console.log(
    '    setting up the shop through the admin API (location, DE shipping zone and method, tax rate)',
  );
  const token = await adminToken(app);
  const tag = randomBytes(4).toString('hex');
  const location = await adminCall(app, token, 'POST', '/v1/admin/locations', {
    code: `bench-${tag}`,
    name: 'Bench warehouse',
    priority: 0,
  });
  const shippingMethodId = await deShippingMethod(app, token, tag);
  await adminCall(
    app,
    token,
    'POST',
    '/v1/admin/tax-rates',
    { country: 'DE', name: 'MwSt', rateBp: SHOP.taxRateBp },
    [409],
  );
  context.shop = { locationId: location.body.id, shippingMethodId };
  return context.shop;
}

/**
 * `count` new single-variant products, active, each with SHOP.stockPerVariant units received at the shop's
 * location, through the admin API (a few at a time). New ones for every scenario and run, so the final stock
 * check of a run sees only that run's orders.
 */
export async function createStockedVariants(app, shop, count, label) {
  const token = await adminToken(app);
  const tag = randomBytes(4).toString('hex');
  const variants = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const slug = `bench-${label}-${tag}-${index}`;
      const product = await adminCall(app, token, 'POST', '/v1/admin/products', {
        title: `Bench ${label} ${tag} ${index}`,
        slug,
        status: 'active',
        description: '<p>A product of the commerce benchmark.</p>',
        options: [],
        variants: [{ sku: slug.toUpperCase(), price: 990 + 37 * index }],
      });
      const variantId = product.body.variants[0].id;
      await adminCall(app, token, 'POST', '/v1/admin/inventory/adjustments', {
        variantId,
        locationId: shop.locationId,
        delta: SHOP.stockPerVariant,
        reason: 'received',
      });
      variants[index] = variantId;
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return variants;
}
