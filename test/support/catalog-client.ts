import type { JsonResponse } from '@app/testing';
import { randomBytes } from 'node:crypto';
import type { AuthClient } from './auth-client';

export const uniqueSuffix = () => randomBytes(4).toString('hex');

export interface AdminVariant {
  id: string;
  sku: string;
  version: number;
  price: number;
}
export interface AdminProduct {
  id: string;
  slug: string;
  title: string;
  description: string;
  status: string;
  version: number;
  categoryIds: string[];
  currency: string;
  variants: AdminVariant[];
}

/** Staff-side helpers: create products and categories through the API, as a merchant would. */
export class CatalogAdmin {
  constructor(
    readonly client: AuthClient,
    readonly token: string,
  ) {}

  async createProduct(overrides: Record<string, unknown> = {}): Promise<AdminProduct> {
    const suffix = uniqueSuffix();
    const response = await this.client.send<AdminProduct>('POST', '/v1/admin/products', {
      token: this.token,
      body: {
        title: `Test Product ${suffix}`,
        slug: `test-product-${suffix}`,
        status: 'active',
        description: '<p>A product for tests.</p>',
        options: [{ name: 'size', values: ['S', 'M'] }],
        variants: [
          { sku: `SKU-${suffix}-S`, optionValues: { size: 'S' }, price: 1000 },
          { sku: `SKU-${suffix}-M`, optionValues: { size: 'M' }, price: 1200 },
        ],
        ...overrides,
      },
    });
    if (response.status !== 201)
      throw new Error(`create product failed: ${response.status} ${response.text}`);
    return response.body;
  }

  async createCategory(
    name: string,
    parentId?: string,
  ): Promise<{ id: string; slug: string; version: number }> {
    const response = await this.client.send<{ id: string; slug: string; version: number }>(
      'POST',
      '/v1/admin/categories',
      {
        token: this.token,
        body: { name, slug: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${uniqueSuffix()}`, parentId },
      },
    );
    if (response.status !== 201)
      throw new Error(`create category failed: ${response.status} ${response.text}`);
    return response.body;
  }

  send<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<JsonResponse<T>> {
    return this.client.send<T>(method, path, { token: this.token, body, headers });
  }
}
