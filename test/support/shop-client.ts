import { request, type JsonResponse } from '@app/testing';
import { randomUUID } from 'node:crypto';
import type { AuthClient } from './auth-client';
import { CatalogAdmin, uniqueSuffix } from './catalog-client';

export interface CartLine {
  id: string;
  variantId: string;
  sku: string | null;
  unitPrice: number;
  quantity: number;
  subtotal: number;
  discount: number;
  tax: number;
  total: number;
  available: number;
  problem: string | null;
}
export interface Cart {
  id: string;
  status: string;
  customerId: string | null;
  email: string | null;
  token?: string;
  lines: CartLine[];
  promotion: { code: string; applied: boolean; reason: string | null } | null;
  shippingMethod: { id: string; name: string; rate: number } | null;
  shippingMethods: Array<{ id: string; name: string; rate: number; freeOver: number | null }>;
  totals: {
    subtotal: number;
    discount: number;
    shipping: number;
    shippingTax: number;
    tax: number;
    total: number;
    taxRateBp: number;
    taxIncluded: boolean;
  };
  problems: Array<{ code: string; detail: string; itemId?: string }>;
  checkoutReady: boolean;
  orderId: string | null;
  version: number;
}
export interface Order {
  id: string;
  number: string;
  status: string;
  customerId: string | null;
  email: string;
  totals: Cart['totals'];
  promotionCode: string | null;
  lines: Array<{
    id: string;
    variantId: string;
    sku: string;
    title: string;
    unitPrice: number;
    quantity: number;
    subtotal: number;
    discount: number;
    tax: number;
    total: number;
    fulfilledQuantity: number;
  }>;
  history: Array<{ from: string | null; to: string; at: string; reason: string | null; actor?: string }>;
  fulfilments: Array<{ id: string; carrier: string; trackingNumber: string }>;
  expiresAt: string | null;
  paidAt: string | null;
}

export const ADDRESS = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  line1: 'Hauptstraße 1',
  city: 'Berlin',
  postalCode: '10115',
  country: 'DE',
};

/** Who calls: a guest with a cart token, a customer with an access token, or both. */
export interface Shopper {
  token?: string;
  cartToken?: string;
}

/** A shopper's side of the API: carts, checkout and orders, as a storefront would call them. */
export class ShopClient {
  constructor(readonly baseUrl: string) {}

  send<T = Cart>(
    method: string,
    path: string,
    shopper: Shopper,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<JsonResponse<T>> {
    const all: Record<string, string> = { ...headers };
    if (shopper.token) all.authorization = `Bearer ${shopper.token}`;
    if (shopper.cartToken) all['x-cart-token'] = shopper.cartToken;
    if (body !== undefined) all['content-type'] = 'application/json';
    return request<T>(`${this.baseUrl}${path}`, {
      method,
      headers: all,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** A new cart; for a guest the returned shopper carries its token. */
  async newCart(
    shopper: Shopper = {},
    body: Record<string, unknown> = {},
  ): Promise<{ cart: Cart; shopper: Shopper }> {
    const response = await this.send('POST', '/v1/carts', shopper, body);
    if (response.status !== 201 && response.status !== 200)
      throw new Error(`create cart failed: ${response.status} ${response.text}`);
    return {
      cart: response.body,
      shopper: response.body.token ? { ...shopper, cartToken: response.body.token } : shopper,
    };
  }

  async add(cartId: string, shopper: Shopper, variantId: string, quantity = 1): Promise<Cart> {
    const response = await this.send('POST', `/v1/carts/${cartId}/items`, shopper, { variantId, quantity });
    if (response.status !== 200) throw new Error(`add failed: ${response.status} ${response.text}`);
    return response.body;
  }

  /** Address, email and the first shipping method: the cart is then ready for checkout. */
  async prepare(cartId: string, shopper: Shopper, address = ADDRESS, email?: string): Promise<Cart> {
    const addressed = await this.send('PUT', `/v1/carts/${cartId}/addresses`, shopper, {
      shippingAddress: address,
      ...(email || !shopper.token ? { email: email ?? `guest-${uniqueSuffix()}@example.test` } : {}),
    });
    if (addressed.status !== 200) throw new Error(`addresses failed: ${addressed.status} ${addressed.text}`);
    const method = addressed.body.shippingMethods[0];
    if (!method) return addressed.body;
    const chosen = await this.send('PUT', `/v1/carts/${cartId}/shipping-method`, shopper, {
      shippingMethodId: method.id,
    });
    if (chosen.status !== 200) throw new Error(`shipping method failed: ${chosen.status} ${chosen.text}`);
    return chosen.body;
  }

  checkout(
    cartId: string,
    shopper: Shopper,
    key: string = randomUUID(),
    body: Record<string, unknown> = { paymentMethod: 'bank_transfer' },
  ): Promise<JsonResponse<Order>> {
    return this.send<Order>('POST', `/v1/carts/${cartId}/checkout`, shopper, body, {
      'idempotency-key': key,
    });
  }
}

/** Staff's side: a stock location, shipping to DE/AT, tax rates — what a shop needs to sell. */
export class ShopAdmin extends CatalogAdmin {
  locationId = '';

  constructor(client: AuthClient, token: string) {
    super(client, token);
  }

  async setUp(
    options: { taxRateBp?: number; shippingRate?: number; freeOver?: number | null } = {},
  ): Promise<{
    shippingMethodId: string;
  }> {
    const location = await this.must<{ id: string }>('POST', '/v1/admin/locations', {
      code: `loc-${uniqueSuffix()}`,
      name: 'Warehouse',
      priority: 0,
    });
    this.locationId = location.id;
    const zone = await this.must<{ id: string }>('POST', '/v1/admin/shipping-zones', {
      name: `Zone ${uniqueSuffix()}`,
      countries: ['DE', 'AT'],
    });
    const method = await this.must<{ id: string }>('POST', `/v1/admin/shipping-zones/${zone.id}/methods`, {
      name: 'Standard',
      rate: options.shippingRate ?? 490,
      freeOver: options.freeOver === undefined ? null : options.freeOver,
    });
    await this.must('POST', '/v1/admin/tax-rates', {
      country: 'DE',
      name: 'MwSt',
      rateBp: options.taxRateBp ?? 1900,
    });
    return { shippingMethodId: method.id };
  }

  /** A sellable variant with `stock` units at the shop's location. */
  async variantWithStock(
    stock: number,
    price = 1000,
  ): Promise<{ variantId: string; productId: string; sku: string }> {
    const suffix = uniqueSuffix();
    const product = await this.createProduct({
      options: [],
      variants: [{ sku: `SHOP-${suffix}`, price }],
    });
    const variantId = product.variants[0].id;
    if (stock > 0)
      await this.must('POST', '/v1/admin/inventory/adjustments', {
        variantId,
        locationId: this.locationId,
        delta: stock,
        reason: 'received',
      });
    return { variantId, productId: product.id, sku: product.variants[0].sku };
  }

  async must<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send<T>(method, path, body);
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${response.text}`);
    return response.body;
  }
}
